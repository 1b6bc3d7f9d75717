import { isDigitAt, isValidTime, readDigits, scanFraction, scanIsoTime, yearlessTime, type ScannedTime, type YearHints } from './syslog-time';

/** The header of one syslog or journal line, and the message after it. */
export interface SyslogHeader {
  /** Epoch ms: from the line, or the envelope time / now for lines that carry none. */
  time: number;
  hostname: string | undefined;
  /** Undefined only for RFC5424 lines whose APP-NAME is `-`. */
  program: string | undefined;
  pid: number | undefined;
  /** The message, without leading blanks and without the RFC5424 BOM. */
  message: string;
  priority: SyslogPriority | undefined;
}

export interface SyslogPriority {
  priority: number;
  facility: number;
  severity: number;
}

export type HeaderResult = SyslogHeader | { error: string };

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};
const SPACE = 32;
const MAX_PID_DIGITS = 10;
const PRIORITY_NUMBER = /^\d{1,3}$/;
const FACILITY_NUMBER = /^\d{1,2}$/;
const SEVERITY_NUMBER = /^\d$/;
const PROCID_NUMBER = /^\d{1,10}$/;

/**
 * Reads the header of a syslog line in any of the shapes auth logs arrive in:
 * `[<PRI>]Mmm dd hh:mm:ss host prog[pid]: msg` (RFC3164, optional `<fac.sev>` priority),
 * `YYYY-MM-DDThh:mm:ss[.frac][offset] host prog[pid]: msg` (rsyslog/journalctl ISO; also with
 * a space for the T, as macOS `log show` writes `2020-03-23 06:47:42.801612-0700  host ...`),
 * `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG` (RFC5424) and `host prog[pid]: msg`
 * (journal exports with no timestamp). The host may be missing before the tag. Timestamps
 * without an offset are read in `hints.timeZone` (UTC when none).
 */
export function parseSyslogHeader(line: string, hints: YearHints): HeaderResult {
  let pos = 0;
  let priority: SyslogPriority | undefined;
  if (line.charCodeAt(0) === 60 /* < */) {
    const scanned = scanPriority(line);
    if ('error' in scanned) return scanned;
    priority = scanned.priority;
    pos = scanned.end;
    if (line[pos] === '1' && line.charCodeAt(pos + 1) === SPACE) return parseRfc5424(line, pos + 2, priority, hints);
  }
  const stamp = scanTimestamp(line, pos, hints);
  if (stamp !== undefined && 'error' in stamp) return stamp;
  let time: number;
  if (stamp === undefined) {
    time = hints.envelopeTime ?? hints.now;
  } else {
    if (!isBlankAt(line, stamp.end)) return { error: `no space after the timestamp '${clip(line.slice(pos, stamp.end + 1))}'` };
    time = stamp.time;
    // macOS `log show --style syslog` pads the timestamp with two spaces; some exports use a tab.
    pos = stamp.end;
    while (isBlankAt(line, pos)) pos++;
  }
  if (!isValidTime(time)) return { error: 'timestamp out of range' };
  return readHostAndTag(line, pos, time, priority, stamp !== undefined);
}

function readHostAndTag(line: string, start: number, time: number, priority: SyslogPriority | undefined, timestamped: boolean): HeaderResult {
  let hostname: string | undefined;
  let tag = scanTag(line, start);
  if (tag === undefined) {
    const hostEnd = line.indexOf(' ', start);
    if (hostEnd > start) {
      hostname = line.slice(start, hostEnd);
      tag = scanTag(line, skipSpaces(line, hostEnd));
    }
  }
  if (tag === undefined) {
    return { error: timestamped ? "no 'program[pid]:' tag after the timestamp and host" : "not a syslog line: no timestamp and no 'host program[pid]:' header" };
  }
  let message = line.slice(skipSpaces(line, tag.end));
  // Solaris and illumos put a message ID and facility.level before the text: `[ID 800047 auth.info] `.
  const solarisId = message.charCodeAt(0) === 91 /* [ */ ? SOLARIS_MESSAGE_ID.exec(message) : null;
  if (solarisId !== null) message = message.slice(solarisId[0].length);
  return { time, hostname, program: tag.program, pid: tag.pid, message, priority };
}

