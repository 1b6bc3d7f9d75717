import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudTrailRecords, sshLines, wafRecords } from '../../bench/generate';
import { REPO, runCli, tempDir } from './helpers';

/**
 * Issue 15: a scan builds only the events some rule can match (the lines of other message
 * families are counted, not built). Its alerts must be the same, byte for byte and in the same
 * order, as when every line is built (KLAXON_SCAN_PREFILTER=off), in every output format.
 */
const RULES = join(REPO, 'rules');
const NOW = Date.UTC(2024, 11, 1);
const AUTH_FIXTURES = join(REPO, 'test', 'fixtures', 'auth');

/** A generated log long enough for the engine's periodic sweep (every 50,000 events) to run, whose time then jumps back, as a second, older file would. */
function generatedLog(): string {
  const file = join(tempDir(), 'auth.log');
  const later = sshLines(60_000, Date.UTC(2024, 10, 2, 0, 0, 0), 1);
  const earlier = sshLines(15_000, Date.UTC(2024, 10, 1, 20, 0, 0), 7);
  writeFileSync(file, `${[...later, ...earlier].join('\n')}\n`);
  return file;
}

async function bothWays(args: string[], rules = RULES): Promise<{ on: string; off: string; onErr: string; offErr: string }> {
  const on = await runCli(['scan', '--rules', rules, '--year', '2024', ...args], { now: NOW, env: {} });
  const off = await runCli(['scan', '--rules', rules, '--year', '2024', ...args], { now: NOW, env: { KLAXON_SCAN_PREFILTER: 'off' } });
  expect(on.code).toBe(0);
  expect(off.code).toBe(0);
  return { on: on.stdout, off: off.stdout, onErr: on.stderr, offErr: off.stderr };
}

