import type { EventSource, KlaxonEvent, ParseResult } from '../events/event';
import { parseError } from '../events/event';
import { boundJsonDepth, MAX_JSON_DEPTH } from '../events/json-bounds';
import type { JsonRecord } from '../input/json-records';
import type { InputLocation } from '../input/location';
import { decodeSnsJson, looksLikeAlarm, looksLikeSns, normalizeAlarm } from './alarm';
import { checkPayload, decodeAwsLogsEvent, isAwsLogsEvent, isCloudWatchLogsPayload, regionOfSubscription, type CloudWatchLogsPayload } from './awslogs';
import { cloudTrailRecords, isSingleRecord, looksLikeCloudTrail, normalizeCloudTrailRecord } from './cloudtrail';
import { logGroupTimeZone, type LogGroupZone } from './log-group-zones';
import { routeLogGroup, sniffMessage, type LogGroupRoute } from './routing';
import type { RecordFilter, RecordFilters } from './record-judge';
import { parseAuthLine } from './sshd';
import { checkTimeSkew, type TimeSkew } from './time-skew';
import { looksLikeWaf, normalizeWafRecord } from './waf';

export type SourceChoice = EventSource | 'auto';

export interface DecodeOptions {
  /** Force a parser, or sniff (`auto`). Inside CloudWatch envelopes a forced source also wins over log-group routing. */
  source: SourceChoice;
  /** Year for syslog timestamps that carry none. */
  year?: number;
  /** Epoch ms used for year inference and for lines with no time at all. */
  now: number;
  routes: readonly LogGroupRoute[];
  /** The IANA zone of auth-log timestamps written without an offset (RFC3164): UTC when undefined. */
  timeZone?: string;
  /** Auth-log message families to build events of (authFamiliesToBuild); undefined builds every line. */
  buildFamilies?: readonly boolean[];
  /** WAF and CloudTrail records to build events of (recordFilters); a source without a filter builds every record. */
  recordFilters?: RecordFilters;
  /** Zones per CloudWatch log group (glob), before `timeZone`. */
  logGroupTimeZones?: readonly LogGroupZone[];
  /** Told when an auth-log line in a CloudWatch Logs delivery is more than an hour from CloudWatch's time for it (the Lambda warns). */
  onTimeSkew?: (skew: TimeSkew) => void;
}

/** True when a forced source reads JSON (everything but auth-log lines). */
export function isJsonSource(source: SourceChoice): boolean {
  return source === 'waf' || source === 'cloudtrail' || source === 'alarm';
}

/** The outcome of one line, record or log event, with where it came from. */
export interface Decoded {
  location: InputLocation;
  /** Where inside the record, when a record holds several (`logEvents[3]`, `Records[12]`). */
  part?: string;
  result: ParseResult;
}

/** One sshd/auth-log line. Returns the bare result (no Decoded wrapper): this runs once per line. */
export function decodeLine(text: string, location: InputLocation, options: DecodeOptions): ParseResult {
  // The options serve as the parser's context as they are (they hold `now` and `year`), sparing an object per line.
  return withLocation(parseAuthLine(text, options), location);
}

/**
 * One line of a followed file, whichever kind it is: a JSON line (a WAF record, a CloudTrail
 * event, a CloudWatch Logs delivery) when it starts with `{` or a JSON source is forced,
 * else an auth-log line.
 */
export function decodeTextLine(text: string, location: InputLocation, options: DecodeOptions): Decoded[] {
  const json = isJsonSource(options.source) || text.trimStart().startsWith('{');
  if (!json) return [{ location, result: decodeLine(text, location, options) }];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return [{ location, result: parseError(`not JSON: ${(err as Error).message}`) }];
  }
  return decodeJson({ ok: true, value, text, location }, options);
}

/**
 * One JSON value: a CloudWatch Logs delivery (encoded or decoded), an SNS delivery (event, record or
 * message), a WAF record, CloudTrail (file, envelope or record) or a CloudWatch alarm notification.
 */
