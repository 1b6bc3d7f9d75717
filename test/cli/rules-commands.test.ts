import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli, tempDir } from './helpers';

const RULES = join(REPO, 'rules');

function rulesCopy(): string {
  const dir = tempDir();
  cpSync(RULES, dir, { recursive: true });
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

describe('lists in rules/lists/', () => {
  /** A rule alerting on logins by service accounts from outside the trusted networks, with its tests. */
  function listRulesDir(networks: string): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'lists'));
    writeFileSync(join(dir, 'lists', 'trusted-networks.yml'), `id: trusted-networks\nvalues: ${networks}\n`);
    writeFileSync(join(dir, 'lists', 'service-accounts.txt'), '# logins nobody should make by hand\nbackup\ndeploy\n');
    const login = (user: string, address: string) => `"Nov  2 10:00:00 h sshd[1]: Accepted publickey for ${user} from ${address} port 22 ssh2\\n"`;
    writeFileSync(
      join(dir, 'service-login.yml'),
      [
        'id: service-login',
        'title: service account login from {{source.ip}}',
        'source: ssh',
        'severity: medium',
        'match:',
        '  event.action: ssh_login',
        '  user.name: { in_list: service-accounts }',
        '  not: { source.ip: { in_list: trusted-networks } }',
        'tests:',
        '  - name: deploy from outside alerts',
        '    year: 2024',
        `    logs: ${login('deploy', '203.0.113.9')}`,
        '    expect: { alerts: 1, fields: { user.name: deploy } }',
        '  - name: deploy from a trusted network does not',
        '    year: 2024',
        `    logs: ${login('deploy', '192.0.2.10')}`,
        '    expect: { alerts: 0 }',
        '  - name: a person does not',
        '    year: 2024',
        `    logs: ${login('alice', '203.0.113.9')}`,
        '    expect: { alerts: 0 }',
        '',
      ].join('\n'),
    );
    return dir;
  }

  it('klaxon test runs rule tests with the lists loaded', async () => {
    const { code, stdout } = await runCli(['test', '--rules', listRulesDir('[192.0.2.0/24]')]);
    expect(stdout).toMatch(/^3 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('a rule test fails when the list no longer holds what it relies on', async () => {
    const { code, stdout } = await runCli(['test', '--rules', listRulesDir('[]')]);
    expect(stdout).toMatch(/FAIL service-login › deploy from a trusted network does not \(.*service-login\.yml:14\)/);
    expect(code).toBe(1);
  });

  it('klaxon validate reports a bad list entry in the list file and an unknown list in the rule', async () => {
    const dir = listRulesDir('[192.0.2.0/24, 192.0.2.0/40]');
    writeFileSync(join(dir, 'typo.yml'), 'title: t\nsource: ssh\nseverity: low\nmatch: { user.name: { in_list: service-acounts } }\n');
    const { code, stderr } = await runCli(['validate', '--rules', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${join(dir, 'lists', 'trusted-networks.yml')}:2:24: "192.0.2.0/40" is not an IPv4 or IPv6 address or network`);
    expect(stderr).toContain(`${join(dir, 'typo.yml')}:4:32: match["user.name"].in_list: no list has the id "service-acounts" (did you mean "service-accounts"?)`);
    expect(stderr).toContain('2 problems; 0 rules valid');
  });
});