describe('scan with and without the prefilter', () => {
  it('gives the same alerts in the same order over a generated log (sweeps and a jump back in time included)', async () => {
    const file = generatedLog();
    const { on, off, onErr, offErr } = await bothWays([file]);
    expect(on.split('\n').length).toBeGreaterThan(1000);
    expect(on).toBe(off);
    // The lines left unbuilt still count as events.
    expect(onErr).toBe(offErr);
    expect(onErr).toContain('75,000 events');
  }, 120_000);

  it('keeps the engine sweeping at the same events, so alerts a sweep hands over keep their place', async () => {
    const dir = tempDir();
    const rule = (id: string, match: string, realert: string): string =>
      `id: ${id}\ntitle: "${id} {{source.address}}"\nsource: ssh\nseverity: low\nmatch:\n  system.auth.ssh.event: ${match}\ngroup_by: [source.address]\nrealert: ${realert}\n`;
    writeFileSync(join(dir, 'failed.yml'), rule('failed', 'Failed', '1m'));
    writeFileSync(join(dir, 'accepted.yml'), rule('accepted', 'Accepted', '0'));
    const line = (time: string, message: string): string => `Nov  2 ${time} bastion sshd[1]: ${message}\n`;
    // The first alert is past its realert window once the second opens; only the sweep after 50,000 events hands it over before the login's alert.
    const closed = line('10:30:00', 'Connection closed by 198.51.100.9 port 4000 [preauth]').repeat(49_998);
    const log =
      line('10:00:00', 'Failed password for root from 203.0.113.1 port 4000 ssh2') +
      line('10:30:00', 'Failed password for root from 203.0.113.2 port 4000 ssh2') +
      closed +
      line('10:30:01', 'Accepted publickey for deploy from 192.0.2.7 port 4000 ssh2');
    const file = join(dir, 'auth.log');
    writeFileSync(file, log);
    const { on, off } = await bothWays([file], dir);
    const order = (out: string): string[] => out.trim().split('\n').map((l) => (JSON.parse(l) as { title: string }).title);
    expect(order(off)).toEqual(['failed 203.0.113.1', 'accepted 192.0.2.7', 'failed 203.0.113.2']);
    expect(on).toBe(off);
  }, 60_000);

  it.each(['json', 'pretty', 'blocks'])('gives the same %s output over the auth fixtures and the samples', async (format) => {
    const files = [...readdirSync(AUTH_FIXTURES).filter((f) => f.endsWith('.log')).map((f) => join(AUTH_FIXTURES, f)), join(REPO, 'test', 'fixtures', 'ssh', 'auth.log'), join(REPO, 'samples', 'auth.log')];
    const { on, off } = await bothWays(['--format', format, ...files]);
    expect(on).not.toBe('');
    expect(on).toBe(off);
  });

  it('gives the same alerts over generated WAF and CloudTrail records, with sweeps and a jump back in time (their records are filtered too)', async () => {
    const dir = tempDir();
    const waf = join(dir, 'waf.log');
    writeFileSync(waf, `${[...wafRecords(52_000, Date.UTC(2024, 10, 2, 0, 0, 0), 1), ...wafRecords(3_000, Date.UTC(2024, 10, 1, 22, 0, 0), 5)].join('\n')}\n`);
    const trail = join(dir, 'cloudtrail.jsonl');
    writeFileSync(trail, `${[...cloudTrailRecords(51_000, Date.UTC(2024, 10, 2, 0, 0, 0), 1), ...cloudTrailRecords(3_000, Date.UTC(2024, 10, 1, 22, 0, 0), 5)].join('\n')}\n`);
    const { on, off, onErr, offErr } = await bothWays([waf, trail]);
    expect(on.split('\n').length).toBeGreaterThan(1000);
    expect(on).toBe(off);
    expect(onErr).toBe(offErr);
    expect(onErr).toContain('109,000 events');
  }, 180_000);

  it('keeps the engine sweeping at the same events over WAF records left unbuilt', async () => {
    const dir = tempDir();
    const rule = (id: string, action: string, realert: string): string =>
      `id: ${id}\ntitle: "${id} {{source.address}}"\nsource: waf\nseverity: low\nmatch:\n  event.action: ${action}\ngroup_by: [source.address]\nrealert: ${realert}\n`;
    writeFileSync(join(dir, 'blocked.yml'), rule('blocked', 'BLOCK', '1m'));
    writeFileSync(join(dir, 'counted.yml'), rule('counted', 'COUNT', '0'));
    const record = (time: string, action: string, ip: string): string =>
      `${JSON.stringify({ timestamp: Date.parse(`2024-11-02T${time}Z`), webaclId: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/1', action, httpRequest: { clientIp: ip } })}\n`;
    // As for auth-log lines: only the sweep after 50,000 events, the allowed requests counted, hands the first alert over before the count's.
    const log = record('10:00:00', 'BLOCK', '203.0.113.1') + record('10:30:00', 'BLOCK', '203.0.113.2') + record('10:30:00', 'ALLOW', '198.51.100.9').repeat(49_998) + record('10:30:01', 'COUNT', '192.0.2.7');
    const file = join(dir, 'waf.log');
    writeFileSync(file, log);
    const { on, off } = await bothWays([file], dir);
    const order = (out: string): string[] => out.trim().split('\n').map((l) => (JSON.parse(l) as { title: string }).title);
    expect(order(off)).toEqual(['blocked 203.0.113.1', 'counted 192.0.2.7', 'blocked 203.0.113.2']);
    expect(on).toBe(off);
  }, 60_000);

  it.each(['json', 'pretty', 'blocks'])('gives the same %s output over the WAF and CloudTrail fixtures and samples', async (format) => {
    const fixtures = (kind: string): string[] => readdirSync(join(REPO, 'test', 'fixtures', kind)).filter((f) => f.endsWith('.json')).map((f) => join(REPO, 'test', 'fixtures', kind, f));
    for (const files of [fixtures('waf'), fixtures('cloudtrail'), [join(REPO, 'samples', 'waf.log.gz'), join(REPO, 'samples', 'cloudtrail.json')]]) {
      const { on, off, onErr, offErr } = await bothWays(['--format', format, ...files]);
      expect(on).not.toBe('');
      expect(on).toBe(off);
      expect(onErr).toBe(offErr);
    }
  }, 60_000);

  it('--events still prints every event in full', async () => {
    const file = join(tempDir(), 'auth.log');
    writeFileSync(file, 'Nov  2 10:00:00 bastion sshd[1]: Connection closed by 203.0.113.9 port 4000 [preauth]\nNov  2 10:00:01 bastion CRON[2]: pam_unix(cron:session): session closed for user root\n');
    const { on } = await bothWays(['--events', file]);
    const events = on.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e['system.auth.ssh.event'] ?? e['event.action'])).toEqual(['ConnectionClosed', 'session-closed']);
  });
});
