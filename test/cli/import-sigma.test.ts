/**
 * Issue 12, part 4, end to end: `klaxon import sigma` over Sigma rules written for this project
 * (test/fixtures/sigma) writes rule files that the real loader accepts, and the rules match on
 * real auth-log lines and CloudTrail records exactly what the Sigma rules say, near misses not.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KlaxonEvent } from '../../src/events/event';
import { alertsForText } from '../../src/engine/run';
import { loadRulesFromDir } from '../../src/rules/load';
import type { CompiledRule } from '../../src/rules/types';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { REPO, runCli, tempDir } from './helpers';

const SIGMA = join(REPO, 'test', 'fixtures', 'sigma');
const FIXTURES = join(REPO, 'test', 'fixtures');

async function events(text: string, source: 'ssh' | 'cloudtrail'): Promise<KlaxonEvent[]> {
  return (await alertsForText(text, [], { source, year: 2024, now: Date.UTC(2030, 0, 1), routes: DEFAULT_ROUTES })).events;
}

/** What of `list` the rule matches, each named by `name`. */
function matched(rule: CompiledRule | undefined, list: readonly KlaxonEvent[], name: (e: KlaxonEvent) => unknown): unknown[] {
  if (rule === undefined) throw new Error('rule not imported');
  return list.filter((event) => rule.match(event)).map(name);
}

const line = (event: KlaxonEvent) => event.fields['event.original'];
const call = (event: KlaxonEvent) => `${String(event.raw?.eventName)} ${String(event.raw?.sourceIPAddress)}`;

