import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeAwsLogsEvent } from '../../src/sources/awslogs';
import { MAX_LINE_BYTES } from '../../src/input/lines';
import { jsonLines, REPO, runBin, runCli, tempDir } from './helpers';

const RULES = join(REPO, 'rules');
const NOW = Date.UTC(2024, 11, 1);

function bruteForce(ip: string, n: number, startSecond = 0): string {
  return Array.from({ length: n }, (_, i) => `Nov  2 10:00:${String(startSecond + i).padStart(2, '0')} bastion sshd[${100 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2\n`).join('');
}

describe('klaxon scan', () => {
  it('prints one JSON alert per line with the contract fields', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    writeFileSync(file, bruteForce('203.0.113.9', 6));
    const { code, stdout, stderr } = await runCli(['scan', '--rules', RULES, file], { now: NOW });
    expect(code).toBe(0);
    const alerts = jsonLines(stdout);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: 'ssh-brute-force',
      severity: 'high',
      title: 'SSH brute force from 203.0.113.9',
      count: 6,
      first_seen: '2024-11-02T10:00:00.000Z',
      last_seen: '2024-11-02T10:00:05.000Z',
      fields: { 'source.address': '203.0.113.9' },
    });
    expect(alerts[0]?.fingerprint).toMatch(/^ssh-brute-force:/);
    expect(stderr).toContain('6 events');
  });

  it('--events prints every normalized event with flat ECS keys, the original line, the file and byte offset', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    const lines = bruteForce('203.0.113.9', 2);
    writeFileSync(file, lines);
    const { code, stdout } = await runCli(['scan', '--events', '--rules', RULES, file], { now: NOW });
    expect(code).toBe(0);
    const events = jsonLines(stdout);
    expect(events).toHaveLength(2);
    const second = lines.split('\n')[1] as string;
    expect(events[1]).toMatchObject({
      'event.action': 'ssh_login',
      'event.outcome': 'failure',
      'source.ip': '203.0.113.9',
      'event.original': second,
      'log.file.path': file,
      'log.offset': Buffer.byteLength(lines.split('\n')[0] as string) + 1,
    });
  });

  it('reads gzip transparently, whatever the file is called, and stdin as -', async () => {
    const dir = tempDir();
    const gz = join(dir, 'auth.log.1');
    writeFileSync(gz, gzipSync(bruteForce('203.0.113.9', 5)));
    const fromGzip = await runCli(['scan', '--rules', RULES, gz], { now: NOW });
    expect(jsonLines(fromGzip.stdout)).toHaveLength(1);
    const fromStdin = await runCli(['scan', '--rules', RULES, '-'], { stdin: bruteForce('198.51.100.1', 5), now: NOW });
    expect(jsonLines(fromStdin.stdout)).toMatchObject([{ fields: { 'source.address': '198.51.100.1' } }]);
  });

  it('counts a threshold across files, as one stream of events', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.log'), bruteForce('203.0.113.9', 3));
    writeFileSync(join(dir, 'b.log'), bruteForce('203.0.113.9', 2, 10));
    const { stdout } = await runCli(['scan', '--rules', RULES, join(dir, 'a.log'), join(dir, 'b.log')], { now: NOW });
    expect(jsonLines(stdout)).toMatchObject([{ rule: 'ssh-brute-force', count: 5 }]);
  });

  it('reads CloudWatch Logs subscription events (the Lambda input) and routes by log group', async () => {
    const dir = tempDir();
    const file = join(dir, 'event.json');
    const payload = {
      messageType: 'DATA_MESSAGE' as const,
      owner: '123456789012',
      logGroup: '/var/log/auth.log',
      logStream: 'i-0abc',
      subscriptionFilters: ['klaxon'],
      logEvents: bruteForce('203.0.113.9', 5)
        .trim()
        .split('\n')
        .map((message, i) => ({ id: String(i), timestamp: Date.UTC(2024, 10, 2, 10, 0, i), message })),
    };
    writeFileSync(file, JSON.stringify(encodeAwsLogsEvent(payload)));
    const events = jsonLines((await runCli(['scan', '--events', '--rules', RULES, file], { now: NOW })).stdout);
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({ 'aws.cloudwatch.log_group': '/var/log/auth.log', 'aws.cloudwatch.log_stream': 'i-0abc', 'cloud.account.id': '123456789012', 'event.id': '0' });
    const alerts = jsonLines((await runCli(['scan', '--rules', RULES, file], { now: NOW })).stdout);
    expect(alerts).toMatchObject([{ rule: 'ssh-brute-force', count: 5 }]);
  });

  it('reports lines it could not parse with file and line on stderr, exits 0, and keeps the good lines', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.log');
    writeFileSync(file, `${bruteForce('203.0.113.9', 3)}this is not syslog\n${bruteForce('203.0.113.9', 2, 10)}`);
    const { code, stdout, stderr } = await runCli(['scan', '--rules', RULES, file], { now: NOW });
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toMatchObject([{ count: 5 }]);
    expect(stderr).toContain(`${file}:4`);
    expect(stderr).toContain('1 could not be parsed');
  });

  it('exits non-zero for an unreadable file but still scans the others', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ok.log'), bruteForce('203.0.113.9', 5));
    const { code, stdout, stderr } = await runCli(['scan', '--rules', RULES, join(dir, 'missing.log'), join(dir, 'ok.log')], { now: NOW });
    expect(code).toBe(1);
    expect(stderr).toContain('missing.log: no such file');
    expect(jsonLines(stdout)).toHaveLength(1);
  });

  it('rejects bad usage with exit 2 and the usage line', async () => {
    for (const argv of [['scan', '--source', 'syslog', 'x'], ['scan', '--format', 'xml', 'x'], ['scan', '--year', '24', 'x'], ['scan', '--bogus'], ['frobnicate']]) {
      const { code, stderr } = await runCli(argv);
      expect(code).toBe(2);
      expect(stderr).toMatch(/Usage/);
    }
  });

  it('--format pretty is one compact block per alert, with a Block Kit Builder link to the exact message; --evidence full prints the whole message', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    writeFileSync(file, bruteForce('203.0.113.9', 5));
    const { stdout } = await runCli(['scan', '--format', 'pretty', '--rules', RULES, file], { now: NOW });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('━━ HIGH SSH brute force from 203.0.113.9');
    expect(lines).toContain('   User: root · Source: 203.0.113.9 port 40000 · Host: bastion · Method: password · Result: Failed · Process: sshd[100]');
    expect(lines).toContain('   evidence: Nov  2 10:00:00 bastion sshd[100]: Failed password for root from 203.0.113.9 port 40000 ssh2');
    const preview = lines.find((l) => l.startsWith('   preview: '))?.slice('   preview: '.length) ?? '';
    const url = new URL(preview);
    expect(url.origin + url.pathname).toBe('https://app.slack.com/block-kit-builder');
    const blocks = (JSON.parse(decodeURIComponent(url.hash.slice(1))) as { blocks: Array<{ type: string }> }).blocks;
    const [payload] = jsonLines((await runCli(['scan', '--format', 'blocks', '--rules', RULES, file], { now: NOW })).stdout);
    expect(blocks).toEqual(payload?.blocks);
    expect(lines.length).toBeLessThanOrEqual(7);

    const full = await runCli(['scan', '--format', 'pretty', '--evidence', 'full', '--rules', RULES, file], { now: NOW });
    expect(full.stdout).toContain('Slack message:');
    expect(full.stdout).toContain('[Acknowledge] [Silence ▾');
  });

  it('--format blocks prints exactly what chat.postMessage would receive, per alert', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    writeFileSync(file, bruteForce('203.0.113.9', 5));
    const { code, stdout } = await runCli(['scan', '--format', 'blocks', '--rules', RULES, file], { now: NOW, env: { SLACK_CHANNEL: 'C0ALERTS' } });
    expect(code).toBe(0);
    const [payload] = jsonLines(stdout);
    expect(payload).toMatchObject({
      channel: 'C0ALERTS',
      text: 'HIGH: SSH brute force from 203.0.113.9 (ssh-brute-force)',
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: 'klaxon_alert', event_payload: { fingerprint: expect.stringMatching(/^ssh-brute-force:/), sequence: 1 } },
    });
    expect((payload?.blocks as Array<{ type: string }>).map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'section', 'actions']);
    expect((await runCli(['scan', '--format', 'blocks', '--events', file])).code).toBe(2);
    expect((await runCli(['scan', '--evidence', 'most', file])).stderr).toContain('--evidence must be short or full, not "most"');
  });

  it('--year sets the year of syslog lines that carry none', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    writeFileSync(file, bruteForce('203.0.113.9', 1));
    const events = jsonLines((await runCli(['scan', '--events', '--year', '2019', '--rules', RULES, file], { now: NOW })).stdout);
    expect(events[0]?.['@timestamp']).toBe('2019-11-02T10:00:00.000Z');
  });

  it('with no FILE scans the bundled samples, through the real bin shim', async () => {
    const { code, stdout, stderr } = await runBin(['scan']);
    expect(code).toBe(0);
    expect(stderr).toContain('bundled samples');
    const rules = new Set(jsonLines(stdout).map((a) => a.rule));
    for (const id of ['ssh-brute-force', 'ssh-root-login', 'ssh-login', 'waf-block', 'waf-block-spike', 'sg-open-to-world', 'sg-change']) expect(rules).toContain(id);
  });
});