export function decodeJson(record: JsonRecord, options: DecodeOptions): Decoded[] {
  const { location } = record;
  if (!record.ok) return [{ location, result: parseError(record.message) }];
  const value = boundJsonDepth(record.value, MAX_JSON_DEPTH, record.text);
  if (Array.isArray(value)) return decodeArray(value, location, options);
  if (isAwsLogsEvent(value)) return decodePayload(decodeAwsLogsEvent(value), location, options);
  if (isCloudWatchLogsPayload(value)) return decodePayload(checkPayload(value), location, options);
  if (looksLikeSns(value)) return decodeSnsJson(value, options, location).map((d) => ({ ...d, result: withLocation(d.result, location) }));

  const source = options.source === 'auto' ? sniffJson(value) : options.source;
  switch (source) {
    case 'waf':
      return [{ location, result: withLocation(normalizeWafRecord(value, record.text, options.recordFilters?.waf), location) }];
    case 'cloudtrail':
      return decodeCloudTrail(value, record.text, location, options.recordFilters?.cloudtrail);
    case 'alarm':
      return [{ location, result: withLocation(normalizeAlarm(value, record.text), location) }];
    case 'ssh':
      return [{ location, result: parseError('a JSON record where sshd log lines were expected (use --source waf, cloudtrail or alarm)') }];
    default:
      return [{ location, result: parseError('not a WAF, CloudTrail, CloudWatch alarm or CloudWatch Logs record') }];
  }
}

/** A JSON array: each element is a record of its own (WAF exports, saved EventBridge events); arrays inside it are not. */
function decodeArray(values: unknown[], location: InputLocation, options: DecodeOptions): Decoded[] {
  return values.flatMap((value, i) => {
    const part = `[${i}]`;
    if (Array.isArray(value)) return [{ location, part, result: parseError('an array inside an array of records') }];
    const text = JSON.stringify(value) ?? 'null';
    return decodeJson({ ok: true, value, text, location }, options).map((d) => ({ ...d, part: d.part === undefined ? part : `${part}.${d.part}` }));
  });
}

function sniffJson(value: unknown): EventSource | undefined {
  if (looksLikeWaf(value)) return 'waf';
  if (looksLikeCloudTrail(value)) return 'cloudtrail';
  if (looksLikeAlarm(value)) return 'alarm';
  return undefined;
}

function decodeCloudTrail(value: unknown, text: string, location: InputLocation, mayMatch: RecordFilter | undefined): Decoded[] {
  // The common case, one record per line, without the lists and closure below.
  if (isSingleRecord(value)) return [{ location, result: withLocation(normalizeCloudTrailRecord(value, text, undefined, mayMatch), location) }];
  const { records, problems } = cloudTrailRecords(value);
  const out: Decoded[] = problems.map((message) => ({ location, result: parseError(message) }));
  const single = records.length === 1;
  records.forEach(({ record, envelopeId }, i) => {
    const original = single ? text : JSON.stringify(record);
    out.push({ location, part: single ? undefined : `Records[${i}]`, result: withLocation(normalizeCloudTrailRecord(record, original, envelopeId, mayMatch), location) });
  });
  return out;
}

/**
 * The `data` of a CloudWatch Logs delivery (base64 of gzip of the payload's JSON), as a
 * subscription hands it to a Lambda function and a destination writes it to a Kinesis stream.
 */
export function decodeAwsLogsData(data: string, location: InputLocation, options: DecodeOptions): Decoded[] {
  return decodePayload(decodeAwsLogsEvent({ awslogs: { data } }), location, options);
}

/** The log events of one CloudWatch Logs payload (a subscription delivery, or a page that `klaxon replay` read with FilterLogEvents), each with the envelope's fields. */
export function decodeLogEvents(payload: CloudWatchLogsPayload, location: InputLocation, options: DecodeOptions): Decoded[] {
  return decodePayload({ ok: true, payload }, location, options);
}

