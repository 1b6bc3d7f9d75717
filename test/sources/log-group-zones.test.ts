/**
 * Issue 11, part 4: the zone of zone-less auth-log times per CloudWatch log group, and the
 * report of lines that sit far from CloudWatch's own time for them (a zone probably wrong).
 */
import type { KlaxonEvent } from '../../src/events/event';
import type { CloudWatchLogsPayload } from '../../src/sources/awslogs';
import { decodeLogEvents, type DecodeOptions } from '../../src/sources/decode';
import { logGroupTimeZone, zoneSettings } from '../../src/sources/log-group-zones';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { skewHours, type TimeSkew } from '../../src/sources/time-skew';

const LOCATION = { path: '-', line: 0, offset: 0 };
/** 2024-07-15T10:00:00Z: 12:00 in Berlin (CEST), 06:00 in New York (EDT). */
const INSTANT = Date.UTC(2024, 6, 15, 10, 0, 0);

function payload(logGroup: string, lines: Array<[number, string]>): CloudWatchLogsPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream: 'i-0abc',
    subscriptionFilters: ['f'],
    logEvents: lines.map(([timestamp, message], i) => ({ id: String(i), timestamp, message })),
  };
}

function decode(p: CloudWatchLogsPayload, extra: Partial<DecodeOptions> = {}): KlaxonEvent[] {
  const options: DecodeOptions = { source: 'auto', now: INSTANT, routes: DEFAULT_ROUTES, ...extra };
  return decodeLogEvents(p, LOCATION, options).flatMap((d) => (d.result.status === 'ok' ? d.result.events : []));
}

const line = (stamp: string, n = 1) => `${stamp} bastion sshd[${n}]: Failed password for root from 192.0.2.${n} port 22 ssh2`;

describe('zoneSettings', () => {
  it('reads KLAXON_SYSLOG_TZ and KLAXON_LOG_GROUP_TIMEZONES, canonicalising the names', () => {
    expect(zoneSettings({})).toEqual({ logGroupTimeZones: [], problems: [] });
    expect(zoneSettings({ KLAXON_SYSLOG_TZ: 'europe/berlin', KLAXON_LOG_GROUP_TIMEZONES: '/ny/auth.log=America/New_York, /prod/*=UTC' })).toEqual({
      timeZone: 'Europe/Berlin',
      logGroupTimeZones: [
        { pattern: '/ny/auth.log', timeZone: 'America/New_York' },
        { pattern: '/prod/*', timeZone: 'UTC' },
      ],
      problems: [],
    });
  });

  it('names what is wrong', () => {
    expect(zoneSettings({ KLAXON_SYSLOG_TZ: 'Berlin', KLAXON_LOG_GROUP_TIMEZONES: '/a=Mars/Base,=UTC,/b' }).problems).toEqual([
      'KLAXON_LOG_GROUP_TIMEZONES: "/a=Mars/Base": "Mars/Base" is not an IANA time zone name (such as UTC, Europe/Berlin or America/New_York)',
      'KLAXON_LOG_GROUP_TIMEZONES: "=UTC": expected LOG_GROUP=Zone',
      'KLAXON_LOG_GROUP_TIMEZONES: "/b": expected LOG_GROUP=Zone',
      'KLAXON_SYSLOG_TZ: "Berlin" is not an IANA time zone name (such as UTC, Europe/Berlin or America/New_York)',
    ]);
  });

  it('logGroupTimeZone: the first matching pattern, else the fallback', () => {
    const zones = [
      { pattern: '/ny/*', timeZone: 'America/New_York' },
      { pattern: '*', timeZone: 'Europe/Berlin' },
    ];
    expect(logGroupTimeZone('/ny/auth.log', zones, 'UTC')).toBe('America/New_York');
    expect(logGroupTimeZone('/other', zones, 'UTC')).toBe('Europe/Berlin');
    expect(logGroupTimeZone('/other', [], 'UTC')).toBe('UTC');
    expect(logGroupTimeZone('/other', undefined, undefined)).toBeUndefined();
  });
});

describe('CloudWatch Logs deliveries: per-group zones and skew reports', () => {
  const zones = { logGroupTimeZones: [{ pattern: '/berlin/auth.log', timeZone: 'Europe/Berlin' }], timeZone: 'America/New_York' };

  it('reads each group in its zone, the others in the default', () => {
    expect(decode(payload('/berlin/auth.log', [[INSTANT, line('Jul 15 12:00:00')]]), zones)[0]?.timestamp).toBe(INSTANT);
    expect(decode(payload('/ny/auth.log', [[INSTANT, line('Jul 15 06:00:00')]]), zones)[0]?.timestamp).toBe(INSTANT);
    expect(decode(payload('/ny/auth.log', [[INSTANT, line('Jul 15 06:00:00')]]))[0]?.timestamp).toBe(INSTANT - 4 * 3_600_000);
  });

  it('reports lines more than an hour from CloudWatch time, with the group, the zone and the skew; not those within', () => {
    const skews: TimeSkew[] = [];
    const onTimeSkew = (s: TimeSkew) => skews.push(s);
    // Written in Berlin time, read as UTC: two hours ahead.
    decode(payload('/berlin/auth.log', [[INSTANT + 5_000, line('Jul 15 12:00:00')], [INSTANT + 65_000, line('Jul 15 12:01:00', 2)]]), { onTimeSkew });
    expect(skews).toEqual([
      { logGroup: '/berlin/auth.log', timeZone: 'UTC', skewMs: 2 * 3_600_000 - 5_000 },
      { logGroup: '/berlin/auth.log', timeZone: 'UTC', skewMs: 2 * 3_600_000 - 5_000 },
    ]);
    skews.length = 0;
    decode(payload('/berlin/auth.log', [[INSTANT + 59 * 60_000, line('Jul 15 12:00:00')]]), { ...zones, onTimeSkew });
    decode(payload('/ny/auth.log', [[INSTANT - 30 * 60_000, line('Jul 15 06:00:00')]]), { ...zones, onTimeSkew });
    expect(skews).toEqual([]);
    decode(payload('/ny/auth.log', [[INSTANT, line('Jul 15 10:00:00')]]), { ...zones, onTimeSkew });
    expect(skews).toEqual([{ logGroup: '/ny/auth.log', timeZone: 'America/New_York', skewMs: 4 * 3_600_000 }]);
  });

  it('does not look at WAF or CloudTrail records, nor at lines with an offset of their own that match', () => {
    const skews: TimeSkew[] = [];
    const waf = JSON.stringify({ timestamp: INSTANT - 5 * 3_600_000, webaclId: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b', action: 'BLOCK', httpRequest: { clientIp: '192.0.2.1' } });
    decode(payload('aws-waf-logs-x', [[INSTANT, waf]]), { onTimeSkew: (s) => skews.push(s) });
    decode(payload('/berlin/auth.log', [[INSTANT, line('2024-07-15T12:00:00+02:00')]]), { onTimeSkew: (s) => skews.push(s) });
    expect(skews).toEqual([]);
  });

  it('skewHours rounds to a tenth, keeping the sign', () => {
    expect(skewHours(2 * 3_600_000 - 5_000)).toBe(2);
    expect(skewHours(-5.5 * 3_600_000)).toBe(-5.5);
    expect(skewHours(3_600_000 * 1.26)).toBe(1.3);
  });
});
