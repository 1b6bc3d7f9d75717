import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli, tempDir } from './helpers';

const RULES = join(REPO, 'rules');
const NOW = Date.UTC(2024, 11, 1);

const LINES = [
  'Nov  2 10:00:00 h sshd[1]: Accepted password for root from 192.0.2.1 port 22 ssh2',
  'Nov  2 10:00:01 h sshd[1]: Accepted publickey for alice from 192.0.2.2 port 22 ssh2',
  'Nov  2 10:00:02 h sshd[1]: Accepted publickey for bob from 192.0.2.3 port 22 ssh2',
  'Nov  2 10:00:03 h sshd[1]: Accepted publickey for alice from 192.0.2.4 port 22 ssh2',
  'Nov  2 10:00:04 h sshd[1]: Failed password for root from 192.0.2.5 port 22 ssh2',
  'Nov  2 10:00:05 h CRON[7]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
  'Nov  2 10:00:06 h CRON[8]: pam_unix(cron:session): session closed for user root',
  'Nov  2 10:00:07 h sshd[1]: Accepted password for ev\u001b[2Jil from 192.0.2.6 port 22 ssh2',
  'not a syslog line',
];

function logFile(lines: readonly string[] = LINES): string {
  const file = join(tempDir(), 'auth.log');
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

describe('klaxon scan --explain RULE', () => {
  it('counts matches, tallies the first failed condition with examples, and the lines that gave no event', async () => {
    const { code, stdout } = await runCli(['scan', '--rules', RULES, '--explain', 'ssh-root-login', logFile()], { now: NOW });
    expect(code).toBe(0);
    // Every line whose header reads is an event (the CRON session lines too); only the last line is none.
    expect(stdout).toContain('ssh-root-login: 8 events read, 1 matched, 7 did not');
    expect(stdout).toMatch(/^ {2}4 +match\.user\.name +e\.g\. "alice", "bob"$/m);
    expect(stdout).toMatch(/^ {2}2 +match\.event\.action +e\.g\. "session-opened", "session-closed"$/m);
    expect(stdout).toMatch(/^ {2}1 +match\.event\.outcome +e\.g\. "failure"$/m);
    expect(stdout).toContain('1 line yielded no event:');
    expect(stdout).toMatch(/^ {2}1 +could not be parsed: not a syslog line/m);
  });

  it('prints no alerts, and escapes event values for the terminal', async () => {
    const { stdout } = await runCli(['scan', '--rules', RULES, '--explain', 'ssh-root-login', logFile(LINES.slice(7, 8))], { now: NOW });
    expect(stdout).not.toContain('"fingerprint"');
    expect(stdout).toContain('e.g. "ev\\u001b[2Jil"');
    expect(stdout).not.toContain('\u001b');
  });

  it('counts events of sources the rule does not read apart', async () => {
    const file = join(REPO, 'samples', 'waf.log.gz');
    const { stdout } = await runCli(['scan', '--rules', RULES, '--explain', 'ssh-root-login', file], { now: NOW });
    expect(stdout).toContain('ssh-root-login: 0 events read, 0 matched, 0 did not');
    expect(stdout).toMatch(/^\d+ events? from sources the rule does not read \(waf\)$/m);
    expect(stdout).not.toContain('yielded no event');
  });

  it('refuses an unknown rule with a hint, and --events with --explain', async () => {
    const unknown = await runCli(['scan', '--rules', RULES, '--explain', 'ssh-root-logn', logFile()], { now: NOW });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown rule "ssh-root-logn" (did you mean "ssh-root-login"?)');
    const both = await runCli(['scan', '--rules', RULES, '--explain', 'ssh-root-login', '--events', logFile()], { now: NOW });
    expect(both.code).toBe(2);
  });
});
