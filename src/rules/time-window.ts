import type { FieldValue } from '../events/event';
import { canonicalTimeZone, timeZoneProblem, zoneOffsetMs } from '../sources/time-zone';
import type { Path } from '../yaml/locate';
import { didYouMean } from '../yaml/suggest';
import type { ValueTest } from './matchers';
import type { RuleProblems } from './types';

/**
 * The `during` operator on a time field: `'@timestamp': { during: { hours: "18:00-08:00",
 * days: [sat, sun], timezone: Europe/Berlin } }` holds for a time inside those hours (a range
 * may wrap midnight) on those days, both read on the zone's wall clock. Either part may be
 * left out; the zone defaults to UTC.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const HOURS = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;
const KEYS = ['hours', 'days', 'timezone'];
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export function compileDuring(spec: unknown, path: Path, problems: RuleProblems): ValueTest | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    problems.add('BAD_VALUE', path, 'takes a mapping: { hours: "18:00-08:00", days: [sat, sun], timezone: Europe/Berlin }');
    return undefined;
  }
  const before = problems.count;
  const during = spec as Record<string, unknown>;
  for (const key of Object.keys(during)) {
    if (!KEYS.includes(key)) problems.add('UNKNOWN_KEY', [...path, key], `unknown key "${key}"${didYouMean(key, KEYS)}; during takes hours, days and timezone`, { key: true });
  }
  let from = 0;
  let to = DAY_MS / MINUTE_MS;
  if (during.hours !== undefined) {
    const m = typeof during.hours === 'string' ? HOURS.exec(during.hours) : null;
    if (m === null) problems.add('BAD_VALUE', [...path, 'hours'], 'hours are written "HH:MM-HH:MM" (24-hour clock; a range may wrap midnight, "22:00-06:00")');
    else {
      from = Number(m[1]) * 60 + Number(m[2]);
      to = Number(m[3]) * 60 + Number(m[4]);
      if (to > 24 * 60 || from === to) problems.add('BAD_VALUE', [...path, 'hours'], 'an empty or impossible range of hours');
    }
  }
  let days: Set<number> | undefined;
  if (during.days !== undefined) {
    if (!Array.isArray(during.days) || during.days.length === 0) problems.add('BAD_VALUE', [...path, 'days'], `days is a list of ${WEEKDAYS.join(', ')}`);
    else {
      days = new Set();
      during.days.forEach((day: unknown, i) => {
        const index = typeof day === 'string' ? WEEKDAYS.indexOf(day.toLowerCase() as (typeof WEEKDAYS)[number]) : -1;
        if (index < 0) problems.add('BAD_VALUE', [...path, 'days', i], `"${String(day)}" is not a day${didYouMean(String(day), WEEKDAYS)}; days are ${WEEKDAYS.join(', ')}`);
        else days?.add(index);
      });
    }
  }
  let zone = 'UTC';
  if (during.timezone !== undefined) {
    const canonical = typeof during.timezone === 'string' ? canonicalTimeZone(during.timezone) : undefined;
    if (canonical === undefined) problems.add('BAD_VALUE', [...path, 'timezone'], timeZoneProblem(String(during.timezone)));
    else zone = canonical;
  }
  if (problems.count !== before) return undefined;
  const offsets = new Map<number, number>();
  const offsetAt = (instant: number): number => {
    // Zones change their offsets on whole minutes, not always on the hour in UTC (Newfoundland
    // springs forward at 05:30Z): look the offset up once per minute of event time.
    const minute = Math.floor(instant / MINUTE_MS);
    let offset = offsets.get(minute);
    if (offset === undefined) {
      offset = zone === 'UTC' ? 0 : zoneOffsetMs(zone, minute * MINUTE_MS);
      if (offsets.size >= 4096) offsets.clear();
      offsets.set(minute, offset);
    }
    return offset;
  };
  return (value: FieldValue) => {
    const instant = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isFinite(instant)) return false;
    const wall = instant + offsetAt(instant);
    const day = Math.floor(wall / DAY_MS);
    const minute = Math.floor((wall - day * DAY_MS) / MINUTE_MS);
    if (days !== undefined && !days.has((((day + 4) % 7) + 7) % 7)) return false;
    return from < to ? minute >= from && minute < to : minute >= from || minute < to;
  };
}
