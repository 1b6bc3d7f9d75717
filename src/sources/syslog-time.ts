/** Calendar arithmetic for syslog timestamps, done with Date.UTC so the hot path never parses date strings. */
import { zonedTime } from './time-zone';

export const DAY_MS = 86_400_000;
/** 400 Gregorian years, used to keep years 0-99 literal (Date.UTC maps them to 1900-1999). */
const GREGORIAN_CYCLE_MS = 146_097 * DAY_MS;
/** The largest magnitude a JavaScript Date accepts. */
const MAX_TIME_MS = 8.64e15;
const HALF_YEAR_MS = 182 * DAY_MS;

/** What decides the year of an RFC3164 timestamp, which carries none. */
export interface YearHints {
  /** epoch ms of the CloudWatch log event carrying the line */
  envelopeTime?: number;
  /** a forced year (the CLI's --year): wins over envelopeTime and now */
  year?: number;
  now: number;
  /** The IANA zone of timestamps written without an offset (RFC3164, ISO without one); UTC when undefined. */
  timeZone?: string;
}

export function isValidTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch ms of a UTC calendar time (month 1-12), or NaN when a field is out of range (Feb 30, 24:00, ...). */
export function utcTime(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 60) return NaN;
  if (year >= 0 && year < 100) return Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - GREGORIAN_CYCLE_MS;
  // Date.UTC costs more than reading the rest of a CloudTrail record: the day's start is looked up once per day.
  if (year > 9999 || (hour | 0) !== hour || (minute | 0) !== minute || (second | 0) !== second || (ms | 0) !== ms) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year !== cachedDayYear || month !== cachedDayMonth || day !== cachedDayOfMonth) {
    cachedDayStart = Date.UTC(year, month - 1, day);
    cachedDayYear = year;
    cachedDayMonth = month;
    cachedDayOfMonth = day;
  }
  return cachedDayStart + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

let cachedDayYear = NaN;
let cachedDayMonth = NaN;
let cachedDayOfMonth = NaN;
let cachedDayStart = NaN;

// Caches the bounds of the last year looked up: nearly every line of a batch falls in the same year.
let cachedYear = NaN;
let cachedYearStart = 0;
let cachedYearEnd = -1;

/** The UTC calendar year of an epoch ms. */
export function utcYear(ms: number): number {
  if (ms >= cachedYearStart && ms < cachedYearEnd) return cachedYear;
  const year = new Date(ms).getUTCFullYear();
  cachedYear = year;
  cachedYearStart = utcTime(year, 1, 1, 0, 0, 0, 0);
  cachedYearEnd = utcTime(year + 1, 1, 1, 0, 0, 0, 0);
  return year;
}

/**
 * Epoch ms of a year-less RFC3164 time, read in `hints.timeZone` (UTC when none). The year comes from, in order: the
 * forced year (the CLI's `--year`, an explicit override, so it wins), the CloudWatch envelope
 * time (the year placing the date nearest to it), or `now` (this year, unless that puts the
 * date more than a day in the future: then last year, so a December line read in January
 * lands in December of the year before). NaN when no candidate year has that date (Feb 29
 * outside leap years, Apr 31).
 */
export function yearlessTime(month: number, day: number, hour: number, minute: number, second: number, ms: number, hints: YearHints): number {
  const zone = hints.timeZone;
  // A forced year (the CLI's --year, every line of a scan) needs no closure to try other years.
  if (hints.year !== undefined) return zonedTime(utcTime(hints.year, month, day, hour, minute, second, ms), zone);
  const at = (year: number): number => zonedTime(utcTime(year, month, day, hour, minute, second, ms), zone);
  const envelope = hints.envelopeTime;
  if (envelope !== undefined && isValidTime(envelope)) return nearestTo(envelope, at);
  if (!isValidTime(hints.now)) return NaN;
  const year = utcYear(hints.now);
  const sameYear = at(year);
  return sameYear <= hints.now + DAY_MS ? sameYear : at(year - 1);
}

function nearestTo(reference: number, at: (year: number) => number): number {
  const year = utcYear(reference);
  const same = at(year);
  if (Math.abs(same - reference) <= HALF_YEAR_MS) return same;
  let best = same;
  for (const candidate of [at(year - 1), at(year + 1)]) {
    if (Number.isNaN(best) || Math.abs(candidate - reference) < Math.abs(best - reference)) best = candidate;
  }
  return best;
}

