import type { EventSource, FieldKind } from '../events/event';

/** Fields every source may set: the envelope, the file location and the ECS event basics. */
export const COMMON_FIELDS = [
  '@timestamp',
  'event.source',
  'event.original',
  'event.id',
  'event.created',
  'event.kind',
  'event.category',
  'event.type',
  'event.action',
  'event.outcome',
  'event.provider',
  'message',
  'log.file.path',
  'log.offset',
  'cloud.provider',
  'cloud.account.id',
  // The account's friendly name, from the stage config's account directory (Lambda only).
  'cloud.account.name',
  'cloud.region',
  'aws.cloudwatch.log_group',
  'aws.cloudwatch.log_stream',
  'aws.cloudwatch.event_id',
  'aws.sns.topic_arn',
  'aws.sns.message_id',
  'source.ip',
  'source.port',
  'source.address',
  'user.name',
  'tags',
] as const;

/**
 * Fields added after parsing, not by a parser: the GeoIP country of `source.ip`
 * (src/sources/geoip.ts), for the sources whose events carry an address. WAF's parser sets it
 * too, from AWS's own country, and lists it in its catalogue.
 */
export const ENRICHED_FIELDS = ['source.geo.country_iso_code'] as const;
export const ENRICHED_SOURCES: readonly EventSource[] = ['ssh', 'waf', 'cloudtrail'];

/** What the common fields with a type of their own hold. */
export const COMMON_KINDS: Readonly<Record<string, FieldKind>> = {
  '@timestamp': 'timestamp',
  'event.created': 'timestamp',
  'log.offset': 'number',
  'source.ip': 'ip',
  'source.address': 'address',
  'source.port': 'number',
  // an enriched field (ENRICHED_FIELDS): checked wherever a rule may name it
  'source.geo.country_iso_code': 'country',
};