const SOLARIS_MESSAGE_ID = /^\[ID \d+ [a-z0-9]+\.[a-z]+\] /;

interface Tag {
  program: string;
  pid: number | undefined;
  end: number;
}

/**
 * Reads `prog[pid]:`, `prog:`, or `[prog]:` / `[prog]` (a program with no pid, as some
 * platforms write it), followed by a space or the end of the line.
 */
function scanTag(line: string, start: number): Tag | undefined {
  if (line.charCodeAt(start) === 91 /* [ */) {
    const close = line.indexOf(']', start + 1);
    const program = close < 0 ? '' : line.slice(start + 1, close);
    if (program === '' || /[\s[\]:]/.test(program)) return undefined;
    const end = line.charCodeAt(close + 1) === 58 /* : */ ? close + 2 : close + 1;
    return end < line.length && line.charCodeAt(end) !== SPACE ? undefined : { program, pid: undefined, end };
  }
  let i = start;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 91 /* [ */ || c === 58 /* : */ || c <= SPACE) break;
  }
  if (i === start) return undefined;
  const program = line.slice(start, i);
  let pid: number | undefined;
  if (line.charCodeAt(i) === 91) {
    const pidStart = i + 1;
    let j = pidStart;
    while (isDigitAt(line, j)) j++;
    if (j === pidStart || j - pidStart > MAX_PID_DIGITS || line.charCodeAt(j) !== 93 /* ] */) return undefined;
    pid = Number(line.slice(pidStart, j));
    i = j + 1;
  }
  if (line.charCodeAt(i) !== 58) return undefined;
  i++;
  if (i < line.length && line.charCodeAt(i) !== SPACE) return undefined;
  return { program, pid, end: i };
}

/**
 * An RFC3164 or ISO timestamp at `pos`; undefined when the text does not start like one
 * (journal lines), an error when it does but cannot be read.
 */
function scanTimestamp(line: string, pos: number, hints: YearHints): ScannedTime | { error: string } | undefined {
  const month = MONTHS[line.slice(pos, pos + 3)];
  if (month !== undefined && line.charCodeAt(pos + 3) === SPACE) return scanBsdTime(line, pos, month, hints);
  if (readDigits(line, pos, 4) >= 0 && line[pos + 4] === '-') {
    const iso = scanIsoTime(line, pos, hints.timeZone);
    if (iso === undefined) return { error: `malformed ISO-8601 timestamp '${clip(line.slice(pos, tokenEnd(line, pos)))}'` };
    if (Number.isNaN(iso.time)) return { error: `invalid date '${clip(line.slice(pos, iso.end))}'` };
    return iso;
  }
  return undefined;
}

/** `Mmm dd hh:mm:ss[.frac]` with the day space-padded, zero-padded or bare. */
function scanBsdTime(line: string, pos: number, month: number, hints: YearHints): ScannedTime | { error: string } | undefined {
  let i = pos + 4;
  if (line.charCodeAt(i) === SPACE) i++;
  if (!isDigitAt(line, i)) return undefined;
  const twoDigitDay = isDigitAt(line, i + 1);
  const day = readDigits(line, i, twoDigitDay ? 2 : 1);
  i += twoDigitDay ? 2 : 1;
  const hour = readDigits(line, i + 1, 2);
  const minute = readDigits(line, i + 4, 2);
  const second = readDigits(line, i + 7, 2);
  if (line.charCodeAt(i) !== SPACE || line[i + 3] !== ':' || line[i + 6] !== ':' || hour < 0 || minute < 0 || second < 0) {
    return { error: `malformed syslog timestamp '${clip(line.slice(pos, pos + 20))}'` };
  }
  const fraction = scanFraction(line, i + 9);
  const time = yearlessTime(month, day, hour, minute, second, fraction.ms, hints);
  if (Number.isNaN(time)) return { error: `invalid date '${line.slice(pos, i + 9)}'` };
  return { time, end: fraction.end };
}