function decodePayload(decoded: ReturnType<typeof checkPayload>, location: InputLocation, options: DecodeOptions): Decoded[] {
  if (!decoded.ok) return [{ location, result: parseError(decoded.message) }];
  const payload = decoded.payload;
  if (payload.messageType === 'CONTROL_MESSAGE') return [];
  const routed = options.source === 'auto' ? routeLogGroup(payload.logGroup, options.routes) : options.source;
  const region = regionOfSubscription(payload);
  const timeZone = logGroupTimeZone(payload.logGroup, options.logGroupTimeZones, options.timeZone);
  return payload.logEvents.map((logEvent, i) => {
    const source = routed ?? sniffMessage(logEvent.message);
    const result = decodeMessage(source, logEvent.message, logEvent.timestamp, options, timeZone);
    if (source === 'ssh' && options.onTimeSkew !== undefined) checkTimeSkew(result, logEvent.timestamp, payload.logGroup, timeZone, options.onTimeSkew);
    return { location, part: `logEvents[${i}]`, result: withEnvelope(withLocation(result, location), payload, region, logEvent) };
  });
}

/** A CloudWatch log event's message, read by the parser for its source (auth-log lines in `timeZone` when they carry no offset). */
export function decodeMessage(source: EventSource, message: string, envelopeTime: number, options: DecodeOptions, timeZone = options.timeZone): ParseResult {
  if (source === 'ssh') return parseAuthLine(message, { envelopeTime, now: options.now, year: options.year, timeZone });
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch (err) {
    return parseError(`${source} log event is not JSON: ${(err as Error).message}`);
  }
  // A log event is a record as much as a line of a file is: the same bound on its depth.
  json = boundJsonDepth(json, MAX_JSON_DEPTH, message);
  if (source === 'waf') return normalizeWafRecord(json, message);
  if (source === 'alarm') return normalizeAlarm(json, message);
  const { records, problems } = cloudTrailRecords(json);
  if (problems.length > 0 || records.length !== 1) return parseError(problems[0] ?? 'expected one CloudTrail record per log event');
  const only = records[0] as { record: unknown; envelopeId?: string };
  return normalizeCloudTrailRecord(only.record, message, only.envelopeId);
}

function withLocation(result: ParseResult, location: InputLocation): ParseResult {
  if (result.status !== 'ok' || location.path === '-') return result;
  for (const event of result.events) {
    event.fields['log.file.path'] = location.path;
    event.fields['log.offset'] = location.offset;
  }
  return result;
}

function withEnvelope(result: ParseResult, payload: CloudWatchLogsPayload, region: string | undefined, logEvent: { id: string; timestamp: number }): ParseResult {
  if (result.status !== 'ok') return result;
  for (const event of result.events) addEnvelopeFields(event, payload, region, logEvent.id, logEvent.timestamp);
  return result;
}

/**
 * What the CloudWatch Logs envelope knows: where the event was read (the log group, the
 * sending account, and for a member stack's filter its region) and when CloudWatch received
 * it (`event.created`).
 */
function addEnvelopeFields(event: KlaxonEvent, payload: CloudWatchLogsPayload, region: string | undefined, logEventId: string, logEventTime: number): void {
  const f = event.fields;
  f['aws.cloudwatch.log_group'] = payload.logGroup;
  f['aws.cloudwatch.log_stream'] = payload.logStream;
  f['aws.cloudwatch.event_id'] = logEventId;
  f['event.created'] = new Date(logEventTime).toISOString();
  if (f['event.id'] === undefined) f['event.id'] = logEventId;
  if (f['cloud.account.id'] === undefined && payload.owner !== '') f['cloud.account.id'] = payload.owner;
  if (f['cloud.region'] === undefined && region !== undefined) f['cloud.region'] = region;
  if (f['cloud.provider'] === undefined) f['cloud.provider'] = 'aws';
}
