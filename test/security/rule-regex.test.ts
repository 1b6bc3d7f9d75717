import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli, tempDir } from '../cli/helpers';
import { condition, conditionProblems, event } from '../rules/helpers';

/**
 * Issue 10, item 1: patterns that backtrack catastrophically in a backtracking engine.
 * With V8's RegExp the first took 85 s on a 30-character user name and the last over
 * 100 s on 100 characters; these tests would time out. Rule regexes now run on RE2.
 */
const AMBIGUOUS = ['^([a-z]|[a-c])+$', '^(a|a)*$', '^(\\w|\\d)*$', 'a.*a.*a.*a.*a.*a.*b', '^(a+)+$', '(x+x+)+y'];

function rule(pattern: string): string {
  return [
    'id: odd-user',
    'title: "Odd user {{user.name}}"',
    'source: ssh',
    'severity: low',
    'match:',
    '  event.action: ssh_login',
    `  user.name: { regex: '${pattern}' }`,
    'realert: 0',
    'group_by: [user.name]',
    'tests:',
    '  - name: a plain user is not odd',
    '    year: 2024',
    '    logs: "Nov  2 10:00:00 web-1 sshd[1]: Invalid user 0 from 203.0.113.9 port 1"',
    '    expect: { alerts: 0 }',
    '',
  ].join('\n');
}

describe('rule regexes run in linear time', () => {
  it.each(AMBIGUOUS)('%s: validates, and answers at once on hostile names', (pattern) => {
    expect(conditionProblems({ 'user.name': { regex: pattern } })).toEqual([]);
    const test = condition({ 'user.name': { regex: pattern } });
    for (const length of [30, 100, 10_000]) {
      expect(test(event({ 'user.name': `${'a'.repeat(length)}!` }))).toBe(false);
      expect(test(event({ 'user.name': `${'x'.repeat(length)}!` }))).toBe(false);
    }
  });

  it('still matches what the patterns describe', () => {
    expect(condition({ 'user.name': { regex: '^([a-z]|[a-c])+$' } })(event({ 'user.name': 'abc' }))).toBe(true);
    expect(condition({ 'user.name': { regex: 'a.*a.*a.*a.*a.*a.*b' } })(event({ 'user.name': 'aaaaaab' }))).toBe(true);
    expect(condition({ 'user.name': { regex: '^ORA', ignore_case: true } })(event({ 'user.name': 'oracle' }))).toBe(true);
    expect(condition({ 'user.name': { regex: '^(?P<svc>oracle|postgres)$' } })(event({ 'user.name': 'postgres' }))).toBe(true);
    expect(condition({ 'url.path': { regex: '^/wp-(admin|login)/' } })(event({ 'url.path': '/wp-login/x.php' }))).toBe(true);
  });

  it('klaxon scan over an "Invalid user" line with a 30-character name finishes and alerts once per rule', async () => {
    const dir = tempDir();
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    AMBIGUOUS.slice(0, 4).forEach((pattern, i) => writeFileSync(join(rules, `odd-${i}.yml`), rule(pattern).replace('id: odd-user', `id: odd-user-${i}`)));
    const log = join(dir, 'auth.log');
    const names = ['a'.repeat(30), `${'a'.repeat(30)}!`, `${'a'.repeat(100)}`];
    writeFileSync(log, names.map((n, i) => `Nov  2 10:00:0${i} web-1 sshd[${i}]: Invalid user ${n} from 203.0.113.9 port 4000${i}\n`).join(''));
    const { code, stdout, stderr } = await runCli(['scan', '--year', '2024', '--rules', rules, log]);
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const fired = jsonLines(stdout).map((a) => `${String(a.rule)} ${String((a.fields as Record<string, unknown>)['user.name']).length}`);
    // aaa…a (30 and 100) matches the first three; a.*a…b needs a b and matches nothing
    expect(fired.sort()).toEqual(['odd-user-0 100', 'odd-user-0 30', 'odd-user-1 100', 'odd-user-1 30', 'odd-user-2 100', 'odd-user-2 30']);
  });

  it('validate refuses what RE2 cannot run, at the pattern, saying why', async () => {
    const cases: Array<[string, RegExp]> = [
      ['^(a+)\\1$', /backreferences/],
      ['^(?=root)', /lookahead and lookbehind/],
      ['(?<!x)y', /lookahead and lookbehind/],
    ];
    for (const [i, [pattern, why]] of cases.entries()) {
      const dir = tempDir();
      const file = join(dir, `bad-${i}.yml`);
      writeFileSync(file, rule(pattern));
      const { code, stdout, stderr } = await runCli(['validate', '--rules', dir]);
      const output = stdout + stderr;
      expect(code).toBe(1);
      expect(output).toContain(`${file}:7:`);
      expect(output).toContain('BAD_REGEX');
      expect(output).toMatch(why);
      expect(output).toContain('RE2 syntax');
    }
  });
});
