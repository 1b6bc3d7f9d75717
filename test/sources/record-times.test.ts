/**
 * Issue 11, part 4: times in JSON records as tools other than AWS's own write them. CloudTrail
 * `eventTime` as `YYYY-MM-DD HH:MM:SS[.fff]` (UTC, no T or Z: Athena and SQL exports), WAF
 * `timestamp` as an ISO string (not only epoch ms), and web ACL ARNs whose account part is not
 * an account id.
 */
import type { KlaxonEvent, ParseResult } from '../../src/events/event';
import { normalizeCloudTrailRecord } from '../../src/sources/cloudtrail';
import { normalizeWafRecord } from '../../src/sources/waf';
import { jsonFixture, onlyEvent } from '../helpers/fixtures';

function cloudTrail(eventTime: unknown): ParseResult {
  return normalizeCloudTrailRecord({ ...jsonFixture('cloudtrail', 'revoke-ingress').json, eventTime }, '{}');
}

function waf(patch: Record<string, unknown>): ParseResult {
  return normalizeWafRecord({ ...jsonFixture('waf', 'block-regular-rule').json, ...patch }, '{}');
}

function stamp(event: KlaxonEvent): [number, unknown] {
  return [event.timestamp, event.fields['@timestamp']];
}

describe('CloudTrail eventTime', () => {
  it.each([
    ['2024-06-01 12:00:00', Date.UTC(2024, 5, 1, 12), '2024-06-01T12:00:00.000Z'],
    ['2024-06-01 12:00:00.5', Date.UTC(2024, 5, 1, 12, 0, 0, 500), '2024-06-01T12:00:00.500Z'],
    ['2024-06-01 12:00:00.123', Date.UTC(2024, 5, 1, 12, 0, 0, 123), '2024-06-01T12:00:00.123Z'],
    ['2024-06-01T12:00:00Z', Date.UTC(2024, 5, 1, 12), '2024-06-01T12:00:00.000Z'],
    ['2024-06-01T14:00:00+02:00', Date.UTC(2024, 5, 1, 12), '2024-06-01T12:00:00.000Z'],
  ])('reads %s as UTC %s', (eventTime, ms, iso) => {
    expect(stamp(onlyEvent(cloudTrail(eventTime)))).toEqual([ms, iso]);
  });

  it.each(['2024-06-01', '2024-06-01 12:00', '2024-06-31 12:00:00', '2024-06-01 12:00:00 UTC', '2024-06-01  12:00:00', ' 2024-06-01 12:00:00'])(
    'rejects %j',
    (eventTime) => {
      expect(cloudTrail(eventTime)).toEqual({ status: 'error', message: 'CloudTrail record field "eventTime" is not an ISO 8601 time' });
    },
  );
});

describe('WAF timestamp', () => {
  it.each([
    ['2024-06-01T12:00:00Z', Date.UTC(2024, 5, 1, 12)],
    ['2024-06-01T12:00:00.123Z', Date.UTC(2024, 5, 1, 12, 0, 0, 123)],
    ['2024-06-01T14:00:00.123456+02:00', Date.UTC(2024, 5, 1, 12, 0, 0, 123)],
    ['2024-06-01 12:00:00', Date.UTC(2024, 5, 1, 12)],
  ])('reads the ISO string %s', (timestamp, ms) => {
    const event = onlyEvent(waf({ timestamp }));
    expect(stamp(event)).toEqual([ms, new Date(ms).toISOString()]);
  });

  it('still reads epoch milliseconds, and refuses text that is not a time', () => {
    expect(onlyEvent(waf({ timestamp: 1717243200123 })).timestamp).toBe(1717243200123);
    for (const timestamp of ['yesterday', '1717243200123', '', '2024-06-31T00:00:00Z', true]) {
      expect(waf({ timestamp })).toEqual({ status: 'error', message: 'WAF record field "timestamp" is not epoch milliseconds or an ISO 8601 time' });
    }
  });
});

describe('WAF web ACL ARNs without an account id', () => {
  it.each([
    ['aws-managed', 'arn:aws:wafv2:us-east-1:aws-managed:global/webacl/managed-acl/a1b2c3d4'],
    ['empty', 'arn:aws:wafv2:us-east-1::global/webacl/managed-acl/a1b2c3d4'],
    ['eleven digits', 'arn:aws:wafv2:us-east-1:12345678901:global/webacl/managed-acl/a1b2c3d4'],
  ])('an %s account part leaves cloud.account.id out and keeps the rest', (_label, webaclId) => {
    const event = onlyEvent(waf({ webaclId }));
    expect(event.fields['cloud.account.id']).toBeUndefined();
    expect(event.fields['aws.waf.web_acl.id']).toBe(webaclId);
    expect(event.fields['aws.waf.web_acl.name']).toBe('managed-acl');
    expect(event.fields['aws.waf.web_acl.scope']).toBe('global');
    expect(event.fields['cloud.region']).toBe('us-east-1');
  });
});
