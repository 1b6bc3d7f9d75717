import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { CloudTrailClient, LookupEventsCommand, ThrottlingException, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import {
  AccessDeniedException,
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
  type FilteredLogEvent,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import type { PaceClock } from '../../src/aws/trail-events';
import { replay, type ReplayClients } from '../../src/cli/replay';
import { SECURITY_GROUP_EVENTS } from '../../src/sources/security-group';
import { jsonFixture } from '../helpers/fixtures';
import { startSlackStandIn } from '../helpers/slack-standin';
import { jsonLines, runCli, tempDir, type CliResult } from './helpers';

const NOW = Date.parse('2026-11-02T12:00:00Z');
const HOUR = 3_600_000;
const ACCOUNT = '123456789012';

const logs = mockClient(CloudWatchLogsClient);
const trail = mockClient(CloudTrailClient);

/** Each describe with mocked clients resets them first (resetting a restored mock would stub it again). */
function resetMocks(): void {
  logs.reset();
  trail.reset();
}

/** `klaxon replay …` in-process with the given clients and pacing clock (runCli builds the default clients). */
async function runReplay(argv: string[], clients: ReplayClients, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await replay(argv, { stdin: Readable.from([]), stdout, stderr, env, now: () => NOW }, clients);
  return { code, stdout: out, stderr: err };
}

function fakeClock(): PaceClock & { sleeps: number[] } {
  let t = NOW;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

// ---- CloudWatch Logs ----------------------------------------------------------------

let nextId = 37_000;
/** A FilterLogEvents result event as AWS returns it (the 56-digit event id, ingestion a moment after the event). */
function logEvent(stream: string, iso: string, message: string): FilteredLogEvent {
  const timestamp = Date.parse(iso);
  return { logStreamName: stream, timestamp, ingestionTime: timestamp + 800, message, eventId: `${String(nextId++).padEnd(56, '0')}` };
}

const sshFail = (stream: string, second: number, port: number): FilteredLogEvent =>
  logEvent(stream, `2026-11-02T10:00:${String(second).padStart(2, '0')}Z`, `Nov  2 10:00:${String(second).padStart(2, '0')} bastion sshd[${2200 + second}]: Failed password for root from 203.0.113.50 port ${port} ssh2`);

/** A brute force over two pages and two streams: six failures from one address within a minute. */
const BRUTE_FORCE_PAGES = [
  { events: [sshFail('i-0aaa', 1, 51001), sshFail('i-0aaa', 5, 51002), sshFail('i-0bbb', 9, 51003)], nextToken: 'page-2' },
  { events: [sshFail('i-0bbb', 14, 51004), sshFail('i-0aaa', 20, 51005), sshFail('i-0aaa', 28, 51006)] },
];

/** Answers FilterLogEvents with `pages` in turn, keeping a copy of each call's input (the SDK's paginator reuses one object). */
function serveLogPages(pages: Array<{ events: FilteredLogEvent[]; nextToken?: string }>): FilterLogEventsCommandInput[] {
  const inputs: FilterLogEventsCommandInput[] = [];
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    inputs.push({ ...input });
    return { ...pages[inputs.length - 1], searchedLogStreams: [] };
  });
  return inputs;
}

const replayLogs = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['replay', 'logs', '--region', 'eu-west-1', ...args], { env, now: NOW });

