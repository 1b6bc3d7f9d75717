import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { cloudTrailRecord, random, wafRecord } from '../../bench/generate';
import { encodeAwsLogsEvent } from '../../src/sources/awslogs';
import { jsonLines, REPO, runCli, tempDir } from './helpers';

const RULES = join(REPO, 'rules');
const T0 = Date.UTC(2024, 10, 2, 10, 0, 0);

function blocks(n: number, ip = '198.51.100.23'): string[] {
  const rand = random(11);
  return Array.from({ length: n }, (_, i) => JSON.stringify(wafRecord(rand, T0 + i * 1000, { ip, action: 'BLOCK' })));
}

function openToWorld(eventName = 'AuthorizeSecurityGroupIngress'): Record<string, unknown> {
  return cloudTrailRecord(random(5), T0, { eventName, cidr: '0.0.0.0/0', port: 22 });
}

describe('klaxon scan over JSON sources', () => {
  it('reads WAF records concatenated with no separator (Firehose) and alerts per address and rule', async () => {
    const dir = tempDir();
    const file = join(dir, 'waf');
    writeFileSync(file, blocks(120).join(''));
    const { code, stdout, stderr } = await runCli(['scan', '--rules', RULES, file]);
    expect(code).toBe(0);
    const alerts = jsonLines(stdout);
    expect(alerts.find((a) => a.rule === 'waf-block-spike')).toMatchObject({ count: 120, fields: { 'source.address': '198.51.100.23' } });
    const perRule = alerts.filter((a) => a.rule === 'waf-block');
    expect(perRule.reduce((n, a) => n + (a.count as number), 0)).toBe(120);
    expect(stderr).toContain('0 could not be parsed');
  });

  it('reads a top-level JSON array of records, each element its own record', async () => {
    const dir = tempDir();
    const file = join(dir, 'export.json');
    writeFileSync(file, `[${blocks(3).join(',\n')}, {"not": "waf"}]`);
    const { stdout, stderr } = await runCli(['scan', '--events', '--rules', RULES, file]);
    expect(jsonLines(stdout).map((e) => e['event.action'])).toEqual(['BLOCK', 'BLOCK', 'BLOCK']);
    expect(stderr).toContain(`${file}:3: not a WAF, CloudTrail, CloudWatch alarm or CloudWatch Logs record`);
  });

  it('gives every WAF event its byte offset in the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'waf.json');
    const records = blocks(3);
    writeFileSync(file, records.join('\n'));
    const events = jsonLines((await runCli(['scan', '--events', '--rules', RULES, file])).stdout);
    expect(events.map((e) => e['log.offset'])).toEqual([0, records[0]!.length + 1, records[0]!.length + records[1]!.length + 2]);
    expect(events[1]?.['event.original']).toBe(records[1]);
  });

  it('reads a gzip CloudTrail file and raises the world-open SSH ingress as critical', async () => {
    const dir = tempDir();
    const file = join(dir, '123456789012_CloudTrail_eu-west-1_20241102T1000Z_abc.json.gz');
    writeFileSync(file, gzipSync(JSON.stringify({ Records: [cloudTrailRecord(random(1), T0, { eventName: 'DescribeInstances' }), openToWorld()] })));
    const alerts = jsonLines((await runCli(['scan', '--rules', RULES, file])).stdout);
    expect(alerts.find((a) => a.rule === 'sg-open-to-world')).toMatchObject({ severity: 'critical', fields: { 'aws.security_group.id': 'sg-0123456789abcdef0' } });
    // sg-open-to-world suppresses sg-change for the same call: one alert, not two.
    expect(alerts.map((a) => a.rule)).toEqual(['sg-open-to-world']);
  });

  it('reads EventBridge events, one per line', async () => {
    const dir = tempDir();
    const file = join(dir, 'events.jsonl');
    const envelope = { version: '0', id: 'eb-1', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', account: '123456789012', time: '2024-11-02T10:00:00Z', region: 'eu-west-1', resources: [], detail: openToWorld() };
    writeFileSync(file, `${JSON.stringify(envelope)}\n`);
    const alerts = jsonLines((await runCli(['scan', '--rules', RULES, file])).stdout);
    expect(alerts.map((a) => a.rule)).toEqual(['sg-open-to-world']);
  });

  it('routes CloudWatch Logs deliveries by log group: a WAF group and a trail delivered to a log group', async () => {
    const dir = tempDir();
    const file = join(dir, 'deliveries.json');
    const waf = { messageType: 'DATA_MESSAGE' as const, owner: '123456789012', logGroup: 'aws-waf-logs-shop', logStream: 'eu-west-1_shop_0', subscriptionFilters: ['klaxon'], logEvents: blocks(2).map((message, i) => ({ id: `w${i}`, timestamp: T0 + i, message })) };
    const trail = { messageType: 'DATA_MESSAGE' as const, owner: '123456789012', logGroup: 'aws-cloudtrail-logs-123456789012', logStream: '123456789012_CloudTrail_eu-west-1', subscriptionFilters: ['klaxon'], logEvents: [{ id: 'c0', timestamp: T0, message: JSON.stringify(openToWorld()) }] };
    const control = { messageType: 'CONTROL_MESSAGE' as const, owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: T0, message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda function.' }] };
    writeFileSync(file, [waf, trail, control].map((p) => JSON.stringify(encodeAwsLogsEvent(p))).join('\n'));
    const events = jsonLines((await runCli(['scan', '--events', '--rules', RULES, file])).stdout);
    expect(events[0]?.['event.created']).toBe(new Date(T0).toISOString());
    expect(events.map((e) => [e['event.source'], e['aws.cloudwatch.log_group'], e['aws.cloudwatch.event_id']])).toEqual([
      ['waf', 'aws-waf-logs-shop', 'w0'],
      ['waf', 'aws-waf-logs-shop', 'w1'],
      ['cloudtrail', 'aws-cloudtrail-logs-123456789012', 'c0'],
    ]);
  });

  it('--source forces a parser; the wrong one is reported per record, not fatal', async () => {
    const dir = tempDir();
    const file = join(dir, 'waf.json');
    writeFileSync(file, blocks(2).join('\n'));
    const asCloudTrail = await runCli(['scan', '--source', 'cloudtrail', '--rules', RULES, file]);
    expect(asCloudTrail.code).toBe(0);
    expect(asCloudTrail.stderr).toContain('2 could not be parsed');
    const asSsh = await runCli(['scan', '--source', 'ssh', '--rules', RULES, file]);
    expect(asSsh.stderr).toContain(`${file}:1: a JSON record where sshd log lines were expected`);
  });

  it('reports a WAF Classic record and a broken record with their lines, and keeps the rest', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.json');
    const classic = JSON.stringify({ timestamp: T0, formatVersion: 1, webaclId: '385cb038-3a6f-4f1f-9e71-0a2b1c3d4e5f', terminatingRuleId: 'Default_Action', terminatingRuleType: 'REGULAR', action: 'BLOCK', httpSourceName: 'CF', httpSourceId: 'x', httpRequest: { clientIp: '192.0.2.1', country: 'US', headers: [], uri: '/', args: '', httpVersion: 'HTTP/1.1', httpMethod: 'GET', requestId: 'r' } });
    writeFileSync(file, [blocks(1)[0], classic, '{"timestamp": 1, "broken": ', blocks(1)[0]].join('\n'));
    const { code, stdout, stderr } = await runCli(['scan', '--events', '--rules', RULES, file]);
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toHaveLength(2);
    expect(stderr).toMatch(new RegExp(`${file}:2: .*Classic`));
    expect(stderr).toContain(`${file}:3:`);
  });

  it('never fails on arbitrary bytes: exit 0 and every line or record accounted for', async () => {
    const dir = tempDir();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.boolean(), async (bytes, asJson) => {
        const file = join(dir, 'fuzz');
        writeFileSync(file, Buffer.concat([Buffer.from(asJson ? '{' : ''), Buffer.from(bytes)]));
        const { code, stderr } = await runCli(['scan', '--rules', RULES, file]);
        expect(code).toBe(0);
        expect(stderr).toMatch(/klaxon scan: .* read from 1 file/);
      }),
      { numRuns: 60 },
    );
  });
});