describe('klaxon import sigma: project-written Sigma rules', () => {
  const out = tempDir();
  let rules: Map<string, CompiledRule>;
  let result: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    result = await runCli(['import', 'sigma', join(SIGMA, 'imported'), '--out', out]);
    const loaded = loadRulesFromDir(out);
    expect(loaded.problems).toEqual([]);
    rules = new Map(loaded.rules.map((rule) => [rule.id, rule]));
  });

  it('writes one valid rule file per Sigma rule, named after its title, and says so', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^wrote .*aws-console-login-failure\.yml \(from .*aws_console_login_failure\.yml\)$/m);
    expect(result.stdout.trim().split('\n').pop()).toBe('6 imported, 0 refused');
    expect(readdirSync(out).sort()).toEqual([
      'aws-console-login-failure.yml',
      'iam-user-activity-from-a-watched-network.yml',
      'root-shell-through-sudo.yml',
      'security-group-ingress-opened-to-the-world.yml',
      'ssh-password-login-from-outside-the-office-network.yml',
      'sudo-command-touching-the-shadow-file.yml',
    ]);
    const text = readFileSync(join(out, 'sudo-command-touching-the-shadow-file.yml'), 'utf8');
    expect(text).toContain('Sigma rule 2b969dce-2476-46d2-90f0-e3e14b9e8e1d (status: test)');
    expect(text).toContain('linux_sudo_shadow_access.yml');
    expect(rules.get('sudo-command-touching-the-shadow-file')).toMatchObject({ severity: 'high', sources: ['ssh'], tags: ['attack.credential_access', 'attack.t1003.008'] });
    expect(rules.get('aws-console-login-failure')).toMatchObject({ severity: 'low', sources: ['cloudtrail'] });
  });

  it('klaxon validate accepts the directory', async () => {
    const validate = await runCli(['validate', '--rules', out]);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
  });

  describe('auth log (test/fixtures/auth/mixed.log)', () => {
    let auth: KlaxonEvent[];
    beforeAll(async () => {
      auth = await events(readFileSync(join(FIXTURES, 'auth', 'mixed.log'), 'utf8'), 'ssh');
    });

    it('sshd keywords with a wildcard and a filter: password logins from outside 192.0.2.0/24 only', () => {
      expect(matched(rules.get('ssh-password-login-from-outside-the-office-network'), auth, line)).toEqual([
        'Nov  2 07:00:22 web-2 sshd[23021]: Accepted password for mallory from 203.0.113.66 port 50111 ssh2',
      ]);
    });

    it('|all keywords on sudo lines: both words, in sudo lines', () => {
      expect(matched(rules.get('sudo-command-touching-the-shadow-file'), auth, line)).toEqual([
        'Nov  2 06:38:10 web-1 sudo:     eve : command not allowed ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/usr/bin/vim /etc/shadow',
        '2024-11-02T06:50:08+0000 bastion sudo[22005]:    admin : TTY=pts/1 ; PWD=/srv ; USER=root ; COMMAND=/bin/cat /etc/shadow',
      ]);
    });

    it('fields named as Klaxon names them, all of selection_*', () => {
      expect(matched(rules.get('root-shell-through-sudo'), auth, line)).toEqual([
        'Nov  2 06:38:00 web-1 sudo:     eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/bin/bash',
        'Nov  2 07:00:23 web-2 sudo[23022]:  mallory : TTY=pts/2 ; PWD=/home/mallory ; USER=root ; COMMAND=/bin/bash',
      ]);
    });

    it('near misses: keywords ignore case, the service narrows the program, the filter holds', async () => {
      const lines = await events(
        [
          'Nov  2 08:00:00 web-1 sshd[1]: ACCEPTED PASSWORD FOR eve FROM 198.51.100.9 port 1 ssh2',
          'Nov  2 08:00:01 web-1 sshd[2]: Accepted password for eve from 192.0.2.9 port 1 ssh2',
          'Nov  2 08:00:02 web-1 sshd[3]: Accepted publickey for eve from 198.51.100.9 port 1 ssh2',
          'Nov  2 08:00:03 web-1 login[4]: Accepted password for eve from 198.51.100.9',
          'Nov  2 08:00:04 web-1 CRON[5]: (root) CMD (grep COMMAND= /etc/shadow)',
          'Nov  2 08:00:05 web-1 sudo:   eve : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/cat /etc/SHADOW',
          'Nov  2 08:00:06 web-1 sudo:   eve : TTY=pts/0 ; PWD=/ ; USER=postgres ; COMMAND=/bin/bash',
          '',
        ].join('\n'),
        'ssh',
      );
      const short = (e: KlaxonEvent) => String(e.fields['process.pid'] ?? e.fields['user.effective.name']);
      expect(matched(rules.get('ssh-password-login-from-outside-the-office-network'), lines, short)).toEqual(['1']);
      expect(matched(rules.get('sudo-command-touching-the-shadow-file'), lines, line)).toEqual([
        'Nov  2 08:00:05 web-1 sudo:   eve : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/cat /etc/SHADOW',
      ]);
      expect(matched(rules.get('root-shell-through-sudo'), lines, line)).toEqual([]);
    });
  });

  describe('CloudTrail (test/fixtures/cloudtrail)', () => {
    let trail: KlaxonEvent[];
    beforeAll(async () => {
      trail = [];
      for (const name of readdirSync(join(FIXTURES, 'cloudtrail')).sort()) trail.push(...(await events(readFileSync(join(FIXTURES, 'cloudtrail', name), 'utf8'), 'cloudtrail')));
    });

    it('field equality on CloudTrail names, nested responseElements', async () => {
      expect(matched(rules.get('aws-console-login-failure'), trail, call)).toEqual(['ConsoleLogin 203.0.113.10']);
      const login = trail.find((e) => e.raw?.eventName === 'ConsoleLogin')?.raw as Record<string, unknown>;
      const success = await events(JSON.stringify({ ...login, responseElements: { ConsoleLogin: 'Success' } }), 'cloudtrail');
      expect(matched(rules.get('aws-console-login-failure'), success, call)).toEqual([]);
    });

    it('startswith, a path into lists, and a filter on errorCode: refused calls and other shapes do not match', () => {
      // authorize-ingress-denied failed (Client.UnauthorizedOperation); authorize-ingress-legacy writes
      // its cidrIp at the top of requestParameters, a path the Sigma rule does not name.
      expect(matched(rules.get('security-group-ingress-opened-to-the-world'), trail, call)).toEqual([
        'AuthorizeSecurityGroupIngress 198.51.100.77',
        'AuthorizeSecurityGroupIngress 203.0.113.10',
      ]);
    });

    it('cidr and a case-sensitive re: IAM users from the watched networks, not roles, not elsewhere', () => {
      expect(matched(rules.get('iam-user-activity-from-a-watched-network'), trail, call)).toEqual([
        'AuthorizeSecurityGroupIngress 198.51.100.200',
        'ConsoleLogin 203.0.113.10',
        'AuthorizeSecurityGroupIngress 203.0.113.10',
        'RevokeSecurityGroupIngress 203.0.113.10',
      ]);
    });
  });
});

