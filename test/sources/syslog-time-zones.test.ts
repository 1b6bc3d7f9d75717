/**
 * Issue 11, part 4: timestamps as real auth logs write them. macOS `log show --style syslog`
 * (`2020-03-23 06:47:42.801612-0700  host ...`), ISO 8601 with microseconds and offsets, and
 * RFC3164 lines read in a zone the user names, across daylight-saving changes.
 */
import type { KlaxonEvent } from '../../src/events/event';
import { parseAuthLine, type AuthLineContext } from '../../src/sources/sshd';
import { canonicalTimeZone, zonedTime, zoneOffsetMs } from '../../src/sources/time-zone';

const NOW = Date.UTC(2024, 10, 5, 12, 0, 0);
const MESSAGE = 'sshd[1234]: Invalid user admin from 192.0.2.7 port 50022';

function eventOf(line: string, ctx: AuthLineContext = { now: NOW }): KlaxonEvent {
  const result = parseAuthLine(line, ctx);
  if (result.status !== 'ok') throw new Error(`expected ok for ${JSON.stringify(line)}, got ${JSON.stringify(result)}`);
  return result.events[0] as KlaxonEvent;
}

function instant(line: string, ctx?: AuthLineContext): string {
  return eventOf(line, ctx).fields['@timestamp'] as string;
}

describe('auth-log timestamps with a date, microseconds and an offset', () => {
  it('reads macOS log show --style syslog lines (space for the T, -0700, two spaces before the host)', () => {
    const event = eventOf(`2020-03-23 06:47:42.801612-0700  mac-mini ${MESSAGE}`);
    expect(event.fields['@timestamp']).toBe('2020-03-23T13:47:42.801Z');
    expect(event.timestamp).toBe(Date.UTC(2020, 2, 23, 13, 47, 42, 801));
    expect(event.fields['host.hostname']).toBe('mac-mini');
    expect(event.fields['process.pid']).toBe(1234);
    expect(event.fields['source.ip']).toBe('192.0.2.7');
  });

  it('reads a tab between the timestamp and the host', () => {
    expect(instant(`2020-03-23 06:47:42.801612+0530\tmac-mini ${MESSAGE}`)).toBe('2020-03-23T01:17:42.801Z');
  });

  it.each([
    ['2024-05-01T10:00:00.123456+02:00', '2024-05-01T08:00:00.123Z'],
    ['2024-05-01T10:00:00.123456-04:00', '2024-05-01T14:00:00.123Z'],
    ['2024-05-01T10:00:00.123456Z', '2024-05-01T10:00:00.123Z'],
    ['2024-05-01T23:30:00.000001+02:00', '2024-05-01T21:30:00.000Z'],
    ['2024-05-01T00:30:00.999999+05:45', '2024-04-30T18:45:00.999Z'],
    ['2024-05-01 10:00:00Z', '2024-05-01T10:00:00.000Z'],
  ])('reads ISO 8601 %s as %s', (stamp, expected) => {
    expect(instant(`${stamp} web-1 ${MESSAGE}`)).toBe(expected);
  });

  it('reads a zone-less ISO time in the zone given, and a written offset whatever the zone', () => {
    const berlin = { now: NOW, timeZone: 'Europe/Berlin' };
    expect(instant(`2024-05-01T10:00:00.123456 web-1 ${MESSAGE}`, berlin)).toBe('2024-05-01T08:00:00.123Z');
    expect(instant(`2024-05-01 10:00:00 web-1 ${MESSAGE}`, berlin)).toBe('2024-05-01T08:00:00.000Z');
    expect(instant(`2024-05-01T10:00:00Z web-1 ${MESSAGE}`, berlin)).toBe('2024-05-01T10:00:00.000Z');
    expect(instant(`2024-05-01T10:00:00-04:00 web-1 ${MESSAGE}`, berlin)).toBe('2024-05-01T14:00:00.000Z');
  });

  it('still refuses a date with neither T nor space before the time', () => {
    expect(parseAuthLine(`2024-05-01_10:00:00Z web-1 ${MESSAGE}`, { now: NOW })).toEqual({ status: 'error', message: "malformed ISO-8601 timestamp '2024-05-01_10:00:00Z'" });
    expect(parseAuthLine(`2024-05-01 10:00 web-1 ${MESSAGE}`, { now: NOW })).toEqual({ status: 'error', message: "malformed ISO-8601 timestamp '2024-05-01'" });
  });
});

