import { parseAuthLine } from '../../src/sources/sshd';
import type { FieldValue } from '../../src/events/event';

/** Issue 11, part 3: account and session programs, as shadow-utils, su, systemd-logind and pam_unix write them. */
function fieldsOf(line: string): Record<string, FieldValue> {
  const result = parseAuthLine(line, { year: 2024, now: Date.UTC(2024, 11, 1) });
  if (result.status !== 'ok') throw new Error(`${line}: ${result.status === 'error' ? result.message : result.reason}`);
  return (result.events[0] as { fields: Record<string, FieldValue> }).fields;
}

const KEYS = ['event.action', 'event.category', 'event.type', 'event.outcome', 'user.name', 'user.id', 'user.target.name', 'user.effective.name', 'group.name', 'group.id', 'process.name'];
const summary = (line: string) => Object.fromEntries(Object.entries(fieldsOf(line)).filter(([k]) => KEYS.includes(k)));
const H = 'Nov  2 10:00:00 web-1 ';

describe('account and session programs', () => {
  it.each([
    [`${H}useradd[2001]: new user: name=mallory, UID=1005, GID=1005, home=/home/mallory, shell=/bin/bash, from=/dev/pts/0`, { 'event.action': 'user-created', 'event.category': ['iam'], 'event.type': ['user', 'creation'], 'user.name': 'mallory', 'user.id': '1005', 'group.id': '1005' }],
    [`${H}groupadd[2005]: group added to /etc/group: name=devs, GID=1010`, { 'event.action': 'group-created', 'event.type': ['group', 'creation'], 'group.name': 'devs', 'group.id': '1010' }],
    [`${H}usermod[2002]: add 'mallory' to shadow group 'sudo'`, { 'event.action': 'user-added-to-group', 'event.type': ['group', 'change'], 'user.name': 'mallory', 'group.name': 'sudo' }],
    [`${H}gpasswd[2003]: user mallory added by root to group wheel`, { 'event.action': 'user-added-to-group', 'user.name': 'mallory', 'user.effective.name': 'root', 'group.name': 'wheel' }],
    [`${H}userdel[2004]: delete user 'mallory'`, { 'event.action': 'user-deleted', 'event.type': ['user', 'deletion'], 'user.name': 'mallory' }],
    [`${H}groupdel[2006]: group 'devs' removed`, { 'event.action': 'group-deleted', 'group.name': 'devs' }],
    [`${H}passwd[2007]: pam_unix(passwd:chauthtok): password changed for bob`, { 'event.action': 'password-changed', 'event.type': ['user', 'change'], 'user.name': 'bob' }],
    [`${H}su[2009]: FAILED SU (to root) bob on pts/0`, { 'event.action': 'su', 'event.category': ['authentication'], 'event.outcome': 'failure', 'user.name': 'bob', 'user.target.name': 'root' }],
    [`${H}su[2009]: pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/0 ruser=bob rhost=  user=root`, { 'event.action': 'su', 'event.outcome': 'failure', 'user.name': 'bob', 'user.target.name': 'root' }],
    [`${H}su[2011]: FAILED su for root by eve`, { 'event.action': 'su', 'event.outcome': 'failure', 'user.name': 'eve', 'user.target.name': 'root' }],
    [`${H}su: [ID 366847 auth.notice] 'su root' succeeded for james on /dev/pts/3`, { 'event.action': 'su', 'event.outcome': 'success', 'user.name': 'james', 'user.target.name': 'root' }],
    [`${H}su: [ID 366847 auth.crit] 'su root' failed for james on /dev/pts/3`, { 'event.action': 'su', 'event.outcome': 'failure', 'user.name': 'james', 'user.target.name': 'root' }],
    [`${H}su[2010]: (to root) bob on pts/0`, { 'event.action': 'su', 'event.outcome': 'success', 'user.name': 'bob', 'user.target.name': 'root' }],
    [`${H}su[2010]: pam_unix(su:session): session opened for user root(uid=0) by bob(uid=1000)`, { 'event.action': 'session-opened', 'event.category': ['session'], 'event.type': ['start'], 'user.name': 'root', 'user.id': '0', 'user.effective.name': 'bob' }],
    [`${H}systemd-logind[500]: New session 12 of user bob.`, { 'event.action': 'session-opened', 'user.name': 'bob' }],
    [`${H}sshd[3000]: pam_unix(sshd:session): session closed for user bob`, { 'event.action': 'session-closed', 'event.type': ['end'], 'user.name': 'bob' }],
  ])('%s', (line, expected) => {
    expect(summary(line)).toMatchObject({ ...expected, 'process.name': expect.any(String) });
  });

  it('a forged overlong line under an account program name is not run through the regexes: a generic event', () => {
    const line = `${H}usermod[1]: add '${"x' to group '".repeat(20_000)}'`;
    const result = parseAuthLine(line, { year: 2024, now: 0 });
    expect(result).toMatchObject({ status: 'ok', generic: true });
    expect(result.status === 'ok' ? result.events[0]?.fields['group.name'] : 'not ok').toBeUndefined();
  });

  it('messages of no known kind are generic events: header, message, nothing read from the text', () => {
    const result = parseAuthLine(`${H}useradd[1]: something else`, { year: 2024, now: 0 });
    expect(result).toMatchObject({ status: 'ok', generic: true });
    expect(result.status === 'ok' ? result.events[0]?.fields : undefined).toMatchObject({ 'process.name': 'useradd', message: 'something else' });
    expect(result.status === 'ok' ? result.events[0]?.fields['event.category'] : 'not ok').toBeUndefined();
  });
});
