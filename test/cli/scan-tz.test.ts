/**
 * Issue 11, part 4: `klaxon scan --tz ZONE` and KLAXON_SYSLOG_TZ read RFC3164 lines (which
 * carry no zone) in the zone the user names; UTC stays the default.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAwsLogsEvent } from '../../src/sources/awslogs';
import { jsonLines, REPO, runCli, tempDir } from './helpers';

const RULES = join(REPO, 'rules');
const NOW = Date.UTC(2024, 11, 1);
const WINTER = 'Nov  2 10:00:00 bastion sshd[100]: Failed password for root from 203.0.113.9 port 40000 ssh2\n';
const SUMMER = 'Jul 15 10:00:00 bastion sshd[101]: Failed password for root from 203.0.113.9 port 40001 ssh2\n';

async function timestamps(args: string[], env: NodeJS.ProcessEnv = {}): Promise<unknown[]> {
  const file = join(tempDir(), 'auth.log');
  writeFileSync(file, WINTER + SUMMER);
  const result = await runCli(['scan', '--events', '--rules', RULES, ...args, file], { now: NOW, env });
  expect(result.code).toBe(0);
  return jsonLines(result.stdout).map((e) => e['@timestamp']);
}

describe('klaxon scan --tz', () => {
  it('reads RFC3164 lines as UTC by default', async () => {
    expect(await timestamps([])).toEqual(['2024-11-02T10:00:00.000Z', '2024-07-15T10:00:00.000Z']);
  });

  it('reads them in the zone --tz names, winter and summer', async () => {
    expect(await timestamps(['--tz', 'Europe/Berlin'])).toEqual(['2024-11-02T09:00:00.000Z', '2024-07-15T08:00:00.000Z']);
    expect(await timestamps(['--tz', 'America/New_York'])).toEqual(['2024-11-02T14:00:00.000Z', '2024-07-15T14:00:00.000Z']);
    expect(await timestamps(['--tz', 'UTC'])).toEqual(['2024-11-02T10:00:00.000Z', '2024-07-15T10:00:00.000Z']);
  });

  it('takes KLAXON_SYSLOG_TZ when --tz is not given; --tz wins over it', async () => {
    expect(await timestamps([], { KLAXON_SYSLOG_TZ: 'Europe/Berlin' })).toEqual(['2024-11-02T09:00:00.000Z', '2024-07-15T08:00:00.000Z']);
    expect(await timestamps(['--tz', 'UTC'], { KLAXON_SYSLOG_TZ: 'Europe/Berlin' })).toEqual(['2024-11-02T10:00:00.000Z', '2024-07-15T10:00:00.000Z']);
  });

  it('rejects a zone that is not an IANA name with exit 2, saying why', async () => {
    const bad = await runCli(['scan', '--tz', 'CEST', 'x.log']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tz: "CEST" is not an IANA time zone name (such as UTC, Europe/Berlin or America/New_York)');
    expect(bad.stderr).toMatch(/Usage/);
    const env = await runCli(['scan', 'x.log'], { env: { KLAXON_SYSLOG_TZ: 'Europe/Atlantis' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('KLAXON_SYSLOG_TZ: "Europe/Atlantis" is not an IANA time zone name');
  });

  it('reads a CloudWatch Logs delivery in the zone of its log group (KLAXON_LOG_GROUP_TIMEZONES), and warns about nothing', async () => {
    const file = join(tempDir(), 'delivery.json');
    const logEvents = [{ id: '1', timestamp: Date.UTC(2024, 10, 2, 15), message: WINTER.trimEnd() }];
    writeFileSync(file, JSON.stringify(encodeAwsLogsEvent({ messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/ny/auth.log', logStream: 's', subscriptionFilters: [], logEvents })));
    const plain = await runCli(['scan', '--events', '--rules', RULES, file], { now: NOW });
    expect(jsonLines(plain.stdout).map((e) => e['@timestamp'])).toEqual(['2024-11-02T10:00:00.000Z']);
    expect(plain.stderr).not.toMatch(/time zone|timezone/i);
    const zoned = await runCli(['scan', '--events', '--rules', RULES, file], { now: NOW, env: { KLAXON_LOG_GROUP_TIMEZONES: '/ny/*=America/New_York' } });
    expect(jsonLines(zoned.stdout).map((e) => e['@timestamp'])).toEqual(['2024-11-02T14:00:00.000Z']);
  });
});