describe('klaxon replay logs', () => {
  beforeEach(resetMocks);

  it('reads every page of FilterLogEvents for the time range and finds an SSH brute force spread over the pages', async () => {
    const inputs = serveLogPages(BRUTE_FORCE_PAGES);
    const result = await replayLogs(['--log-group', '/prod/bastion/auth', '--stream-prefix', 'i-0', '--since', '2h', '--until', '2026-11-02T11:30:00Z']);
    expect(result.code).toBe(0);
    expect(inputs.map((i) => i.nextToken)).toEqual([undefined, 'page-2']);
    for (const input of inputs) {
      expect(input).toMatchObject({ logGroupName: '/prod/bastion/auth', logStreamNamePrefix: 'i-0', startTime: NOW - 2 * HOUR, endTime: Date.parse('2026-11-02T11:30:00Z') });
    }
    const alerts = jsonLines(result.stdout);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'ssh-brute-force', count: 6, fields: { 'source.address': '203.0.113.50' }, first_seen: '2026-11-02T10:00:01.000Z', last_seen: '2026-11-02T10:00:28.000Z', sources: ['ssh'] });
    const evidence = (alerts[0] as { evidence: Array<Record<string, unknown>> }).evidence;
    const first = BRUTE_FORCE_PAGES[0]!.events[0]!;
    expect(evidence[0]).toEqual({
      '@timestamp': '2026-11-02T10:00:01.000Z',
      'aws.cloudwatch.log_group': '/prod/bastion/auth',
      'aws.cloudwatch.log_stream': 'i-0aaa',
      'event.id': first.eventId,
      'event.original': first.message,
    });
    expect(result.stderr).toContain('reading log group /prod/bastion/auth in eu-west-1, streams starting with "i-0", 2026-11-02T10:00:00.000Z to 2026-11-02T11:30:00.000Z, as ssh (by its name)');
    expect(result.stderr).toContain('klaxon replay: 2 pages of FilterLogEvents, 6 log events read from /prod/bastion/auth, 6 events, 0 skipped (not security-relevant), 0 could not be parsed, 1 alert');
  });

  it('gives each event the fields a subscription delivery gives, with the account from a log group ARN', async () => {
    const rules = tempDir();
    writeFileSync(
      join(rules, 'envelope.yml'),
      [
        'id: envelope',
        'title: "login on {{aws.cloudwatch.log_stream}}"',
        'description: every SSH event, grouped by its envelope fields',
        'source: ssh',
        'severity: info',
        'match: { event.action: ssh_login }',
        'group_by: [cloud.account.id, aws.cloudwatch.log_group, aws.cloudwatch.log_stream, aws.cloudwatch.event_id, event.id, event.created]',
        'realert: 0',
        '',
      ].join('\n'),
    );
    const event = logEvent('i-0ccc', '2026-11-02T10:30:00Z', 'Nov  2 10:30:00 bastion sshd[77]: Accepted publickey for alice from 198.51.100.20 port 50022 ssh2');
    const inputs = serveLogPages([{ events: [event] }]);
    const arn = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/prod/bastion/auth:*`;
    const result = await runCli(['replay', 'logs', '--log-group', arn, '--since', '1d', '--rules', rules], { now: NOW });
    expect(result.code).toBe(0);
    expect(inputs[0]).toMatchObject({ logGroupIdentifier: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/prod/bastion/auth` });
    expect(jsonLines(result.stdout)[0]?.fields).toEqual({
      'cloud.account.id': ACCOUNT,
      'aws.cloudwatch.log_group': '/prod/bastion/auth',
      'aws.cloudwatch.log_stream': 'i-0ccc',
      'aws.cloudwatch.event_id': event.eventId,
      'event.id': event.eventId,
      'event.created': '2026-11-02T10:30:00.000Z',
    });
  });

  it('routes a WAF log group to the WAF parser, and counts bad records without losing the rest', async () => {
    const { json } = jsonFixture('waf', 'block-regular-rule');
    const block = (second: number) => JSON.stringify({ ...json, timestamp: Date.parse(`2026-11-02T09:00:${second}Z`) });
    const page = [
      logEvent('eu-west-1_prod-edge-acl_0', '2026-11-02T09:00:10Z', block(10)),
      logEvent('eu-west-1_prod-edge-acl_0', '2026-11-02T09:00:11Z', '{"timestamp": 1717243200123, "action": "BLO'),
      logEvent('eu-west-1_prod-edge-acl_0', '2026-11-02T09:00:12Z', block(12)),
    ];
    serveLogPages([{ events: page }]);
    const result = await replayLogs(['--log-group', 'aws-waf-logs-prod-edge', '--since', '6h']);
    expect(result.code).toBe(0);
    const alerts = jsonLines(result.stdout);
    expect(alerts.map((a) => [a.rule, a.count, a.sources])).toEqual([['waf-block', 2, ['waf']]]);
    expect(result.stderr).toContain('as waf (by its name)');
    expect(result.stderr).toContain('3 log events read from aws-waf-logs-prod-edge, 2 events, 0 skipped (not security-relevant), 1 could not be parsed, 1 alert');
    expect(result.stderr).toMatch(/^ {2}logs:aws-waf-logs-prod-edge\/eu-west-1_prod-edge-acl_0:2 at 2026-11-02T09:00:11\.000Z: waf log event is not JSON/m);
  });

  it('lets --source override the routing', async () => {
    serveLogPages([{ events: [sshFail('i-0aaa', 1, 51001)] }]);
    const result = await replayLogs(['--log-group', 'aws-waf-logs-prod-edge', '--since', '6h', '--source', 'ssh', '--format', 'pretty']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('as ssh (--source)');
    expect(result.stderr).toContain('1 event, 0 skipped (not security-relevant), 0 could not be parsed, 0 alerts');
  });

  it('exits 1 naming the log group and region when the group does not exist', async () => {
    logs.on(FilterLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: { httpStatusCode: 400 } }));
    const result = await replayLogs(['--log-group', '/prod/nope', '--since', '1h']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('klaxon replay: log group "/prod/nope" was not found in region eu-west-1');
    expect(result.stdout).toBe('');
  });

  it('exits 1 naming the permission when access is denied', async () => {
    logs.on(FilterLogEventsCommand).rejects(new AccessDeniedException({ message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: logs:FilterLogEvents', $metadata: { httpStatusCode: 400 } }));
    const result = await replayLogs(['--log-group', '/prod/bastion/auth', '--since', '1h']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('access denied: the AWS identity needs permission for logs:FilterLogEvents in region eu-west-1');
  });

  it('still reports what was read before AWS refused a later page', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: BRUTE_FORCE_PAGES[0]!.events, nextToken: 'page-2' })
      .rejectsOnce(new AccessDeniedException({ message: 'denied', $metadata: { httpStatusCode: 400 } }));
    const result = await replayLogs(['--log-group', '/prod/bastion/auth', '--since', '1h']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stopped early');
    expect(result.stderr).toContain('1 page of FilterLogEvents, 3 log events read');
  });

  describe('--deliver', () => {
    it('delivers through the lifecycle with SQLite state, printing without SLACK_BOT_TOKEN; the same replay again posts nothing', async () => {
      const env = { KLAXON_STATE: join(tempDir(), 'state.db') };
      serveLogPages(BRUTE_FORCE_PAGES);
      const first = await replayLogs(['--log-group', '/prod/bastion/auth', '--since', '1d', '--deliver'], env);
      expect(first.code).toBe(0);
      expect(first.stdout.match(/^━━ /gm)).toHaveLength(1);
      expect(first.stdout).toContain('SSH brute force from 203.0.113.50');
      expect(first.stderr).toContain(`klaxon replay: state in ${env.KLAXON_STATE}`);
      expect(first.stderr).toContain('SLACK_BOT_TOKEN is not set');
      expect(first.stderr).toContain('klaxon replay: 1 alert printed, 0 updated, 0 events held back by silences, 0 events skipped as already processed');

      logs.reset();
      serveLogPages(BRUTE_FORCE_PAGES);
      const again = await replayLogs(['--log-group', '/prod/bastion/auth', '--since', '1d', '--deliver'], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe('');
      expect(again.stderr).toContain('klaxon replay: 0 alerts printed, 0 updated, 0 events held back by silences, 6 events skipped as already processed');
    });

    it('posts to Slack when SLACK_BOT_TOKEN is set', async () => {
      const slack = await startSlackStandIn();
      try {
        const env = { KLAXON_STATE: join(tempDir(), 'state.db'), SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.url, SLACK_CHANNEL: 'C0ALERTS' };
        serveLogPages(BRUTE_FORCE_PAGES);
        const result = await replayLogs(['--log-group', '/prod/bastion/auth', '--since', '1d', '--deliver'], env);
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('');
        expect(slack.callsTo('chat.postMessage').map((c) => c.body.channel)).toEqual(['C0ALERTS']);
        expect(result.stderr).toContain('1 alert posted to Slack');
      } finally {
        await slack.close();
      }
    });
  });
});

// ---- CloudTrail ----------------------------------------------------------------------

/** A LookupEvents result for a CloudTrail record: the record goes in as the JSON string `CloudTrailEvent`. */
function lookupResult(record: Record<string, unknown>) {
  return { EventId: record.eventID as string, EventName: record.eventName as string, EventTime: new Date(record.eventTime as string), CloudTrailEvent: JSON.stringify(record) };
}

const opened = (id: string, time: string, group = 'sg-0aaaabbbbccccdddd') => lookupResult({ ...jsonFixture('cloudtrail', 'authorize-ingress-legacy').json, eventID: id, eventTime: time, requestParameters: { groupId: group, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' } });

/** Answers LookupEvents per event name with the pages given (one empty page for other names); records each call's input. */
function serveTrail(pages: Record<string, unknown[]>): LookupEventsCommandInput[] {
  const inputs: LookupEventsCommandInput[] = [];
  const served = new Map<string, number>();
  trail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
    inputs.push(input);
    const name = input.LookupAttributes?.[0]?.AttributeValue ?? '';
    const i = served.get(name) ?? 0;
    served.set(name, i + 1);
    const page = pages[name]?.[i] ?? { Events: [] };
    if (page instanceof Error) throw page;
    return page;
  });
  return inputs;
}

const trailClients = (clock = fakeClock()): ReplayClients => ({ cloudtrail: new CloudTrailClient({ region: 'us-west-2' }), clock });

describe('klaxon replay cloudtrail', () => {
  beforeEach(resetMocks);

  it('looks up each security-group event name, paced, and alerts on each opening once, oldest first, dropping duplicates', async () => {
    const clock = fakeClock();
    const inputs = serveTrail({
      // Newest first, as LookupEvents returns them; e2 comes again on the next page.
      AuthorizeSecurityGroupIngress: [
        { Events: [opened('e3', '2026-11-02T09:00:00Z', 'sg-0333'), opened('e2', '2026-11-02T08:00:00Z', 'sg-0222')], NextToken: 'more' },
        { Events: [opened('e2', '2026-11-02T08:00:00Z', 'sg-0222'), opened('e1', '2026-11-02T07:00:00Z', 'sg-0111')] },
      ],
      CreateSecurityGroup: [{ Events: [lookupResult({ ...jsonFixture('cloudtrail', 'create-security-group').json, eventTime: '2026-11-02T06:00:00Z' })] }],
    });
    const result = await runReplay(['cloudtrail', '--since', '24h'], trailClients(clock));
    expect(result.code).toBe(0);

    const names = inputs.map((i) => i.LookupAttributes?.[0]?.AttributeValue);
    expect(names.filter((n) => n !== 'AuthorizeSecurityGroupIngress')).toEqual([...SECURITY_GROUP_EVENTS].filter((n) => n !== 'AuthorizeSecurityGroupIngress'));
    expect(names.filter((n) => n === 'AuthorizeSecurityGroupIngress')).toHaveLength(2);
    expect(inputs.every((i) => i.LookupAttributes?.length === 1)).toBe(true);
    expect(inputs[0]).toMatchObject({ StartTime: new Date(NOW - 24 * HOUR), EndTime: new Date(NOW) });
    expect(inputs.length).toBe(SECURITY_GROUP_EVENTS.size + 1);
    // Ten calls, 500 ms apart: never more than two a second.
    expect(clock.sleeps).toEqual(Array(inputs.length - 1).fill(500));

    const alerts = jsonLines(result.stdout).filter((a) => a.rule === 'sg-open-to-world');
    expect(alerts.map((a) => (a.fields as Record<string, unknown>)['aws.security_group.id'])).toEqual(['sg-0111', 'sg-0222', 'sg-0333']);
    expect(result.stderr).toContain(`${SECURITY_GROUP_EVENTS.size} event names looked up in ${inputs.length} pages of LookupEvents, 4 CloudTrail events read (1 duplicate dropped), 4 events`);
  });

  it('retries a throttled LookupEvents with backoff and reads on', async () => {
    const clock = fakeClock();
    const throttled = new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    const inputs = serveTrail({ AuthorizeSecurityGroupIngress: [throttled, { Events: [opened('e1', '2026-11-02T07:00:00Z')] }] });
    const result = await runReplay(['cloudtrail', '--since', '24h'], trailClients(clock));
    expect(result.code).toBe(0);
    expect(inputs.length).toBe(SECURITY_GROUP_EVENTS.size + 1);
    expect(clock.sleeps[0]).toBe(1000);
    expect(result.stderr).toContain('LookupEvents was throttled; retry 1 in 1 s');
    expect(jsonLines(result.stdout).map((a) => a.rule)).toContain('sg-open-to-world');
  });

  it('exits 1 when AWS keeps throttling, and names the permission when access is denied', async () => {
    serveTrail({ AuthorizeSecurityGroupIngress: Array(6).fill(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } })) });
    const throttled = await runReplay(['cloudtrail', '--since', '1h'], trailClients());
    expect(throttled.code).toBe(1);
    expect(throttled.stderr).toContain('AWS kept throttling cloudtrail:LookupEvents after retries');

    trail.reset();
    const error = Object.assign(new Error('User is not authorized to perform: cloudtrail:LookupEvents'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    serveTrail({ AuthorizeSecurityGroupIngress: [error] });
    const denied = await runReplay(['cloudtrail', '--since', '1h'], trailClients());
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('access denied: the AWS identity needs permission for cloudtrail:LookupEvents in region us-west-2');
  });

  it('warns that the event history keeps 90 days when --since reaches further back', async () => {
    serveTrail({});
    const result = await runReplay(['cloudtrail', '--since', '100d', '--until', '80d'], trailClients());
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("CloudTrail's event history keeps 90 days");
  });

  it('counts a result whose record is not CloudTrail JSON, keeping the rest', async () => {
    serveTrail({ AuthorizeSecurityGroupIngress: [{ Events: [{ EventId: 'bad-1', EventName: 'AuthorizeSecurityGroupIngress', CloudTrailEvent: '{"eventVersion":' }, opened('e1', '2026-11-02T07:00:00Z')] }] });
    const result = await runReplay(['cloudtrail', '--since', '1d'], trailClients());
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('2 CloudTrail events read, 1 event, 0 skipped (not security-relevant), 1 could not be parsed');
    expect(result.stderr).toMatch(/^ {2}cloudtrail:AuthorizeSecurityGroupIngress:1 event bad-1: not JSON/m);
    expect(jsonLines(result.stdout).map((a) => a.rule)).toContain('sg-open-to-world');
  });
});

// ---- usage -------------------------------------------------------------------------

describe('klaxon replay usage', () => {
  beforeEach(resetMocks);

  it.each([
    [['replay'], 'say what to replay: logs or cloudtrail'],
    [['replay', 's3'], 'unknown replay source "s3": expected logs or cloudtrail'],
    [['replay', 'logs', '--log-group', 'g'], '--since is required'],
    [['replay', 'logs', '--since', '1h'], '--log-group is required'],
    [['replay', 'cloudtrail', '--since', '1h', '--until', 'yesterday'], '--until must be a duration back from now (30m, 1h, 7d, 1d12h) or an ISO 8601 time'],
    [['replay', 'cloudtrail', '--since', '2026-11-02T10:00'], '(add the zone: Z or +01:00)'],
    [['replay', 'cloudtrail', '--since', '2026-02-30'], '--since must be'],
    [['replay', 'cloudtrail', '--since', '1h', '--until', '2h'], '--since (2026-11-02T11:00:00.000Z) must be before --until (2026-11-02T10:00:00.000Z)'],
    [['replay', 'cloudtrail', '--since', '2026-11-03T00:00:00Z'], 'must be before --until'],
    [['replay', 'cloudtrail', '--since', '30000d'], '--since 30000d reaches back before 1970'],
    [['replay', 'cloudtrail', '--since', '1h', '--log-group', 'g'], '--log-group is for replay logs'],
    [['replay', 'cloudtrail', '--since', '1h', '--source', 'waf'], '--source waf does not apply'],
    [['replay', 'cloudtrail', '--since', '1h', '--deliver', '--format', 'pretty'], '--format is for printed alerts'],
    [['replay', 'cloudtrail', '--since', '1h', '--format', 'yaml'], '--format must be json or pretty'],
    [['replay', 'cloudtrail', '--since', '1h', '--region', 'Ireland'], '--region must be an AWS region'],
    [['replay', 'logs', '--log-group', 'g', '--since', '1h', '--verbose'], "Unknown option '--verbose'"],
  ])('%j exits 2', async (argv, message) => {
    const result = await runCli(argv, { now: NOW });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: klaxon replay logs --log-group NAME|ARN');
    expect(logs.calls()).toHaveLength(0);
    expect(trail.calls()).toHaveLength(0);
  });

  it('accepts ISO 8601 dates and times with a zone', async () => {
    const inputs = serveLogPages([{ events: [] }]);
    const result = await replayLogs(['--log-group', '/prod/auth', '--since', '2026-11-01', '--until', '2026-11-02T01:30:00+01:00']);
    expect(result.code).toBe(0);
    expect(inputs[0]).toMatchObject({ startTime: Date.parse('2026-11-01T00:00:00Z'), endTime: Date.parse('2026-11-02T00:30:00Z') });
  });

  it('is listed in klaxon help', async () => {
    const result = await runCli(['help']);
    expect(result.stdout).toMatch(/^ {2}replay +run the rules over past CloudWatch Logs or CloudTrail events \(try a rule on last week's logs\)$/m);
  });
});

// ---- standard AWS configuration, against a stand-in endpoint ------------------------

/** A stand-in for AWS's JSON 1.1 APIs on 127.0.0.1: answers by X-Amz-Target and records each request. */
async function startAwsStandIn(answer: (target: string, body: Record<string, unknown>) => Record<string, unknown>) {
  const requests: Array<{ target: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      requests.push({ target, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer(target, body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('standard AWS settings', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    logs.restore();
    trail.restore();
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  function awsEnv(extra: Record<string, string>): void {
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ENDPOINT_URL;
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'ap-southeast-2',
      AWS_CONFIG_FILE: join(tempDir(), 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(tempDir(), 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...extra,
    });
  }

  it('honours AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_REGION with the real client', async () => {
    const aws = await startAwsStandIn((target, body) => {
      if (target !== 'Logs_20140328.FilterLogEvents') return {};
      return body.nextToken === undefined ? { events: [BRUTE_FORCE_PAGES[0]!.events[0]], nextToken: 'n2', searchedLogStreams: [] } : { events: BRUTE_FORCE_PAGES[1]!.events, searchedLogStreams: [] };
    });
    try {
      awsEnv({ AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: aws.url });
      const result = await runCli(['replay', 'logs', '--log-group', '/prod/bastion/auth', '--since', '1d'], { now: NOW });
      expect(result.stderr).toContain('in ap-southeast-2');
      expect(result.code).toBe(0);
      expect(aws.requests.map((r) => [r.target, r.body.logGroupName, r.body.startTime, r.body.endTime, r.body.nextToken])).toEqual([
        ['Logs_20140328.FilterLogEvents', '/prod/bastion/auth', NOW - 24 * HOUR, NOW, undefined],
        ['Logs_20140328.FilterLogEvents', '/prod/bastion/auth', NOW - 24 * HOUR, NOW, 'n2'],
      ]);
      expect(aws.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=x\/\d{8}\/ap-southeast-2\/logs\/aws4_request/);
      expect(result.stderr).toContain('4 log events read');
    } finally {
      await aws.close();
    }
  });

  it('honours AWS_ENDPOINT_URL_CLOUDTRAIL and --region with the real client', async () => {
    const record = opened('e1', '2026-11-02T07:00:00Z');
    const aws = await startAwsStandIn((target, body) => {
      const name = (body.LookupAttributes as Array<{ AttributeValue: string }>)[0]?.AttributeValue;
      // JSON 1.1 sends timestamps as epoch seconds.
      return name === 'AuthorizeSecurityGroupIngress' ? { Events: [{ ...record, EventTime: record.EventTime.getTime() / 1000 }] } : { Events: [] };
    });
    try {
      awsEnv({ AWS_ENDPOINT_URL_CLOUDTRAIL: aws.url });
      const result = await runReplay(['cloudtrail', '--since', '1d', '--region', 'eu-central-1'], { clock: fakeClock() }, {});
      expect(result.code).toBe(0);
      expect(aws.requests).toHaveLength(SECURITY_GROUP_EVENTS.size);
      expect(aws.requests.every((r) => r.target === 'CloudTrail_20131101.LookupEvents')).toBe(true);
      expect(aws.requests[0]?.body).toMatchObject({ StartTime: (NOW - 24 * HOUR) / 1000, EndTime: NOW / 1000 });
      expect(aws.requests[0]?.headers.authorization).toMatch(/\/eu-central-1\/cloudtrail\/aws4_request/);
      expect(jsonLines(result.stdout).map((a) => a.rule)).toContain('sg-open-to-world');
    } finally {
      await aws.close();
    }
  });

  it('says how to set a region when none is configured', async () => {
    awsEnv({});
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    const result = await runCli(['replay', 'cloudtrail', '--since', '1h'], { now: NOW });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no AWS region: set AWS_REGION (or pass --region, or give your AWS_PROFILE a region)');
  });

  it('says how to set credentials when there are none', async () => {
    awsEnv({ AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://127.0.0.1:9' });
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const result = await runReplay(['cloudtrail', '--since', '1h'], { clock: fakeClock() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no AWS credentials found: set AWS_PROFILE');
  });
});