/** Reads `n` decimal digits at `pos`; -1 when any of them is not a digit. */
export function readDigits(s: string, pos: number, n: number): number {
  let value = 0;
  for (let i = pos; i < pos + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

export function isDigitAt(s: string, pos: number): boolean {
  const c = s.charCodeAt(pos);
  return c >= 48 && c <= 57;
}

/** A time read from text: epoch ms (NaN when the fields are out of range) and the index after it. */
export interface ScannedTime {
  time: number;
  end: number;
}

/** Reads `.fraction` at `pos` as milliseconds (digits past the third are truncated). */
export function scanFraction(s: string, pos: number): { ms: number; end: number } {
  if (s.charCodeAt(pos) !== 46 || !isDigitAt(s, pos + 1)) return { ms: 0, end: pos };
  let i = pos + 1;
  let ms = 0;
  let scale = 100;
  while (isDigitAt(s, i)) {
    ms += (s.charCodeAt(i) - 48) * scale;
    scale /= 10;
    i++;
  }
  return { ms: Math.floor(ms), end: i };
}

/**
 * Reads an ISO-8601 date-time at `pos`: `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH[:]MM]` (the space
 * form as macOS `log show` and SQL-style exports write it), in `timeZone` (UTC when undefined)
 * when there is no offset. Returns undefined when the text does not have that shape.
 */
export function scanIsoTime(s: string, pos: number, timeZone?: string): ScannedTime | undefined {
  const year = readDigits(s, pos, 4);
  const month = readDigits(s, pos + 5, 2);
  const day = readDigits(s, pos + 8, 2);
  const hour = readDigits(s, pos + 11, 2);
  const minute = readDigits(s, pos + 14, 2);
  const second = readDigits(s, pos + 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (s[pos + 4] !== '-' || s[pos + 7] !== '-' || s[pos + 13] !== ':' || s[pos + 16] !== ':') return undefined;
  const t = s[pos + 10];
  if (t !== 'T' && t !== 't' && t !== ' ') return undefined;
  const fraction = scanFraction(s, pos + 19);
  const offset = scanOffset(s, fraction.end);
  if (offset === undefined) return undefined;
  const wall = utcTime(year, month, day, hour, minute, second, fraction.ms);
  const time = offset.minutes === undefined ? zonedTime(wall, timeZone) : wall - offset.minutes * 60_000;
  return { time, end: offset.end };
}

/**
 * A whole text that is an ISO-8601 time as scanIsoTime reads it, zone-less meaning UTC
 * (CloudTrail's `eventTime`, WAF's `timestamp` when a tool wrote it as text): epoch ms, or
 * undefined when the text is not one or names an impossible date.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  if (text.length > 40) return undefined;
  const scanned = scanIsoTime(text, 0);
  return scanned === undefined || scanned.end !== text.length || !isValidTime(scanned.time) ? undefined : scanned.time;
}

/** `Z` or `±HH[:]MM` at `pos`; `minutes` undefined when there is no offset there. */
function scanOffset(s: string, pos: number): { minutes: number | undefined; end: number } | undefined {
  const c = s[pos];
  if (c === 'Z' || c === 'z') return { minutes: 0, end: pos + 1 };
  if (c !== '+' && c !== '-') return { minutes: undefined, end: pos };
  const hours = readDigits(s, pos + 1, 2);
  const colon = s[pos + 3] === ':' ? 1 : 0;
  const minutes = readDigits(s, pos + 3 + colon, 2);
  if (hours < 0 || minutes < 0 || hours > 23 || minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  return { minutes: c === '-' ? -total : total, end: pos + 5 + colon };
}

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = NaN;
let isoDayPrefix = '';

/**
 * Same text as `new Date(ms).toISOString()`, several times faster: that call costs more than
 * parsing a whole line. `ms` must satisfy isValidTime.
 */
export function toIsoString(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDayPrefix = datePrefix(day);
    isoDay = day;
  }
  let rest = ms - day * DAY_MS;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = Math.floor(rest - second * 1000);
  return `${isoDayPrefix}${PAD2[hour] as string}:${PAD2[minute] as string}:${PAD2[second] as string}.${PAD3[milli] as string}Z`;
}

/** `YYYY-MM-DDT` of a day number since the epoch (Hinnant's civil-from-days algorithm). */
function datePrefix(epochDay: number): string {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) {
    const iso = new Date(epochDay * DAY_MS).toISOString();
    return iso.slice(0, iso.indexOf('T') + 1);
  }
  return `${String(year).padStart(4, '0')}-${PAD2[month] as string}-${PAD2[day] as string}T`;
}