describe('RFC3164 lines in a time zone', () => {
  const at = (stamp: string, timeZone?: string, year = 2024): string => instant(`${stamp} web-1 ${MESSAGE}`, { now: NOW, year, ...(timeZone ? { timeZone } : {}) });

  it('reads UTC without a zone (as before) and with UTC named', () => {
    expect(at('Jul 15 12:00:00')).toBe('2024-07-15T12:00:00.000Z');
    expect(at('Jul 15 12:00:00', 'UTC')).toBe('2024-07-15T12:00:00.000Z');
  });

  it.each([
    ['Europe/Berlin', 'Jul 15 12:00:00', '2024-07-15T10:00:00.000Z'], // CEST, UTC+2
    ['Europe/Berlin', 'Jan 15 12:00:00', '2024-01-15T11:00:00.000Z'], // CET, UTC+1
    ['America/New_York', 'Jul 15 12:00:00', '2024-07-15T16:00:00.000Z'], // EDT, UTC-4
    ['America/New_York', 'Jan 15 12:00:00', '2024-01-15T17:00:00.000Z'], // EST, UTC-5
    ['Asia/Kolkata', 'Jan 15 12:00:00', '2024-01-15T06:30:00.000Z'],
  ])('%s: %s is %s', (zone, stamp, expected) => {
    expect(at(stamp, zone)).toBe(expected);
  });

  it('keeps the fraction of a second', () => {
    expect(at('Jul 15 12:00:00.250', 'America/New_York')).toBe('2024-07-15T16:00:00.250Z');
  });

  it('reads the hours around the changes right: the last minute before and the first after', () => {
    // Europe/Berlin springs forward on 2024-03-31 at 02:00 CET (01:00 UTC) and falls back on 2024-10-27 at 03:00 CEST (01:00 UTC).
    expect(at('Mar 31 01:59:59', 'Europe/Berlin')).toBe('2024-03-31T00:59:59.000Z');
    expect(at('Mar 31 03:00:00', 'Europe/Berlin')).toBe('2024-03-31T01:00:00.000Z');
    expect(at('Oct 27 01:59:59', 'Europe/Berlin')).toBe('2024-10-26T23:59:59.000Z');
    expect(at('Oct 27 03:00:00', 'Europe/Berlin')).toBe('2024-10-27T02:00:00.000Z');
    // America/New_York springs forward on 2024-03-10 at 02:00 EST and falls back on 2024-11-03 at 02:00 EDT.
    expect(at('Mar 10 01:59:59', 'America/New_York')).toBe('2024-03-10T06:59:59.000Z');
    expect(at('Mar 10 03:00:00', 'America/New_York')).toBe('2024-03-10T07:00:00.000Z');
    expect(at('Nov  3 00:59:59', 'America/New_York')).toBe('2024-11-03T04:59:59.000Z');
    expect(at('Nov  3 02:00:00', 'America/New_York')).toBe('2024-11-03T07:00:00.000Z');
  });

  it('a repeated hour (clocks going back) is its earlier instant, still on summer time', () => {
    expect(at('Oct 27 02:30:00', 'Europe/Berlin')).toBe('2024-10-27T00:30:00.000Z'); // 02:30 CEST, not 02:30 CET
    expect(at('Nov  3 01:30:00', 'America/New_York')).toBe('2024-11-03T05:30:00.000Z'); // 01:30 EDT, not 01:30 EST
  });

  it('a skipped hour (clocks going forward) moves forward by the gap', () => {
    expect(at('Mar 31 02:30:00', 'Europe/Berlin')).toBe('2024-03-31T01:30:00.000Z'); // = 03:30 CEST
    expect(at('Mar 10 02:30:00', 'America/New_York')).toBe('2024-03-10T07:30:00.000Z'); // = 03:30 EDT
  });

  it('infers the year from the envelope time with the zone applied', () => {
    // 23:30 on Dec 31 in New York is already the next year in UTC: the envelope is in January.
    const envelopeTime = Date.UTC(2025, 0, 1, 4, 31);
    expect(instant(`Dec 31 23:30:00 web-1 ${MESSAGE}`, { now: NOW, envelopeTime, timeZone: 'America/New_York' })).toBe('2025-01-01T04:30:00.000Z');
  });
});

describe('time-zone helpers', () => {
  it('canonicalTimeZone: IANA names, whatever their case; undefined for anything else', () => {
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    for (const bad of ['', ' ', 'Mars/Olympus_Mons', 'Europe/Berlin ', 'CEST+2', '../etc/passwd']) expect(canonicalTimeZone(bad)).toBeUndefined();
  });

  it('zoneOffsetMs: summer and winter offsets', () => {
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2024, 6, 1))).toBe(2 * 3_600_000);
    expect(zoneOffsetMs('America/New_York', Date.UTC(2024, 0, 1))).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs('Asia/Kathmandu', Date.UTC(2024, 0, 1))).toBe(5.75 * 3_600_000);
  });

  it('zonedTime: NaN stays NaN, undefined and UTC leave the time alone', () => {
    expect(zonedTime(NaN, 'Europe/Berlin')).toBeNaN();
    expect(zonedTime(123, undefined)).toBe(123);
    expect(zonedTime(123, 'UTC')).toBe(123);
    expect(zonedTime(8.64e15, 'Europe/Berlin')).toBeNaN();
  });
});