describe('klaxon scan, review regressions', () => {
  it('groups SSH failures from host names apart (they have no source.ip)', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    writeFileSync(file, Array.from({ length: 5 }, (_, i) => `Nov  2 10:00:0${i} bastion sshd[1${i}]: Failed password for root from host${i}.example.net port 22 ssh2\n`).join(''));
    const { stdout } = await runCli(['scan', '--rules', RULES, file], { now: NOW });
    expect(jsonLines(stdout)).toEqual([]);
  });

  it('skips a UTF-8 byte-order mark and lets --source waf force JSON reading', async () => {
    const dir = tempDir();
    const file = join(dir, 'bom.log');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bruteForce('203.0.113.9', 5))]));
    const { stdout, stderr } = await runCli(['scan', '--rules', RULES, file], { now: NOW });
    expect(jsonLines(stdout)).toMatchObject([{ rule: 'ssh-brute-force', count: 5 }]);
    expect(stderr).toContain('0 could not be parsed');
  });

  it('reports a line longer than the cap as one error and goes on', async () => {
    const dir = tempDir();
    const file = join(dir, 'long.log');
    writeFileSync(file, `${'x'.repeat(MAX_LINE_BYTES + 10)}\n${bruteForce('203.0.113.9', 5)}`);
    const { stdout, stderr } = await runCli(['scan', '--rules', RULES, file], { now: NOW });
    expect(jsonLines(stdout)).toMatchObject([{ count: 5 }]);
    expect(stderr).toContain(`${file}:1: line longer than`);
  });

  it('keeps terminal control sequences from log text out of --format pretty', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    writeFileSync(file, 'Nov  2 10:00:00 bastion sshd[1]: Accepted password for root\x1b[2J\x1b]0;pwned\x07 from 203.0.113.9 port 22 ssh2\n');
    const { stdout } = await runCli(['scan', '--format', 'pretty', '--rules', RULES, file], { now: NOW });
    expect(stdout).toContain('SSH login: root');
    // eslint-disable-next-line no-control-regex -- the control characters are what this test looks for
    expect(stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
});
