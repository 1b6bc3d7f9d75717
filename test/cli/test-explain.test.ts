import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers';

const ACCEPTED = 'Nov  2 10:00:00 h sshd[1]: Accepted password for root from 192.0.2.1 port 22 ssh2';
const FAILED_ALICE = 'Nov  2 10:00:01 h sshd[1]: Failed password for alice from 192.0.2.9 port 22 ssh2';
const CRON = 'Nov  2 10:00:02 h CRON[7]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)';

/** One rule file with one test feeding `lines`; returns the `klaxon test` output. */
async function runTest(match: string, lines: string[], extra: string[] = []): Promise<{ code: number; stdout: string }> {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'root.yml'),
    [
      'id: root',
      'title: root login failed',
      'source: ssh',
      'severity: high',
      `match: ${match}`,
      ...extra,
      'tests:',
      '  - name: should alert',
      '    year: 2024',
      `    logs: ${JSON.stringify(lines.map((l) => `${l}\n`).join(''))}`,
      '    expect: { alerts: 1 }',
      '',
    ].join('\n'),
  );
  const { code, stdout } = await runCli(['test', '--rules', dir]);
  return { code, stdout };
}

describe('klaxon test says why a rule did not match', () => {
  it('names the failed condition and the event value of the only event', async () => {
    const { code, stdout } = await runTest('{ user.name: root, event.outcome: failure }', [ACCEPTED]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL root › should alert \(.*root\.yml:\d+\)/);
    expect(stdout).toContain('expected 1 alert, got 0');
    expect(stdout).toContain('0 of 1 event matched; nearest: input line 1');
    expect(stdout).toContain('match.event.outcome: expected "failure", event has "success"');
    expect(stdout).not.toContain('match.user.name:');
  });

  it('picks the event that satisfies the most conditions', async () => {
    const { stdout } = await runTest('{ user.name: alice, event.outcome: success, source.ip: 192.0.2.9 }', [ACCEPTED, FAILED_ALICE]);
    expect(stdout).toContain('0 of 2 events matched; nearest: input line 2');
    expect(stdout).toContain('match.event.outcome: expected "success", event has "failure"');
    expect(stdout).not.toContain('match.user.name:');
  });

  it('says when the event lacks the field, and describes operators and all/any/not blocks', async () => {
    const { stdout } = await runTest('{ all: [ { source.port: { lt: 10 } } ], any: [ { user.name: bob }, { user.name: carol } ], system.auth.sudo.command: { exists: true }, not: { source.ip: 192.0.2.1 } }', [ACCEPTED]);
    expect(stdout).toContain('match.not: excludes {"source.ip":"192.0.2.1"}, which holds');
    expect(stdout).toContain('match.all[0].source.port: expected {"lt":10}, event has 22');
    expect(stdout).toContain('match.any: none of 2 alternatives holds');
    expect(stdout).toContain('match.system.auth.sudo.command: expected {"exists":true}, event has no system.auth.sudo.command');
  });

  it('says when a test line yielded no event, and why', async () => {
    // Every auth-log line whose header reads is an event now; a blank line is the one that yields none.
    const { stdout } = await runTest('{ event.outcome: failure }', ['   ', CRON]);
    expect(stdout).toContain('0 of 1 event matched');
    expect(stdout).toContain('input line 1 yielded no event: empty line');
  });

  it('says when events matched but too few for the threshold', async () => {
    const { stdout } = await runTest('{ event.outcome: failure }', [FAILED_ALICE, FAILED_ALICE], ['threshold: { count: 3, window: 10m }']);
    expect(stdout).toContain('2 of 2 events matched; the threshold needs 3 within 10m');
  });

  it('escapes control characters of the event value for the terminal', async () => {
    const { stdout } = await runTest('{ user.name: root }', ['Nov  2 10:00:00 h sshd[1]: Failed password for ev\u001b[2Jil\u202e from 192.0.2.9 port 22 ssh2']);
    expect(stdout).toContain('match.user.name: expected "root", event has "ev\\u001b[2Jil\\u202E"');
    expect(stdout).not.toContain('\u001b');
    expect(stdout).not.toContain('\u202e');
  });
});
