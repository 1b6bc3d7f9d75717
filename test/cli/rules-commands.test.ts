import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli, tempDir } from './helpers';

const RULES = join(REPO, 'rules');

function rulesCopy(): string {
  const dir = tempDir();
  for (const f of readdirSync(RULES)) copyFileSync(join(RULES, f), join(dir, f));
  return dir;
}

describe('klaxon validate', () => {
  it('accepts the shipped rules', async () => {
    const { code, stdout } = await runCli(['validate', '--rules', RULES]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+ rules valid/);
  });

  it('reports every problem as path:line:col and exits 1, still checking the good files', async () => {
    const dir = rulesCopy();
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, ['title: x', 'source: ssh', 'severity: loud', 'match:', '  source.addr: 1.2.3.4', ''].join('\n'));
    const { code, stderr } = await runCli(['validate', '--rules', dir]);
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((l) => l.startsWith(bad));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^.+bad\.yml:\d+:\d+: /);
    expect(stderr).toContain(`${bad}:3:`);
    expect(stderr).toContain(`${bad}:5:`);
    const shipped = readdirSync(RULES).filter((name) => name.endsWith('.yml')).length;
    expect(stderr).toContain(`${shipped} rules valid`);
  });
});

describe('klaxon test', () => {
  it('runs the tests of the example rules in docs/examples/rules (GeoIP: source.geo.country_iso_code)', async () => {
    const examples = join(REPO, 'docs', 'examples', 'rules');
    expect((await runCli(['validate', '--rules', examples])).code).toBe(0);
    const { code, stdout } = await runCli(['test', '--rules', examples]);
    expect(stdout).toContain('ok   ssh-login-abroad › a login from an address in the US alerts, with its country');
    expect(stdout).toMatch(/^3 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('runs the tests inside the shipped rules and ends with the tally', async () => {
    const { code, stdout } = await runCli(['test', '--rules', RULES]);
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('reports a failing test with its rule, name and line, and exits 1', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'root.yml'),
      [
        'id: root',
        'title: root login',
        'source: ssh',
        'severity: high',
        'match: { user.name: root, event.outcome: success }',
        'tests:',
        '  - name: passes',
        '    year: 2024',
        '    logs: "Nov  2 10:00:00 h sshd[1]: Accepted password for root from 192.0.2.1 port 22 ssh2\\n"',
        '    expect: { alerts: 1 }',
        '  - name: wrongly expects nothing',
        '    year: 2024',
        '    logs: "Nov  2 10:00:00 h sshd[1]: Accepted password for root from 192.0.2.1 port 22 ssh2\\n"',
        '    expect: { alerts: 0 }',
        '',
      ].join('\n'),
    );
    const { code, stdout } = await runCli(['test', '--rules', dir]);
    expect(code).toBe(1);
    expect(stdout).toContain('ok   root › passes');
    expect(stdout).toMatch(/FAIL root › wrongly expects nothing \(.*root\.yml:11\)/);
    expect(stdout).toContain('expected 0 alerts, got 1');
    expect(stdout).toMatch(/^1 passed, 1 failed$/m);
  });
});
