import { generic, ok, parseError, skipped, unbuilt, type FieldValue, type KlaxonEvent, type Outcome, type ParseResult } from '../events/event';
import { isIpAddress, isIpv4, mappedIpv4 } from '../events/ip';
import { ACCOUNT_PROGRAMS, parseAccountMessage, parsePamSession } from './account-programs';
import { clip, parseSyslogHeader, type SyslogHeader } from './syslog-header';
import { toIsoString } from './syslog-time';
import { BANNER_EXCHANGE, DISCONNECTED, FATAL, Family, MAX_TRIES, PAM_ERROR, PROTOCOL_DIFFERS, RECEIVED_DISCONNECT, REVERSE_MAPPING, ROOT_REFUSED, UNABLE_TO_NEGOTIATE, BAD_PROTOCOL, NO_IDENT, sshFamily, withoutPreauth, type FamilyId } from './sshd-families';

/**
 * SSH / auth-log lines (sshd, sshd-session, sudo, PAM) to ECS events, with the field values
 * of Elastic's system.auth pipeline. Speed matters (whole auth logs are scanned): the header
 * is scanned by hand, messages are told apart by first character and `startsWith`, and no
 * regular expression runs on the common messages.
 *
 * Usernames, reverse-DNS names and the like are attacker-controlled: they are kept verbatim
 * as data. Where a username may contain spaces or the word "from", the address is found from
 * the right (the last ` from ADDR ...` whose tail reads as an address).
 */

export interface AuthLineContext {
  /** epoch ms of the CloudWatch log event carrying the line, when there is one: gives the year of RFC3164 lines (unless `year` is forced) and the time of lines with no timestamp */
  envelopeTime?: number;
  /** a forced year for RFC3164 lines (the CLI's --year): wins over envelopeTime */
  year?: number;
  /** now, epoch ms: used for year inference when there is neither year nor envelopeTime, and as the time of timestamp-less lines without envelope */
  now: number;
  /** the IANA zone of timestamps written without an offset (RFC3164, ISO without one): UTC when undefined */
  timeZone?: string;
  /**
   * Which message families (AUTH_FAMILIES, by index) to build events of; the lines of the
   * others are counted as unbuilt events. Undefined: every line is built.
   */
  buildFamilies?: readonly boolean[];
}

type Fields = Record<string, FieldValue>;

/**
 * The event.action, event.category and event.type values of sshd and sudo lines (the account
 * programs' are in account-programs.ts): the parser builds its events from these, and rule
 * validation checks values against them.
 */
export const SSH_ACTIONS = ['ssh_login', 'ssh_connection', 'sudo'] as const;
export const SSH_CATEGORIES = ['authentication', 'session', 'network', 'process'] as const;
export const SSH_TYPES = ['info', 'start', 'connection', 'end', 'denied'] as const;
type SshAction = (typeof SSH_ACTIONS)[number];
type SshCategory = (typeof SSH_CATEGORIES)[number];
type SshType = (typeof SSH_TYPES)[number];
type MessageResult = { kind: 'event'; fields: Fields } | { kind: 'skip'; reason: string } | { kind: 'error'; message: string };

/** The program names sshd logs under, across OpenSSH versions and PAM builds. */
export const SSH_PROGRAMS: ReadonlySet<string> = new Set(['sshd', 'sshd-session', 'sshd-auth', 'sshd(pam_unix)']);
/**
 * `message repeated N times` beyond this yields this many events, tagged, so one line cannot
 * exhaust memory (N is up to 999,999,999). The logged N stays in `system.auth.ssh.repeated`.
 */
export const MAX_REPEAT = 1_000;
export const REPEAT_TRUNCATED_TAG = 'klaxon_repeat_truncated';
const BLANK = /^\s*$/;
const HOSTNAME = /^[\w.-]+$/;

