import { readFileSync } from 'node:fs';
import { AUTH_LOG_CATALOGUE } from '../../src/sources/auth-catalogue';
import { ACCOUNT_PROGRAMS } from '../../src/sources/account-programs';
import { authLogTable, README_PATH, withTable } from '../../src/docs/auth-log-table';
import { parseAuthLine, SSH_EVENTS } from '../../src/sources/sshd';

/** Issue 11, part 7: the README's auth-log table is the parser's own output over its catalogue, and covers every family. */
const parsed = AUTH_LOG_CATALOGUE.map((entry) => ({ entry, result: parseAuthLine(`Nov  2 10:00:00 web-1 ${entry.program}[100]: ${entry.message}`, { year: 2024, now: 0 }) }));

it('the README holds the table as the parser makes it today (run `npm run docs` after changing a parser or the catalogue)', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  expect(withTable(readme, authLogTable())).toBe(readme);
});

it('the table changes when the parser does: a row per catalogue entry, the last one for any other line', () => {
  const rows = authLogTable().split('\n').slice(2);
  expect(rows).toHaveLength(AUTH_LOG_CATALOGUE.length + 1);
  expect(rows[0]).toContain('`ssh_login` / `Accepted`');
});

it('every sshd message family the parser knows has an example in the catalogue', () => {
  const shown = new Set(parsed.flatMap(({ result }) => (result.status === 'ok' ? result.events.map((e) => e.fields['system.auth.ssh.event']) : [])));
  expect(SSH_EVENTS.filter((name) => !shown.has(name))).toEqual([]);
});

it('every account program has an example, and every example but the last is understood', () => {
  const programs = new Set(AUTH_LOG_CATALOGUE.map((e) => e.program));
  expect([...ACCOUNT_PROGRAMS].filter((p) => !programs.has(p))).toEqual([]);
  const generic = parsed.filter(({ result }) => result.status !== 'ok' || result.generic === true).map(({ entry }) => entry.program);
  expect(generic).toEqual(['polkitd']);
});
