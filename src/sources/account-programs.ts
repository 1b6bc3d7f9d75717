/**
 * Auth-log lines of the programs that manage accounts and sessions, besides sshd and sudo:
 * shadow-utils (useradd, groupadd, usermod, userdel, groupdel, passwd, chpasswd, chage,
 * gpasswd), su, systemd-logind, and PAM's session lines. Fields are ECS, as Elastic's
 * system.auth integration sets them: event.category `iam`, `authentication` or `session`,
 * event.type `creation`, `deletion`, `change`, `start`, `end`; `user.*`, `group.*`,
 * `user.target.name`.
 *
 * The formats are the programs' own (shadow's libmisc and src/*.c SYSLOG calls, util-linux
 * su, systemd-logind, Linux-PAM pam_unix). Names in them are the administrator's input, kept
 * verbatim.
 */
import type { FieldValue, Outcome } from '../events/event';

type Fields = Record<string, FieldValue>;
export type ProgramResult = { kind: 'event'; fields: Fields } | { kind: 'skip'; reason: string };

/** The event.action, event.category and event.type values of these programs' events: the parser builds its events from these, and rule validation checks values against them. */
export const ACCOUNT_ACTIONS = [
  'user-created',
  'group-created',
  'user-deleted',
  'group-deleted',
  'user-added-to-group',
  'password-changed',
  'password-expiry-changed',
  'su',
  'session-opened',
  'session-closed',
] as const;
export const ACCOUNT_CATEGORIES = ['iam', 'authentication', 'session'] as const;
export const ACCOUNT_TYPES = ['user', 'group', 'creation', 'deletion', 'change', 'start', 'end', 'info'] as const;
type AccountAction = (typeof ACCOUNT_ACTIONS)[number];
type AccountCategory = (typeof ACCOUNT_CATEGORIES)[number];
type AccountType = (typeof ACCOUNT_TYPES)[number];

const categories = (...values: AccountCategory[]): AccountCategory[] => Object.freeze(values) as AccountCategory[];
const types = (...values: AccountType[]): AccountType[] => Object.freeze(values) as AccountType[];
const IAM = categories('iam');
const AUTHENTICATION = categories('authentication');
const SESSION = categories('session');
const USER_CREATION = types('user', 'creation');
const USER_DELETION = types('user', 'deletion');
const USER_CHANGE = types('user', 'change');
const GROUP_CREATION = types('group', 'creation');
const GROUP_DELETION = types('group', 'deletion');
const GROUP_CHANGE = types('group', 'change');
const START = types('start');
const END = types('end');
const INFO = types('info');

/** The programs this module reads, by the name in the syslog tag. */
export const ACCOUNT_PROGRAMS: ReadonlySet<string> = new Set(['useradd', 'groupadd', 'usermod', 'userdel', 'groupdel', 'passwd', 'chpasswd', 'chage', 'gpasswd', 'su', 'systemd-logind']);

const NEW_USER = /^new user: name=([^,]+), UID=(\d+), GID=(\d+)/;
const NEW_GROUP = /^(?:new group|group added to \/etc\/group): name=([^,]+), GID=(\d+)/;
const ADD_TO_GROUP = /^add '(.+)' to (?:shadow )?group '(.+)'$/;
const GPASSWD_ADD = /^user (.+) added by (.+) to group (.+)$/;
const DELETE_USER = /^delete user '(.+)'$/;
const DELETE_GROUP = /^(?:group '(.+)' removed|removed group '(.+)' owned by '.+')$/;
const PASSWORD_CHANGED = /^pam_unix\((?:passwd|chpasswd):chauthtok\): password changed for (.+)$/;
const CHAGE = /^changed password expiry for (.+)$/;
const SU_SUCCESS = /^(?:\(to (.+)\) (.+) on (\S+)|Successful su for (.+) by (.+))$/;
const SU_FAILED = /^FAILED SU \(to (.+)\) (.+) on (\S+)$/;
/** shadow-utils' su without PAM (`FAILED su for TARGET by USER`) and Solaris su (`'su TARGET' failed|succeeded for USER on TTY`). */
const SU_OTHER = /^(?:(FAILED) su for (\S+) by (\S+)|'su (\S+)' (failed|succeeded) for (\S+) on (\S+))$/;
const SU_AUTH_FAILURE = /^pam_unix\(su(?:-l)?:auth\): authentication failure;/;
const SESSION_OPENED = /^pam_unix\(([\w-]+):session\): session opened for user (\S+?)(?:\(uid=(\d+)\))? by (\S*?)(?:\(uid=(\d+)\))?$/;
const SESSION_CLOSED = /^pam_unix\(([\w-]+):session\): session closed for user (\S+)$/;
const LOGIND_NEW = /^New session (\S+) of user (\S+?)\.?$/;
const LOGIND_REMOVED = /^Removed session (\S+?)\.?$/;