/** `<PRI>` (0-191) or the `<facility.severity>` form some exports write. */
function scanPriority(line: string): { priority: SyslogPriority; end: number } | { error: string } {
  const close = line.indexOf('>', 1);
  const text = close > 0 && close <= 8 ? line.slice(1, close) : '';
  const dot = text.indexOf('.');
  let facility: number;
  let severity: number;
  if (dot < 0) {
    const value = PRIORITY_NUMBER.test(text) ? Number(text) : NaN;
    facility = Math.floor(value / 8);
    severity = value % 8;
  } else {
    facility = FACILITY_NUMBER.test(text.slice(0, dot)) ? Number(text.slice(0, dot)) : NaN;
    severity = SEVERITY_NUMBER.test(text.slice(dot + 1)) ? Number(text.slice(dot + 1)) : NaN;
  }
  if (!(facility >= 0 && facility <= 23 && severity >= 0 && severity <= 7)) {
    return { error: `invalid syslog priority '${clip(line.slice(0, close > 0 ? close + 1 : 10))}'` };
  }
  return { priority: { priority: facility * 8 + severity, facility, severity }, end: close + 1 };
}

/** `1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`, with `pos` after the version. */
function parseRfc5424(line: string, pos: number, priority: SyslogPriority, hints: YearHints): HeaderResult {
  let time: number;
  let i: number;
  if (line[pos] === '-') {
    time = hints.envelopeTime ?? hints.now;
    i = pos + 1;
  } else {
    const iso = scanIsoTime(line, pos, hints.timeZone);
    if (iso === undefined || Number.isNaN(iso.time)) return { error: `invalid RFC5424 timestamp '${clip(line.slice(pos, pos + 32))}'` };
    time = iso.time;
    i = iso.end;
  }
  if (!isValidTime(time)) return { error: 'timestamp out of range' };
  const fields: string[] = [];
  for (let n = 0; n < 4; n++) {
    if (line.charCodeAt(i) !== SPACE) return { error: 'RFC5424 header is missing HOSTNAME, APP-NAME, PROCID or MSGID' };
    const end = tokenEnd(line, i + 1);
    if (end === i + 1) return { error: 'RFC5424 header has an empty field' };
    fields.push(line.slice(i + 1, end));
    i = end;
  }
  const [host, app, procid] = fields as [string, string, string, string];
  if (line.charCodeAt(i) !== SPACE) return { error: 'RFC5424 header is missing STRUCTURED-DATA' };
  const sdEnd = skipStructuredData(line, i + 1);
  if (sdEnd < 0) return { error: 'malformed RFC5424 STRUCTURED-DATA' };
  let message = sdEnd < line.length && line.charCodeAt(sdEnd) === SPACE ? line.slice(sdEnd + 1) : '';
  if (sdEnd < line.length && line.charCodeAt(sdEnd) !== SPACE) return { error: 'no space after RFC5424 STRUCTURED-DATA' };
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  return {
    time,
    hostname: host === '-' ? undefined : host,
    program: app === '-' ? undefined : app,
    pid: PROCID_NUMBER.test(procid) ? Number(procid) : undefined,
    message: message.slice(skipSpaces(message, 0)),
    priority,
  };
}

/** The index after `-` or a run of `[id param="value" ...]` elements; -1 when malformed. */
function skipStructuredData(line: string, pos: number): number {
  if (line[pos] === '-') return pos + 1;
  if (line[pos] !== '[') return -1;
  let i = pos;
  while (line[i] === '[') {
    i = skipSdElement(line, i + 1);
    if (i < 0) return -1;
  }
  return i;
}

/** From inside `[`, the index after the closing `]` (quotes and `\`-escapes honoured); -1 when unterminated. */
function skipSdElement(line: string, start: number): number {
  let inQuotes = false;
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inQuotes) i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (c === ']' && !inQuotes) return i + 1;
  }
  return -1;
}

function tokenEnd(line: string, pos: number): number {
  const end = line.indexOf(' ', pos);
  return end < 0 ? line.length : end;
}

function isBlankAt(line: string, pos: number): boolean {
  const c = line.charCodeAt(pos);
  return c === SPACE || c === 9 /* tab */;
}

function skipSpaces(line: string, pos: number): number {
  let i = pos;
  while (line.charCodeAt(i) === SPACE) i++;
  return i;
}

/** A short excerpt of (possibly attacker-written) text for an error message. */
export function clip(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
