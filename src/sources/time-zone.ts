/**
 * IANA time zones for syslog timestamps that carry no offset (RFC3164 `Mar  3 06:47:42`, ISO
 * without `Z` or `±hh:mm`), through Intl and the time zone data Node ships: no library, no network.
 *
 * A wall-clock time a zone skips or repeats is resolved as Temporal's `compatible`
 * disambiguation and java.time do it: a repeated time (clocks going back) is its earlier
 * instant, the one before the change; a skipped time (clocks going forward) moves forward by
 * the length of the gap (02:30 on the night Europe/Berlin springs forward is 03:30 CEST).
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Wall times this close to the ends of the Date range are left alone: the zone's offsets around them cannot be looked up. */
const LIMIT_MS = 8.64e15 - 2 * DAY_MS;
const OFFSET = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

interface ZoneState {
  format: Intl.DateTimeFormat;
  /** The wall-clock minute last converted, and its offset: a log's lines mostly share their minute. */
  minute: number;
  offset: number;
}

const zones = new Map<string, ZoneState>();

/** The zone's canonical IANA name (`europe/berlin` gives `Europe/Berlin`, `utc` gives `UTC`), or undefined when Intl knows no such zone. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.trim() === '' || name !== name.trim()) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The usage message for a zone name that is not one. */
export function timeZoneProblem(name: string): string {
  return `"${name}" is not an IANA time zone name (such as UTC, Europe/Berlin or America/New_York)`;
}

function stateOf(zone: string): ZoneState {
  let state = zones.get(zone);
  if (state === undefined) {
    state = { format: new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }), minute: NaN, offset: 0 };
    if (zones.size >= 64) zones.clear();
    zones.set(zone, state);
  }
  return state;
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function zoneOffsetMs(zone: string, instant: number): number {
  return offsetAt(stateOf(zone).format, instant);
}

function offsetAt(format: Intl.DateTimeFormat, instant: number): number {
  const name = format.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const m = OFFSET.exec(name);
  if (m === null) return NaN;
  const magnitude = (Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === '-' ? -magnitude : magnitude;
}

/**
 * The instant of a wall-clock time in `zone`; `wall` is that time's fields read as UTC (what
 * utcTime gives). UTC and an undefined zone return `wall` as it is; NaN stays NaN.
 */
export function zonedTime(wall: number, zone: string | undefined): number {
  if (zone === undefined || zone === 'UTC' || Number.isNaN(wall)) return wall;
  if (Math.abs(wall) > LIMIT_MS) return NaN;
  const state = stateOf(zone);
  const minute = Math.floor(wall / MINUTE_MS);
  // Zones change their offsets on whole minutes: every second of one wall minute has the same offset.
  if (minute !== state.minute) {
    state.offset = resolveOffset(state.format, minute * MINUTE_MS);
    state.minute = minute;
  }
  return wall - state.offset;
}

/** The offset that applies to a wall time: the one in force a day before it unless only the one a day after fits (see the module's rule). */
function resolveOffset(format: Intl.DateTimeFormat, wall: number): number {
  const before = offsetAt(format, wall - DAY_MS);
  const after = offsetAt(format, wall + DAY_MS);
  if (before === after) return before;
  // Read with the earlier offset: valid in a repeated hour (the earlier instant), and in a gap the forward move.
  if (offsetAt(format, wall - before) === before) return before;
  if (offsetAt(format, wall - after) === after) return after;
  return before;
}