/**
 * Longer messages are not read: these programs write short lines, and any local user can log
 * a line under their names (`logger -t useradd …`), so the regexes below never see more.
 */
const MAX_MESSAGE = 4096;

/** The fields of one message of an account or session program, or why it is not one. */
export function parseAccountMessage(program: string, message: string): ProgramResult {
  if (message.length > MAX_MESSAGE) return skip(`${program} message longer than ${MAX_MESSAGE} characters`);
  switch (program) {
    case 'useradd':
    case 'groupadd':
    case 'usermod':
    case 'userdel':
    case 'groupdel':
    case 'gpasswd':
      return accountChange(message);
    case 'passwd':
    case 'chpasswd':
    case 'chage':
      return passwordChange(message);
    case 'su':
      return su(message);
    case 'systemd-logind':
      return logind(message);
    default:
      return skip(`program '${program}' is not an account program`);
  }
}

/** PAM's session lines of any service (`sshd`, `su`, `cron`…), wherever they are logged. */
export function parsePamSession(message: string): ProgramResult | undefined {
  if (message.length > MAX_MESSAGE) return undefined;
  let m = SESSION_OPENED.exec(message);
  if (m !== null) {
    const f = fields('session-opened', SESSION, START, 'success');
    f['user.name'] = m[2] as string;
    if (m[3] !== undefined) f['user.id'] = m[3];
    if (m[4] !== undefined && m[4] !== '') f['user.effective.name'] = m[4];
    f['system.auth.pam.service'] = m[1] as string;
    return event(f);
  }
  m = SESSION_CLOSED.exec(message);
  if (m !== null) {
    const f = fields('session-closed', SESSION, END, 'success');
    f['user.name'] = m[2] as string;
    f['system.auth.pam.service'] = m[1] as string;
    return event(f);
  }
  return undefined;
}

function accountChange(message: string): ProgramResult {
  let m = NEW_USER.exec(message);
  if (m !== null) {
    const f = fields('user-created', IAM, USER_CREATION, 'success');
    f['user.name'] = m[1] as string;
    f['user.id'] = m[2] as string;
    f['group.id'] = m[3] as string;
    return event(f);
  }
  m = NEW_GROUP.exec(message);
  if (m !== null) {
    const f = fields('group-created', IAM, GROUP_CREATION, 'success');
    f['group.name'] = m[1] as string;
    f['group.id'] = m[2] as string;
    return event(f);
  }
  m = ADD_TO_GROUP.exec(message);
  if (m !== null) return addedToGroup(m[1] as string, m[2] as string, undefined);
  m = GPASSWD_ADD.exec(message);
  if (m !== null) return addedToGroup(m[1] as string, m[3] as string, m[2]);
  m = DELETE_USER.exec(message);
  if (m !== null) {
    const f = fields('user-deleted', IAM, USER_DELETION, 'success');
    f['user.name'] = m[1] as string;
    return event(f);
  }
  m = DELETE_GROUP.exec(message);
  if (m !== null) {
    const f = fields('group-deleted', IAM, GROUP_DELETION, 'success');
    f['group.name'] = (m[1] ?? m[2]) as string;
    return event(f);
  }
  return skip('account message of no known kind');
}