export function parseAuthLine(line: string, ctx: AuthLineContext): ParseResult {
  try {
    return parseLine(line, ctx);
  } catch (err) {
    // Not expected (fuzzed in the tests); kept so one odd line can never sink a batch.
    return parseError(`internal parser error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseLine(line: string, ctx: AuthLineContext): ParseResult {
  if (typeof line !== 'string') return parseError('line is not text');
  let text = withoutLineEnd(line);
  if (text.length === 0 || (text.charCodeAt(0) <= 32 && BLANK.test(text))) return skipped('empty line');
  if (text.charCodeAt(0) <= 32) text = text.trimStart();
  const header = parseSyslogHeader(text, ctx);
  if ('error' in header) return parseError(header.error);
  const program = header.program;
  let message = header.message;
  // Some platforms end a line with a space (macOS, older PAM); the messages are read without it.
  if (message.charCodeAt(message.length - 1) === 32) message = message.trimEnd();
  /** The N of `message repeated N times`, undefined for a plain line. */
  let count: number | undefined;
  if (message.startsWith(REPEATED)) {
    const repeated = readRepeated(message);
    if (repeated === undefined) return unknownMessage(header, line, message, undefined, "malformed 'message repeated N times: [ ... ]'");
    ({ message, count } = repeated);
  }
  const ssh = program !== undefined && SSH_PROGRAMS.has(program);
  const body = ssh ? withoutPreauth(message) : message;
  const family = ssh ? sshFamily(body) : otherFamily(program, message);
  // A family no loaded rule can match: counted, not built.
  if (ctx.buildFamilies !== undefined && ctx.buildFamilies[family] !== true) return unbuilt(Math.min(count ?? 1, MAX_REPEAT), family === Family.Generic);
  const result = ssh ? parseSshMessage(family, body) : parseOtherMessage(family, program, message);
  if (result === undefined || result.kind === 'skip') return unknownMessage(header, line, message, count);
  if (result.kind === 'error') return unknownMessage(header, line, message, count, result.message);
  return ok(buildEvents(header, line, message, result.fields, count));
}

/** The family of a line of any program but sshd's. */
function otherFamily(program: string | undefined, message: string): FamilyId {
  if (program === 'sudo') return Family.Sudo;
  if (program !== undefined && ACCOUNT_PROGRAMS.has(program)) return Family.Account;
  // PAM's session lines read the same under any program (cron, systemd, login, runuser…).
  return message.startsWith('pam_unix(') ? Family.PamSession : Family.Generic;
}

function parseOtherMessage(family: FamilyId, program: string | undefined, message: string): MessageResult | undefined {
  if (family === Family.Sudo) return parseSudoMessage(message);
  if (family === Family.Account) return parseAccountMessage(program as string, message);
  return family === Family.PamSession ? parsePamSession(message) : undefined;
}

/**
 * Every line whose header reads is an event, so a rule can match any program's line by
 * `process.name` and `message`: a message Klaxon does not know (or knows but could not read:
 * `problem`, also in `error.message`) carries the header fields only.
 */
function unknownMessage(header: SyslogHeader, line: string, message: string, count: number | undefined, problem?: string): ParseResult {
  const located = problem === undefined ? undefined : header.program === undefined ? problem : `${clip(header.program)}: ${problem}`;
  const fields: Fields = located === undefined ? {} : { 'error.message': located };
  return generic(buildEvents(header, line, message, fields, count), located);
}

function withoutLineEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 10 || line.charCodeAt(end - 1) === 13)) end--;
  return end === line.length ? line : line.slice(0, end);
}

// ---------------------------------------------------------------- events

/** One event, or min(repeated, MAX_REPEAT) for a `message repeated N times` line, each carrying N. */
function buildEvents(header: SyslogHeader, line: string, message: string, fields: Fields, repeated: number | undefined): KlaxonEvent[] {
  const f = fields;
  f['@timestamp'] = toIsoString(header.time);
  f['event.source'] = 'ssh';
  f['event.original'] = line;
  f['event.kind'] = 'event';
  f['message'] = message;
  if (header.hostname !== undefined) f['host.hostname'] = header.hostname;
  if (header.program !== undefined) f['process.name'] = header.program;
  if (header.pid !== undefined) f['process.pid'] = header.pid;
  if (header.priority !== undefined) {
    f['log.syslog.priority'] = header.priority.priority;
    f['log.syslog.facility.code'] = header.priority.facility;
    f['log.syslog.severity.code'] = header.priority.severity;
  }
  addRelated(f);
  const events: KlaxonEvent[] = [{ timestamp: header.time, source: 'ssh', fields: f }];
  if (repeated === undefined) return events;
  f['system.auth.ssh.repeated'] = repeated;
  if (repeated > MAX_REPEAT) f['tags'] = [REPEAT_TRUNCATED_TAG];
  const count = Math.min(repeated, MAX_REPEAT);
  for (let i = 1; i < count; i++) events.push({ timestamp: header.time, source: 'ssh', fields: copyFields(f) });
  return events;
}

/** A copy whose lists are copies too, so later per-event enrichment never leaks between events. */
function copyFields(fields: Fields): Fields {
  const copy: Fields = {};
  for (const key in fields) {
    const value = fields[key] as FieldValue;
    copy[key] = Array.isArray(value) ? value.slice() : value;
  }
  return copy;
}

function addRelated(f: Fields): void {
  const ip = f['source.ip'];
  if (typeof ip === 'string') f['related.ip'] = [ip];
  const user = f['user.name'];
  const effective = f['user.effective.name'];
  const users: string[] = [];
  if (typeof user === 'string' && user !== '') users.push(user);
  if (typeof effective === 'string' && effective !== '' && effective !== user) users.push(effective);
  if (users.length > 0) f['related.user'] = users;
}

function event(fields: Fields): MessageResult {
  return { kind: 'event', fields };
}

function skip(reason: string): MessageResult {
  return { kind: 'skip', reason };
}

function fail(message: string): MessageResult {
  return { kind: 'error', message };
}

/** The values of `system.auth.ssh.event`: each sshd message family the parser reads (the README's table lists them). */
export const SSH_EVENTS = [
  'Accepted',
  'Failed',
  'Invalid',
  'AuthFailure',
  'MaxAuthTries',
  'TooManyAuthFailures',
  'NotAllowed',
  'ConnectionClosed',
  'ConnectionReset',
  'NoIdentification',
  'BreakInAttempt',
  'RootLoginRefused',
  'Disconnected',
  'NegotiationFailed',
  'BadProtocolVersion',
  'RefusedConnect',
  'Postponed',
  'ClientGaveUp',
  'ReceivedDisconnect',
  'LoginGraceTimeout',
  'BannerExchangeFailed',
  'ProtocolMismatch',
  'ConnectionDropped',
  'Penalty',
] as const;
type SshEvent = (typeof SSH_EVENTS)[number];

/**
 * A login attempt. As in Elastic's pipeline: event.type ['info']; category ['authentication'],
 * plus 'session' when the login succeeded (a session starts).
 */
/**
 * The constant lists of event.category and event.type, shared by every event rather than
 * allocated per line. Frozen: nothing may change an event's lists in place (copyFields
 * copies them for repeated events, and would still copy these).
 */
const categories = (...values: SshCategory[]): string[] => Object.freeze(values) as string[];
const types = (...values: SshType[]): string[] => Object.freeze(values) as string[];
const AUTHENTICATION = categories('authentication');
const AUTHENTICATION_SESSION = categories('authentication', 'session');
const NETWORK = categories('network');
const PROCESS = categories('process');
const INFO = types('info');
const START = types('start');
const CONNECTION = types('connection');
const CONNECTION_END = types('connection', 'end');
const CONNECTION_DENIED = types('connection', 'denied');
const DENIED = types('denied');

function login(sshEvent: SshEvent, outcome: Outcome, user: string | undefined, endpoint: Endpoint | undefined): Fields {
  const f: Fields = {
    'event.action': 'ssh_login' satisfies SshAction,
    'event.outcome': outcome,
    'event.category': outcome === 'success' ? AUTHENTICATION_SESSION : AUTHENTICATION,
    'event.type': INFO,
    'system.auth.ssh.event': sshEvent,
  };
  if (user !== undefined) f['user.name'] = user;
  if (endpoint !== undefined) setSource(f, endpoint);
  return f;
}

/**
 * A connection-level event (no login decided). event.category ['network']; event.type
 * ['connection', 'end'] for a closed/reset connection, ['connection'] for a client that never
 * spoke, ['info'] for a reverse-DNS warning.
 */
function connection(sshEvent: SshEvent, types: string[], endpoint: Endpoint): Fields {
  const f: Fields = {
    'event.action': 'ssh_connection' satisfies SshAction,
    'event.category': NETWORK,
    'event.type': types,
    'system.auth.ssh.event': sshEvent,
  };
  setSource(f, endpoint);
  return f;
}

function setSource(f: Fields, endpoint: Endpoint): void {
  f['source.address'] = endpoint.address;
  if (endpoint.ip !== undefined) f['source.ip'] = endpoint.ip;
  if (endpoint.port !== undefined) f['source.port'] = endpoint.port;
}

// ---------------------------------------------------------------- addresses

interface Endpoint {
  /** As logged: an IP, an IPv4-mapped IPv6 address or a host name. */
  address: string;
  /** The IP, when the address is one (a mapped IPv4 address as plain IPv4). */
  ip: string | undefined;
  port: number | undefined;
  /** What follows the address and port (` ssh2: RSA SHA256:...`), empty at the end. */
  rest: string;
}

function readAddress(token: string): Pick<Endpoint, 'address' | 'ip'> | undefined {
  if (token.length === 0 || token.length > 255) return undefined;
  if (isIpv4(token)) return { address: token, ip: token };
  if (token.includes(':')) return isIpAddress(token) ? { address: token, ip: mappedIpv4(token) ?? token } : undefined;
  return HOSTNAME.test(token) ? { address: token, ip: undefined } : undefined;
}

/** `ADDR[ port N]...` at `start`; undefined when ADDR is not an address or the port is not a port. */
function readEndpoint(text: string, start: number): Endpoint | undefined {
  const space = text.indexOf(' ', start);
  const end = space < 0 ? text.length : space;
  const address = readAddress(text.slice(start, end));
  if (address === undefined) return undefined;
  let pos = end;
  let port: number | undefined;
  if (text.startsWith(' port ', pos)) {
    const digitsEnd = scanDigits(text, pos + 6);
    port = readPort(text.slice(pos + 6, digitsEnd));
    if (port === undefined) return undefined;
    pos = digitsEnd;
  }
  return { address: address.address, ip: address.ip, port, rest: text.slice(pos) };
}

function scanDigits(text: string, start: number): number {
  let i = start;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i));
  return i;
}

function readPort(digits: string): number | undefined {
  if (digits.length === 0 || digits.length > 5) return undefined;
  const port = Number(digits);
  return port <= 65535 ? port : undefined;
}

type TailCheck = (endpoint: Endpoint) => boolean;
/**
 * How Accepted/Failed lines end: `port N ssh2[: signature]`, `ssh1` for the old protocol, and
 * on some platforms and versions no port (auth.c: "%s %s%s from %.200s port %d %s%s%s").
 */
const LOGIN_TAIL: TailCheck = (e) => e.rest === '' || e.rest === ' ssh2' || e.rest === ' ssh1' || e.rest.startsWith(' ssh2: ') || e.rest.startsWith(' ssh1: ');
const NOTHING_AFTER: TailCheck = (e) => e.rest === '';

/**
 * Splits `USER from ADDR...` (from `userStart`) at the last ` from ` whose tail passes `check`,
 * so usernames containing spaces or " from " stay whole.
 */
function splitUserFrom(text: string, userStart: number, check: TailCheck): { user: string; endpoint: Endpoint } | undefined {
  for (let at = text.lastIndexOf(' from '); at >= userStart; at = text.lastIndexOf(' from ', at - 1)) {
    const endpoint = readEndpoint(text, at + 6);
    if (endpoint !== undefined && check(endpoint)) return { user: text.slice(userStart, at), endpoint };
    if (at === 0) break;
  }
  return undefined;
}

type RemoteKind = 'authenticating user' | 'invalid user' | 'user' | undefined;
const REMOTE_KINDS = ['authenticating user', 'invalid user', 'user'] as const;

/** OpenSSH's remote id: `[authenticating user U |invalid user U |user U ]ADDR[ port N]`, read from the right. */
function readRemoteId(text: string): { kind: RemoteKind; user: string | undefined; endpoint: Endpoint } | undefined {
  let end = text.length;
  let port: number | undefined;
  const portAt = text.lastIndexOf(' port ');
  if (portAt >= 0 && scanDigits(text, portAt + 6) === end) {
    port = readPort(text.slice(portAt + 6));
    if (port === undefined) return undefined;
    end = portAt;
  }
  const space = text.lastIndexOf(' ', end - 1);
  const address = readAddress(text.slice(space + 1, end));
  if (address === undefined) return undefined;
  const endpoint: Endpoint = { address: address.address, ip: address.ip, port, rest: '' };
  if (space < 0) return { kind: undefined, user: undefined, endpoint };
  for (const kind of REMOTE_KINDS) {
    if (text.startsWith(kind, 0) && text.charCodeAt(kind.length) === 32) return { kind, user: text.slice(kind.length + 1, space), endpoint };
  }
  return undefined;
}

// ---------------------------------------------------------------- sshd messages

const REPEATED = 'message repeated ';
const INVALID_USER = 'invalid user ';
/** The pam_strerror texts auth-pam.c writes as `error: PAM: TEXT for [illegal user ]USER from HOST[ via ADDR]`. */
const PAM_AUTH_ERRORS = ['Authentication failure for ', 'authentication error for ', 'User not known to the underlying authentication module for '];
const TOO_MANY = ': Too many authentication failures';
const OLD_TOO_MANY = 'Disconnecting: Too many authentication failures';
const NOT_ALLOWED = ' not allowed because ';
const NOT_AUTH = 'sshd message is not an authentication event';
const GRACE_TIMEOUT = 'Timeout before authentication for ';
const DROP_CONNECTION = /^drop connection #\d+ from \[([^\]]+)\]:(\d+) on \[[^\]]+\]:\d+ (.+)$/;
/** srclimit.c (OpenSSH 9.8+, PerSourcePenalties): a new penalty, or one that accumulated past PerSourcePenalties' min. */
const PENALTY_NEW = /^srclimit_penalise: ipv[46]: new (\S+) (active|deferred) penalty of [\d.]+ seconds for (penalty: .+)$/;
const PENALTY_ACTIVATING = /^srclimit_penalise: (\S+): activating ipv[46] penalty of [\d.]+ seconds for (penalty: .+)$/;
const PAM_MORE_FAILURES = /^PAM (\d+) more authentication failures?;/;
const PAM_SUCCEED_IF = /^pam_succeed_if\(sshd:auth\): requirement ".*" not met by user "([^"]*)"$/;
/** What JSch-based clients (scanners among them) send when they give up authenticating. */
const AUTH_FAIL = 'Auth fail';

/** An sshd message of a family (sshFamily) read into fields. */
function parseSshMessage(family: FamilyId, body: string): MessageResult {
  switch (family) {
    case Family.Accepted:
      return parseAttempt(body, 'Accepted');
    case Family.AddressMismatch:
      return parseAddressMismatch(body);
    case Family.ConnectionClosed:
      return parseConnectionEnd(body, 21, 'ConnectionClosed');
    case Family.ConnectionReset:
      return parseConnectionEnd(body, 20, 'ConnectionReset');
    case Family.BadProtocol:
      return parseBadProtocol(body);
    case Family.Disconnected:
      return parseConnectionEnd(body, DISCONNECTED.length, 'Disconnected');
    case Family.Disconnecting:
      return parseTooManyFailures(body);
    case Family.NoIdentification:
      return parseNoIdentification(body);
    case Family.Failed:
      return parseAttempt(body, 'Failed');
    case Family.Fatal:
      return parseFatal(body.slice(FATAL.length));
    case Family.BannerExchange:
      return parseScannerConnection(body, BANNER_EXCHANGE.length, 'BannerExchangeFailed');
    case Family.DropConnection:
      return parseDroppedConnection(body);
    case Family.Penalty:
      return parsePenalty(body);
    case Family.InvalidUser:
      return parseUserFrom(body, 13, 'Invalid', NOTHING_AFTER);
    case Family.Postponed:
      return parseAttempt(body, 'Postponed');
    case Family.ProtocolDiffers:
      return parseScannerConnection(body, PROTOCOL_DIFFERS.length, 'ProtocolMismatch');
    case Family.PamMore:
      return parsePamMoreFailures(body);
    case Family.RootRefused:
      return parseRootRefused(body);
    case Family.ReceivedDisconnect:
      return parseReceivedDisconnect(body);
    case Family.UserNotAllowed:
      return parseNotAllowed(body);
    case Family.UnableToNegotiate:
      return parseNegotiationFailure(body);
    case Family.PamBareFailure:
    case Family.PamSshdFailure:
      return parsePamFailure(body);
    case Family.PamError:
      return parsePamError(body);
    case Family.MaxTries:
      return parseUserFrom(body, MAX_TRIES.length, 'MaxAuthTries', LOGIN_TAIL);
    case Family.PamSucceedIf:
      return parsePamSucceedIf(body);
    case Family.SshdSession:
      return parsePamSession(body) ?? skip(NOT_AUTH);
    case Family.ReverseMapping:
      return parseReverseMapping(body);
    case Family.RefusedConnect:
      return parseRefusedConnect(body);
    default:
      return skip(NOT_AUTH);
  }
}

/** `Accepted|Failed|Postponed METHOD for [invalid user ]USER from ADDR port N ssh2[: SIGNATURE]`; Postponed (more to come) has no outcome. */
function parseAttempt(body: string, sshEvent: 'Accepted' | 'Failed' | 'Postponed'): MessageResult {
  const methodStart = sshEvent.length + 1;
  const methodEnd = body.indexOf(' ', methodStart);
  if (methodEnd <= methodStart || !body.startsWith(' for ', methodEnd)) return skip(`'${sshEvent}' message is not a login attempt`);
  let userStart = methodEnd + 5;
  if (body.startsWith(INVALID_USER, userStart)) userStart += INVALID_USER.length;
  const split = splitUserFrom(body, userStart, LOGIN_TAIL);
  if (split === undefined) return fail(`cannot read user, address and port in '${clip(body, 60)}'`);
  const f = login(sshEvent, sshEvent === 'Accepted' ? 'success' : 'failure', split.user, split.endpoint);
  if (sshEvent === 'Postponed') delete f['event.outcome'];
  f['system.auth.ssh.method'] = body.slice(methodStart, methodEnd);
  if (split.endpoint.rest.length > 7) f['system.auth.ssh.signature'] = split.endpoint.rest.slice(7);
  return event(f);
}

/** `PREFIX[invalid user ]USER from ADDR...`: Invalid user, maximum authentication attempts exceeded. */
function parseUserFrom(body: string, prefixLength: number, sshEvent: SshEvent, check: TailCheck): MessageResult {
  let userStart = prefixLength;
  if (sshEvent !== 'Invalid' && body.startsWith(INVALID_USER, userStart)) userStart += INVALID_USER.length;
  const split = splitUserFrom(body, userStart, check);
  if (split === undefined) return fail(`cannot read user and address in '${clip(body, 60)}'`);
  return event(login(sshEvent, 'failure', split.user, split.endpoint));
}

/** `error: PAM: Authentication failure for|User not known to the underlying authentication module for [illegal user ]USER from ADDR`. */
function parsePamError(body: string): MessageResult {
  const kind = PAM_AUTH_ERRORS.find((text) => body.startsWith(text, PAM_ERROR.length));
  if (kind === undefined) return skip(NOT_AUTH);
  let userStart = PAM_ERROR.length + kind.length;
  if (body.startsWith('illegal user ', userStart)) userStart += 13;
  // Older ports (FreeBSD, macOS) name the host, then the address sshd connected: `from HOST via ADDR`.
  const viaAt = body.lastIndexOf(' via ');
  const via = viaAt > userStart ? readAddress(body.slice(viaAt + 5)) : undefined;
  const split = splitUserFrom(via?.ip === undefined ? body : body.slice(0, viaAt), userStart, NOTHING_AFTER);
  if (split === undefined) return fail(`cannot read user and address in '${clip(body, 60)}'`);
  const endpoint = via?.ip === undefined ? split.endpoint : { ...split.endpoint, ip: via.ip };
  return event(login('AuthFailure', 'failure', split.user, endpoint));
}

/** `fatal: Unable to negotiate with …` and `fatal: Timeout before authentication for ADDR port N` (LoginGraceTime ran out). */
function parseFatal(body: string): MessageResult {
  if (body.startsWith(UNABLE_TO_NEGOTIATE)) return parseNegotiationFailure(body);
  if (body.startsWith(GRACE_TIMEOUT)) {
    const endpoint = readEndpoint(body, GRACE_TIMEOUT.length);
    if (endpoint === undefined || endpoint.rest !== '') return fail(`cannot read the address in '${clip(body, 60)}'`);
    return event(failedConnection('LoginGraceTimeout', endpoint));
  }
  return skip(NOT_AUTH);
}

/** `banner exchange: Connection from ADDR port N: invalid format` and `Protocol major versions differ for ADDR port N: …`: a client that speaks no SSH. */
function parseScannerConnection(body: string, start: number, sshEvent: 'BannerExchangeFailed' | 'ProtocolMismatch'): MessageResult {
  const endpoint = readEndpoint(body, start);
  if (endpoint === undefined || !endpoint.rest.startsWith(':')) return fail(`cannot read the address in '${clip(body, 60)}'`);
  return event(failedConnection(sshEvent, { ...endpoint, rest: '' }));
}

/** `drop connection #N from [ADDR]:PORT on [LADDR]:LPORT REASON` (sshd.c: past MaxStartups, or a PerSourcePenalties penalty). */
function parseDroppedConnection(body: string): MessageResult {
  const m = DROP_CONNECTION.exec(body);
  const address = m === null ? undefined : readAddress(m[1] as string);
  const port = m === null ? undefined : readPort(m[2] as string);
  if (m === null || address === undefined || port === undefined) return fail(`cannot read the address in '${clip(body, 60)}'`);
  const f = connection('ConnectionDropped', CONNECTION_DENIED, { ...address, port, rest: '' });
  f['event.outcome'] = 'failure';
  f['event.reason'] = m[3] as string;
  return event(f);
}

/**
 * PerSourcePenalties (srclimit.c): `srclimit_penalise: ipv4: new NET active|deferred penalty of
 * S seconds for penalty: REASON`, `srclimit_penalise: NET: activating ipv4 penalty of …`. NET is
 * the penalised network (`203.0.113.0/24`); its address is source.ip when it is one host (/32, /128).
 */
function parsePenalty(body: string): MessageResult {
  const fresh = PENALTY_NEW.exec(body);
  const activating = fresh === null ? PENALTY_ACTIVATING.exec(body) : null;
  if (fresh === null && activating === null) return skip(NOT_AUTH);
  const network = (fresh?.[1] ?? activating?.[1]) as string;
  const slash = network.lastIndexOf('/');
  const address = readAddress(slash < 0 ? network : network.slice(0, slash));
  if (address?.ip === undefined) return fail(`cannot read the network in '${clip(body, 60)}'`);
  const oneHost = slash < 0 || network.endsWith(address.ip.includes(':') ? '/128' : '/32');
  const active = activating !== null || fresh?.[2] === 'active';
  const f = connection('Penalty', active ? DENIED : INFO, { address: network, ip: oneHost ? address.ip : undefined, port: undefined, rest: '' });
  f['event.reason'] = (fresh?.[3] ?? activating?.[2]) as string;
  return event(f);
}

/** A connection sshd ended before any login: outcome failure. */
function failedConnection(sshEvent: SshEvent, endpoint: Endpoint): Fields {
  const f = connection(sshEvent, CONNECTION, endpoint);
  f['event.outcome'] = 'failure';
  return f;
}

/** `[pam_unix(sshd:auth): ]authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=ADDR  user=USER`. */
function parsePamFailure(body: string): MessageResult {
  const pam = readPamFailure(body);
  let endpoint: Endpoint | undefined;
  if (pam.rhost !== undefined) {
    const address = readAddress(pam.rhost);
    if (address === undefined) return fail(`unreadable rhost '${clip(pam.rhost)}'`);
    endpoint = { address: address.address, ip: address.ip, port: undefined, rest: '' };
  }
  return event(login('AuthFailure', 'failure', pam.user, endpoint));
}

/** `Disconnecting[ REMOTE-ID]: Too many authentication failures`, and the older `...failures for USER`. */
function parseTooManyFailures(body: string): MessageResult {
  if (body.startsWith(OLD_TOO_MANY)) {
    const rest = body.slice(OLD_TOO_MANY.length);
    if (rest !== '' && !rest.startsWith(' for ')) return skip(NOT_AUTH);
    return event(login('TooManyAuthFailures', 'failure', rest === '' ? undefined : rest.slice(5), undefined));
  }
  const reasonAt = body.lastIndexOf(TOO_MANY);
  if (!body.startsWith('Disconnecting ') || reasonAt < 0 || reasonAt + TOO_MANY.length !== body.length) return skip(NOT_AUTH);
  const remote = readRemoteId(body.slice(14, reasonAt));
  if (remote === undefined) return fail(`cannot read the remote in '${clip(body, 60)}'`);
  return event(login('TooManyAuthFailures', 'failure', remote.user, remote.endpoint));
}

/**
 * `User USER from ADDR not allowed because REASON` (AllowUsers, DenyUsers, groups), or with no
 * address for a local account's own state (auth.c: `User USER not allowed because account is
 * locked`, `… because shell SHELL does not exist`): USER is then a local account, not client text.
 */
function parseNotAllowed(body: string): MessageResult {
  const because = body.lastIndexOf(NOT_ALLOWED);
  if (because < 0) return skip(NOT_AUTH);
  const split = splitUserFrom(body.slice(0, because), 5, NOTHING_AFTER);
  if (split !== undefined) return event(login('NotAllowed', 'failure', split.user, split.endpoint));
  const reason = body.slice(because + NOT_ALLOWED.length);
  if (reason.startsWith('account is locked') || reason.startsWith('shell ')) return event(login('NotAllowed', 'failure', body.slice(5, because), undefined));
  return fail(`cannot read user and address in '${clip(body, 60)}'`);
}

/** `PAM N more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=ADDR  user=USER`: failures beyond the one logged. */
function parsePamMoreFailures(body: string): MessageResult {
  const more = PAM_MORE_FAILURES.exec(body);
  if (more === null) return skip(NOT_AUTH);
  const result = parsePamFailure(body.slice(body.indexOf(';') + 1));
  if (result.kind === 'event') result.fields['system.auth.ssh.repeated'] = Number(more[1]);
  return result;
}

/** `pam_succeed_if(sshd:auth): requirement "…" not met by user "USER"`: PAM turned the account away. */
function parsePamSucceedIf(body: string): MessageResult {
  const m = PAM_SUCCEED_IF.exec(body);
  if (m === null) return skip(NOT_AUTH);
  return event(login('AuthFailure', 'failure', m[1], undefined));
}

/**
 * `Received disconnect from ADDR port N:CODE: TEXT` (older: `from ADDR: CODE: TEXT`). A client
 * that ends with JSch's "Auth fail" gave up authenticating: a failure; otherwise a plain end.
 */
function parseReceivedDisconnect(body: string): MessageResult {
  const rest = body.slice(RECEIVED_DISCONNECT.length);
  const portAt = rest.indexOf(' port ');
  const end = portAt >= 0 ? scanDigits(rest, portAt + 6) : rest.indexOf(': ');
  const endpoint = end < 0 || rest.charCodeAt(end) !== 58 /* : */ ? undefined : readEndpoint(rest.slice(0, end), 0);
  if (endpoint === undefined || endpoint.rest !== '') return fail(`cannot read the address in '${clip(body, 60)}'`);
  const gaveUp = body.endsWith(AUTH_FAIL);
  const f = connection(gaveUp ? 'ClientGaveUp' : 'ReceivedDisconnect', CONNECTION_END, endpoint);
  if (gaveUp) f['event.outcome'] = 'failure';
  return event(f);
}

/** `ROOT LOGIN REFUSED FROM ADDR`: a root login refused by PermitRootLogin (older OpenSSH and Solaris). */
function parseRootRefused(body: string): MessageResult {
  const endpoint = readEndpoint(body, ROOT_REFUSED.length);
  if (endpoint === undefined || !LOGIN_TAIL(endpoint)) return fail(`cannot read the address in '${clip(body, 60)}'`);
  return event(login('RootLoginRefused', 'failure', 'root', endpoint));
}

/** `Unable to negotiate with ADDR port N: no matching ... found. Their offer: ...`: typically a scanner. */
function parseNegotiationFailure(body: string): MessageResult {
  const endpoint = readEndpoint(body, UNABLE_TO_NEGOTIATE.length);
  // readEndpoint stops at a space: here the port (or the address) ends with a colon.
  const colon = body.indexOf(': ', UNABLE_TO_NEGOTIATE.length);
  const fixed = endpoint ?? (colon < 0 ? undefined : readEndpoint(`${body.slice(0, colon)} `, UNABLE_TO_NEGOTIATE.length));
  if (fixed === undefined) return fail(`cannot read the address in '${clip(body, 60)}'`);
  return event(failedConnection('NegotiationFailed', { ...fixed, rest: '' }));
}

/**
 * `Bad protocol version identification 'TEXT' from ADDR[ port N]`: a client that spoke
 * something else (an HTTP request, a scanner). TEXT is the client's own: the address is the
 * last one, at the end of the line.
 */
function parseBadProtocol(body: string): MessageResult {
  for (let at = body.lastIndexOf(' from '); at >= BAD_PROTOCOL.length; at = body.lastIndexOf(' from ', at - 1)) {
    const endpoint = readEndpoint(body, at + 6);
    if (endpoint !== undefined && endpoint.rest === '') {
      const f = connection('BadProtocolVersion', CONNECTION, endpoint);
      f['event.outcome'] = 'failure';
      return event(f);
    }
  }
  return fail(`cannot read the address in '${clip(body, 60)}'`);
}

/** `refused connect from NAME (ADDR)`: TCP wrappers (hosts.deny) turned the client away. */
function parseRefusedConnect(body: string): MessageResult {
  const open = body.lastIndexOf(' (');
  const address = open < 0 || !body.endsWith(')') ? undefined : readAddress(body.slice(open + 2, -1));
  if (address === undefined) return fail(`cannot read the address in '${clip(body, 60)}'`);
  return event(failedConnection('RefusedConnect', { address: address.address, ip: address.ip, port: undefined, rest: '' }));
}

/**
 * `Connection closed|reset by …`, `Disconnected from …`, each `[authenticating user U |invalid
 * user U |user U ]ADDR[ port N]`: a failure when a login was under way.
 */
function parseConnectionEnd(body: string, prefixLength: number, sshEvent: 'ConnectionClosed' | 'ConnectionReset' | 'Disconnected'): MessageResult {
  const remote = readRemoteId(body.slice(prefixLength));
  if (remote === undefined) return fail(`cannot read the remote in '${clip(body, 60)}'`);
  const f = connection(sshEvent, CONNECTION_END, remote.endpoint);
  if (remote.kind === 'authenticating user' || remote.kind === 'invalid user') f['event.outcome'] = 'failure';
  if (remote.user !== undefined) f['user.name'] = remote.user;
  return event(f);
}

/** `Did not receive identification string from ADDR[ port N]`: a scanner that connected and said nothing. */
function parseNoIdentification(body: string): MessageResult {
  const endpoint = readEndpoint(body, NO_IDENT.length);
  if (endpoint === undefined || endpoint.rest !== '') return fail(`cannot read the address in '${clip(body, 60)}'`);
  return event(failedConnection('NoIdentification', endpoint));
}

/** `reverse mapping checking getaddrinfo for NAME [ADDR] failed[ - POSSIBLE BREAK-IN ATTEMPT!|.]`. */
function parseReverseMapping(body: string): MessageResult {
  const open = body.lastIndexOf(' [');
  const close = body.indexOf('] failed', open);
  if (open < REVERSE_MAPPING.length || close < 0) return fail(`cannot read name and address in '${clip(body, 60)}'`);
  return breakIn(body.slice(open + 2, close), body.slice(REVERSE_MAPPING.length, open));
}

/** `Address ADDR maps to NAME, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!`. */
function parseAddressMismatch(body: string): MessageResult {
  const mapsTo = body.indexOf(' maps to ', 8);
  const nameEnd = body.lastIndexOf(', but this does not map back');
  if (mapsTo < 0 || nameEnd < mapsTo) return skip(NOT_AUTH);
  return breakIn(body.slice(8, mapsTo), body.slice(mapsTo + 9, nameEnd));
}

/** The reverse-DNS name (attacker-controlled through their PTR record) goes to source.domain. */
function breakIn(addressText: string, name: string): MessageResult {
  const address = readAddress(addressText);
  if (address === undefined || address.ip === undefined) return fail(`unreadable address '${clip(addressText)}'`);
  const f = connection('BreakInAttempt', INFO, { address: address.address, ip: address.ip, port: undefined, rest: '' });
  f['source.domain'] = name;
  return event(f);
}

// ---------------------------------------------------------------- PAM key=value

interface PamFailure {
  user: string | undefined;
  rhost: string | undefined;
  tty: string | undefined;
}

/** `... tty=X ruser=Y rhost=Z  user=U`: values up to the next space, `user=` (last) to the end. */
function readPamFailure(text: string): PamFailure {
  const rhostAt = text.indexOf(' rhost=');
  const rhost = pamValue(text, rhostAt, 7);
  const userAt = text.indexOf(' user=', rhostAt < 0 ? 0 : rhostAt + 7);
  const user = userAt < 0 ? undefined : text.slice(userAt + 6);
  return { user: user === '' ? undefined : user, rhost, tty: pamValue(text, text.indexOf(' tty='), 5) };
}

function pamValue(text: string, keyAt: number, keyLength: number): string | undefined {
  if (keyAt < 0) return undefined;
  const start = keyAt + keyLength;
  const space = text.indexOf(' ', start);
  const value = text.slice(start, space < 0 ? text.length : space);
  return value === '' ? undefined : value;
}

// ---------------------------------------------------------------- sudo

const PAM_SUDO_FAILURE = 'pam_unix(sudo:auth): authentication failure;';
const SUDO_KEY = /^[A-Z]+=/;

/**
 * sudo's command log `USER : [ERROR ; ]TTY=... ; PWD=... ; USER=... ; COMMAND=...` and PAM
 * failures. event.category ['process']; event.type ['start'] when the command ran. A refused
 * command gets ['info'] with outcome failure: ECS allows 'denied' only for network-like
 * categories, not for 'process'.
 */
function parseSudoMessage(message: string): MessageResult {
  if (message.startsWith(PAM_SUDO_FAILURE)) {
    const pam = readPamFailure(message);
    const f = sudo('failure');
    if (pam.user !== undefined) f['user.name'] = pam.user;
    if (pam.tty !== undefined) f['system.auth.sudo.tty'] = pam.tty;
    return event(f);
  }
  if (message.startsWith('pam_unix(sudo:session)')) return parsePamSession(message) ?? skip('sudo message is not a command log');
  const separator = message.indexOf(' : ');
  if (separator <= 0) return skip('sudo message is not a command log');
  return parseSudoCommand(message.slice(0, separator), message.slice(separator + 3));
}

function parseSudoCommand(user: string, rest: string): MessageResult {
  let pos = 0;
  let error: string | undefined;
  if (!SUDO_KEY.test(rest)) {
    const semicolon = rest.indexOf(' ; ');
    if (semicolon < 0) return skip('sudo message is not a command log');
    error = rest.slice(0, semicolon);
    pos = semicolon + 3;
  }
  const f = sudo(error === undefined ? 'success' : 'failure');
  f['user.name'] = user;
  if (error !== undefined) setSudoError(f, error);
  let command: string | undefined;
  while (pos < rest.length) {
    const equals = rest.indexOf('=', pos);
    if (equals < 0) break;
    const key = rest.slice(pos, equals);
    if (key === 'COMMAND') {
      command = rest.slice(equals + 1);
      break;
    }
    const semicolon = rest.indexOf(' ; ', equals);
    setSudoKey(f, key, rest.slice(equals + 1, semicolon < 0 ? rest.length : semicolon));
    pos = semicolon < 0 ? rest.length : semicolon + 3;
  }
  if (command === undefined) return fail(`sudo log line without COMMAND=: '${clip(rest, 60)}'`);
  f['system.auth.sudo.command'] = command;
  return event(f);
}

function sudo(outcome: Outcome): Fields {
  return {
    'event.action': 'sudo' satisfies SshAction,
    'event.outcome': outcome,
    'event.category': PROCESS,
    'event.type': outcome === 'success' ? START : INFO,
  };
}

function setSudoKey(f: Fields, key: string, value: string): void {
  switch (key) {
    case 'TTY':
      f['system.auth.sudo.tty'] = value;
      break;
    case 'PWD':
      f['system.auth.sudo.pwd'] = value;
      break;
    case 'USER':
      f['system.auth.sudo.user'] = value;
      f['user.effective.name'] = value;
      break;
  }
}

const INCORRECT_PASSWORD = ' incorrect password attempt';

/** `3 incorrect password attempts` becomes error 'incorrect password attempts' with attempts 3; other errors stay as logged. */
function setSudoError(f: Fields, error: string): void {
  const digitsEnd = scanDigits(error, 0);
  const tail = error.slice(digitsEnd);
  if (digitsEnd > 0 && digitsEnd <= 9 && (tail === INCORRECT_PASSWORD || tail === `${INCORRECT_PASSWORD}s`)) {
    f['system.auth.sudo.error'] = 'incorrect password attempts';
    f['system.auth.sudo.attempts'] = Number(error.slice(0, digitsEnd));
    return;
  }
  f['system.auth.sudo.error'] = error;
}

// ---------------------------------------------------------------- message repeated

/** rsyslog's `message repeated N times: [ MESSAGE]`. */
function readRepeated(message: string): { message: string; count: number } | undefined {
  const digitsEnd = scanDigits(message, REPEATED.length);
  const digits = message.slice(REPEATED.length, digitsEnd);
  if (digits.length === 0 || digits.length > 9 || !message.startsWith(' times: [', digitsEnd) || !message.endsWith(']')) return undefined;
  const count = Number(digits);
  if (count < 1) return undefined;
  let start = digitsEnd + 9;
  if (message.charCodeAt(start) === 32) start++;
  if (start > message.length - 1) return undefined;
  return { message: message.slice(start, message.length - 1), count };
}