describe('klaxon import sigma: refusals', () => {
  it('reports each refused rule located in its file, imports nothing from them, and exits 1', async () => {
    const out = tempDir();
    const { code, stdout, stderr } = await runCli(['import', 'sigma', join(SIGMA, 'refused'), '--out', out]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n').map((l) => l.replace(`${SIGMA}/`, ''));
    expect(lines).toEqual([
      'refused/aws_unknown_modifier.yml:9:5: detection.selection: unknown modifier "base65" (supported: contains, startswith, endswith, re, cidr, exists, gt, gte, lt, lte, all, cased, re|i, re|m, re|s) [UNKNOWN_MODIFIER]',
      'refused/linux_ssh_failure_count.yml:10:3: detection: timeframe (with aggregations) is not supported: Klaxon imports single-event rules; add a threshold to the Klaxon rule instead [UNSUPPORTED]',
      'refused/linux_ssh_failure_count.yml:11:23: condition: aggregations (`| count() ...`) are not supported: Klaxon imports single-event rules; write a threshold in the Klaxon rule instead [UNSUPPORTED]',
      'refused/linux_unknown_field.yml:9:5: detection.selection: unknown field "CommandLine" for source ssh (Sigma log source product: linux, service: auth) [UNKNOWN_FIELD]',
      'refused/windows_process_creation.yml:4:1: log source "category: process_creation, product: windows" is not one Klaxon reads (a category is not supported; accepted: product: linux with service: auth, sshd or sudo; product: aws with service: cloudtrail) [UNSUPPORTED_LOGSOURCE]',
      '0 imported, 4 refused',
    ]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('one bad rule does not stop the others', async () => {
    const out = tempDir();
    const { code, stdout, stderr } = await runCli([
      'import',
      'sigma',
      join(SIGMA, 'refused', 'linux_unknown_field.yml'),
      join(SIGMA, 'imported', 'aws_console_login_failure.yml'),
      join(SIGMA, 'missing.yml'),
      '--out',
      out,
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain('aws-console-login-failure.yml');
    expect(stderr).toContain('[UNKNOWN_FIELD]');
    expect(stderr).toMatch(/missing\.yml:1:1: cannot read: .*ENOENT.* \[READ_FAILED\]/);
    expect(stderr.trim().split('\n').pop()).toBe('1 imported, 2 refused');
    expect(readdirSync(out)).toEqual(['aws-console-login-failure.yml']);
  });

  it('refuses to overwrite a rule file unless --force, and two rules with one id', async () => {
    const out = tempDir();
    const target = join(out, 'aws-console-login-failure.yml');
    writeFileSync(target, 'mine\n');
    const rule = join(SIGMA, 'imported', 'aws_console_login_failure.yml');
    const first = await runCli(['import', 'sigma', rule, '--out', out]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`aws_console_login_failure.yml:1:8: title: ${target} exists: pass --force to overwrite it [OUTPUT_EXISTS]`);
    expect(readFileSync(target, 'utf8')).toBe('mine\n');
    const forced = await runCli(['import', 'sigma', rule, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('id: aws-console-login-failure');

    const twice = await runCli(['import', 'sigma', rule, rule, '--out', out, '--force']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('another imported rule already has the id "aws-console-login-failure" (from its title): change one title [DUPLICATE_ID]');
  });

  it('refuses an id that another rule file of the output directory declares (klaxon validate would)', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'mine.yml'), 'id: aws-console-login-failure\ntitle: Mine\nsource: cloudtrail\nseverity: low\nmatch: { eventName: X }\n');
    const { code, stderr } = await runCli(['import', 'sigma', join(SIGMA, 'imported', 'aws_console_login_failure.yml'), '--out', out, '--force']);
    expect(code).toBe(1);
    expect(stderr).toContain(`rule id "aws-console-login-failure" (from the title) is already used by ${join(out, 'mine.yml')}: change the title [DUPLICATE_ID]`);
    expect(readdirSync(out)).toEqual(['mine.yml']);
  });

  it('refuses a rule whose Klaxon form would not validate, saying why', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad-value.yml');
    // event.outcome has a closed vocabulary in Klaxon: "maybe" can never match, and the loader says so.
    writeFileSync(file, 'title: Odd Outcome\nlogsource:\n  product: linux\n  service: auth\ndetection:\n  selection:\n    event.outcome|cased: maybe\n  condition: selection\n');
    const { code, stderr } = await runCli(['import', 'sigma', file, '--out', join(dir, 'out')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/bad-value\.yml:5:1: the Klaxon rule it becomes does not validate: .*"maybe".* \[UNKNOWN_VALUE\] \[INVALID_RULE\]/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses a rule collection (several documents in one file), at its second document', async () => {
    const dir = tempDir();
    const file = join(dir, 'collection.yml');
    writeFileSync(file, 'title: A\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: X}, condition: s}\n---\ntitle: B\n');
    const { code, stderr } = await runCli(['import', 'sigma', file, '--out', join(dir, 'out')]);
    expect(code).toBe(1);
    expect(stderr).toContain('collection.yml:4:1: several YAML documents (a Sigma rule collection) are not supported: put one rule in each file [YAML_SYNTAX]');
  });

  it('usage errors: no format, another format, no file', async () => {
    expect((await runCli(['import'])).code).toBe(2);
    expect((await runCli(['import', 'elastalert', 'x.yml'])).stderr).toContain('cannot import "elastalert": only sigma rules can be imported');
    expect((await runCli(['import', 'sigma'])).stderr).toContain('no Sigma rule file or directory given');
  });

  it('the default output directory is $KLAXON_RULES', async () => {
    const out = join(tempDir(), 'rules-here');
    const { code } = await runCli(['import', 'sigma', join(SIGMA, 'imported', 'aws_console_login_failure.yml')], { env: { KLAXON_RULES: out } });
    expect(code).toBe(0);
    expect(readdirSync(out)).toEqual(['aws-console-login-failure.yml']);
  });
});