function addedToGroup(user: string, group: string, by: string | undefined): ProgramResult {
  const f = fields('user-added-to-group', IAM, GROUP_CHANGE, 'success');
  f['user.name'] = user;
  f['group.name'] = group;
  if (by !== undefined) f['user.effective.name'] = by;
  return event(f);
}

function passwordChange(message: string): ProgramResult {
  const m = PASSWORD_CHANGED.exec(message) ?? CHAGE.exec(message);
  if (m === null) return skip('password message of no known kind');
  const f = fields(message.startsWith('changed password expiry') ? 'password-expiry-changed' : 'password-changed', IAM, USER_CHANGE, 'success');
  f['user.name'] = m[1] as string;
  return event(f);
}

function su(message: string): ProgramResult {
  let m = SU_FAILED.exec(message);
  if (m !== null) {
    const f = fields('su', AUTHENTICATION, INFO, 'failure');
    f['user.target.name'] = m[1] as string;
    f['user.name'] = m[2] as string;
    f['system.auth.su.tty'] = m[3] as string;
    return event(f);
  }
  if (SU_AUTH_FAILURE.test(message)) {
    // `... ruser=WHO rhost=  user=TARGET`: user= comes last and runs to the end.
    const f = fields('su', AUTHENTICATION, INFO, 'failure');
    const ruserAt = message.indexOf(' ruser=');
    const ruserEnd = ruserAt < 0 ? -1 : message.indexOf(' ', ruserAt + 7);
    const ruser = ruserAt < 0 ? '' : message.slice(ruserAt + 7, ruserEnd < 0 ? undefined : ruserEnd);
    const userAt = message.lastIndexOf(' user=');
    if (ruser !== '') f['user.name'] = ruser;
    if (userAt >= 0) f['user.target.name'] = message.slice(userAt + 6).trim();
    return event(f);
  }
  m = SU_OTHER.exec(message);
  if (m !== null) {
    const failed = m[1] !== undefined || m[5] === 'failed';
    const f = fields('su', AUTHENTICATION, INFO, failed ? 'failure' : 'success');
    f['user.target.name'] = (m[2] ?? m[4]) as string;
    f['user.name'] = (m[3] ?? m[6]) as string;
    if (m[7] !== undefined) f['system.auth.su.tty'] = m[7];
    return event(f);
  }
  m = SU_SUCCESS.exec(message);
  if (m !== null) {
    const f = fields('su', AUTHENTICATION, INFO, 'success');
    f['user.target.name'] = (m[1] ?? m[4]) as string;
    f['user.name'] = (m[2] ?? m[5]) as string;
    if (m[3] !== undefined) f['system.auth.su.tty'] = m[3];
    return event(f);
  }
  return parsePamSession(message) ?? skip('su message of no known kind');
}

function logind(message: string): ProgramResult {
  let m = LOGIND_NEW.exec(message);
  if (m !== null) {
    const f = fields('session-opened', SESSION, START, 'success');
    f['user.name'] = m[2] as string;
    f['system.auth.session.id'] = m[1] as string;
    return event(f);
  }
  m = LOGIND_REMOVED.exec(message);
  if (m !== null) {
    const f = fields('session-closed', SESSION, END, 'success');
    f['system.auth.session.id'] = m[1] as string;
    return event(f);
  }
  return skip('systemd-logind message of no known kind');
}

function fields(action: AccountAction, category: AccountCategory[], type: AccountType[], outcome: Outcome): Fields {
  return { 'event.action': action, 'event.category': category, 'event.type': type, 'event.outcome': outcome };
}

function event(f: Fields): ProgramResult {
  return { kind: 'event', fields: f };
}

function skip(reason: string): ProgramResult {
  return { kind: 'skip', reason };
}
