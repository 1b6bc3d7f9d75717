import type { FieldValue, KlaxonEvent, ParseResult } from '../events/event';
import { ok, parseError, unbuilt } from '../events/event';
import { isIpAddress } from '../events/ip';
import { isObject, text } from '../events/json';
import { newPlainObject } from '../events/plain-object';
import type { JsonObject } from '../events/json';
import type { RecordFilter, RecordJudge } from './record-judge';
import { SECURITY_GROUP_EVENTS, securityGroupFields } from './security-group';
import { parseIsoTimestamp, toIsoString } from './syslog-time';

/** Keys only a CloudTrail record has at its top level. */
function looksLikeRecord(json: JsonObject): boolean {
  return typeof json.eventVersion === 'string' || (typeof json.eventName === 'string' && (typeof json.eventSource === 'string' || typeof json.eventTime === 'string'));
}

/** EventBridge detail types that carry a CloudTrail record: API calls, console sign-ins, service events. */
function isCloudTrailDetailType(value: unknown): boolean {
  return typeof value === 'string' && value.endsWith('via CloudTrail');
}

/** True for a CloudTrail log file, an EventBridge CloudTrail event or a single record, for sniffing. */
export function looksLikeCloudTrail(json: unknown): boolean {
  if (!isObject(json)) return false;
  if (Array.isArray(json.Records)) {
    const first: unknown = json.Records[0];
    return first === undefined || (isObject(first) && looksLikeRecord(first));
  }
  if ('detail-type' in json) return isCloudTrailDetailType(json['detail-type']) && isObject(json.detail);
  return looksLikeRecord(json);
}

/** True for one bare CloudTrail record: what cloudTrailRecords returns as its only record, with no envelope. */
export function isSingleRecord(json: unknown): json is JsonObject {
  if (!isObject(json) || 'Records' in json || 'detail-type' in json || ('digestStartTime' in json && 'digestEndTime' in json)) return false;
  return looksLikeRecord(json) || 'eventID' in json || 'eventTime' in json;
}

/** Unwraps what a CloudTrail input can hold: a log file {"Records":[...]}, an EventBridge envelope ("detail-type": "AWS API Call via CloudTrail", record in `detail`), or a single record. Returns the records plus envelope ids (EventBridge `id`), and problems for things that are not CloudTrail. */
export function cloudTrailRecords(json: unknown): { records: Array<{ record: unknown; envelopeId?: string }>; problems: string[] } {
  const records: Array<{ record: unknown; envelopeId?: string }> = [];
  const problems: string[] = [];
  if (!isObject(json)) {
    problems.push(`not CloudTrail: expected a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
    return { records, problems };
  }
  if ('Records' in json) {
    if (!Array.isArray(json.Records)) {
      problems.push('CloudTrail log file: "Records" is not a list');
      return { records, problems };
    }
    // Every element, good or bad, so that record i is Records[i]; normalizing a bad one reports it there.
    for (const record of json.Records as unknown[]) records.push({ record });
    return { records, problems };
  }
  if ('detail-type' in json) {
    const detailType = json['detail-type'];
    if (!isCloudTrailDetailType(detailType)) {
      const shown = typeof detailType === 'string' ? JSON.stringify(detailType.slice(0, 100)) : typeof detailType;
      problems.push(`not CloudTrail: an EventBridge event of detail-type ${shown}`);
    } else if (!isObject(json.detail)) {
      problems.push('EventBridge CloudTrail event has no "detail" object');
    } else {
      const envelopeId = text(json.id);
      records.push(envelopeId === undefined ? { record: json.detail } : { record: json.detail, envelopeId });
    }
    return { records, problems };
  }
  if ('digestStartTime' in json && 'digestEndTime' in json) {
    problems.push('not CloudTrail events: this is a CloudTrail digest file');
    return { records, problems };
  }
  if (looksLikeRecord(json) || 'eventID' in json || 'eventTime' in json) records.push({ record: json });
  else problems.push('not CloudTrail: expected {"Records": [...]}, an EventBridge CloudTrail event or a CloudTrail record');
  return { records, problems };
}

function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The last part of an ARN: after the last '/', else after the last ':' (`...:root`). */
function arnTail(arn: string): string | undefined {
  const tail = arn.slice(Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':')) + 1);
  return tail === '' ? undefined : tail;
}

// The fields below are set with literal keys, one store each: a shared `set(key, value)` made
// every store one polymorphic keyed store, the dearest part of reading a record.
function addIdentity(fields: Record<string, FieldValue>, identity: JsonObject | undefined): void {
  if (identity === undefined) return;
  const type = text(identity.type);
  const arn = text(identity.arn);
  if (type !== undefined) fields['aws.cloudtrail.user_identity.type'] = type;
  if (arn !== undefined) fields['aws.cloudtrail.user_identity.arn'] = arn;
  const accessKeyId = text(identity.accessKeyId);
  if (accessKeyId !== undefined) fields['aws.cloudtrail.user_identity.access_key_id'] = accessKeyId;
  const invokedBy = text(identity.invokedBy);
  if (invokedBy !== undefined) fields['aws.cloudtrail.user_identity.invoked_by'] = invokedBy;
  const principalId = text(identity.principalId);
  if (principalId !== undefined) fields['user.id'] = principalId;
  const context = identity.sessionContext;
  if (isObject(context)) {
    const issuer = context.sessionIssuer;
    if (isObject(issuer)) {
      const issuerArn = text(issuer.arn);
      if (issuerArn !== undefined) fields['aws.cloudtrail.user_identity.session_context.session_issuer.arn'] = issuerArn;
      const issuerType = text(issuer.type);
      if (issuerType !== undefined) fields['aws.cloudtrail.user_identity.session_context.session_issuer.type'] = issuerType;
    }
    const attributes = context.attributes;
    if (isObject(attributes)) {
      const mfa = text(attributes.mfaAuthenticated);
      if (mfa !== undefined) fields['aws.cloudtrail.user_identity.session_context.mfa_authenticated'] = mfa;
    }
  }
  // For an assumed role the ARN ends in the session name, which names who is behind the role.
  const name = text(identity.userName) ?? (arn !== undefined ? arnTail(arn) : undefined);
  if (name !== undefined) fields['user.name'] = name;
}

function sourceAddress(fields: Record<string, FieldValue>, value: unknown): void {
  const address = text(value);
  if (address === undefined) return;
  if (isIpAddress(address)) fields['source.ip'] = address;
  else fields['source.address'] = address;
}

/** Calls that sign someone in or hand out credentials. */
function isAuthentication(eventSource: string | undefined, eventName: string): boolean {
  if (eventSource === 'signin.amazonaws.com') return true;
  return eventSource === 'sts.amazonaws.com' && (eventName.startsWith('AssumeRole') || eventName === 'GetSessionToken' || eventName === 'GetFederationToken');
}

/**
 * The event.category and event.type values this parser sets (event.action is the record's
 * eventName, any value): rule validation checks values against them.
 */
export const CLOUDTRAIL_CATEGORIES = ['network', 'configuration', 'authentication', 'iam', 'api'] as const;
export const CLOUDTRAIL_TYPES = ['start', 'access', 'creation', 'deletion', 'change', 'denied', 'error'] as const;
type CloudTrailCategory = (typeof CLOUDTRAIL_CATEGORIES)[number];
type CloudTrailType = (typeof CLOUDTRAIL_TYPES)[number];

function eventCategory(eventSource: string | undefined, eventName: string, readOnly: boolean | undefined, securityGroup: boolean): CloudTrailCategory[] {
  if (securityGroup) return ['network', 'configuration'];
  if (isAuthentication(eventSource, eventName)) return ['authentication'];
  if (eventSource === 'iam.amazonaws.com') return ['iam'];
  return readOnly === true ? ['api'] : ['configuration'];
}

const DENIED_CODE = /AccessDenied|Unauthorized|Forbidden|NotAuthorized/i;

function eventType(eventName: string, category: CloudTrailCategory[], readOnly: boolean | undefined, errorCode: string | undefined, failed: boolean): CloudTrailType[] {
  let type: CloudTrailType;
  if (category[0] === 'authentication') type = 'start';
  else if (readOnly === true) type = 'access';
  else if (/^(Create|Run|Allocate|Import)/.test(eventName)) type = 'creation';
  else if (/^(Delete|Terminate|Release)/.test(eventName)) type = 'deletion';
  else type = 'change';
  if (errorCode !== undefined && DENIED_CODE.test(errorCode)) return [type, 'denied'];
  // A failed sign-in is an authentication outcome (event.outcome), not an error of the service.
  if (failed && type !== 'start') return [type, 'error'];
  return [type];
}

/** Console sign-in failures carry no errorCode; the outcome is in responseElements.ConsoleLogin. */
function consoleLoginFailed(record: JsonObject): boolean {
  const response = record.responseElements;
  return record.eventName === 'ConsoleLogin' && isObject(response) && response.ConsoleLogin === 'Failure';
}

// Records come in time order, many of them within one second: the time just read is often the next one's too.
let lastEventTime = '';
let lastMillis: number | undefined;

function eventTimeMillis(eventTime: string): number | undefined {
  if (eventTime !== lastEventTime) {
    lastMillis = parseIsoTimestamp(eventTime);
    lastEventTime = eventTime;
  }
  return lastMillis;
}

/**
 * Normalizes one CloudTrail record into an ECS event (values as Elastic's aws.cloudtrail integration gives them).
 * The record stays in `raw`, so rules can read `eventName`, `requestParameters.groupId` and the like directly;
 * security-group calls also get the derived `aws.security_group.*` fields. A valid record that
 * `mayMatch` (a scan's prefilter) says no rule can match is counted, not built.
 *
 * @example
 *   normalizeCloudTrailRecord(record, text, eventBridgeId);
 *   // { status: 'ok', events: [{ source: 'cloudtrail', fields: { 'event.action': 'AuthorizeSecurityGroupIngress', ... } }] }
 */
export function normalizeCloudTrailRecord(record: unknown, original: string, envelopeId?: string, mayMatch?: RecordFilter): ParseResult {
  if (!isObject(record)) return parseError('CloudTrail record is not a JSON object');
  if (Array.isArray(record.Records)) return parseError('a CloudTrail log file, not one record: unwrap "Records" first');
  const eventTime = record.eventTime;
  if (eventTime === undefined || eventTime === null) return parseError('CloudTrail record is missing "eventTime"');
  const timestamp = typeof eventTime === 'string' ? eventTimeMillis(eventTime) : undefined;
  if (timestamp === undefined) return parseError('CloudTrail record field "eventTime" is not an ISO 8601 time');
  const eventName = text(record.eventName);
  if (eventName === undefined) return parseError('CloudTrail record is missing "eventName"');
  if (mayMatch !== undefined && !mayMatch(record)) return unbuilt(1, false);

  const eventSource = text(record.eventSource);
  const errorCode = text(record.errorCode);
  const readOnly = bool(record.readOnly);
  const failed = errorCode !== undefined || consoleLoginFailed(record);
  const sgFields = securityGroupFields(record);
  const category = eventCategory(eventSource, eventName, readOnly, sgFields !== undefined);
  const fields = newPlainObject<Record<string, FieldValue>>();
  fields['@timestamp'] = toIsoString(timestamp);
  fields['event.source'] = 'cloudtrail';
  fields['event.original'] = original;
  fields['event.kind'] = 'event';
  fields['event.action'] = eventName;
  fields['event.outcome'] = failed ? 'failure' : 'success';
  fields['event.category'] = category;
  fields['event.type'] = eventType(eventName, category, readOnly, errorCode, failed);
  fields['cloud.provider'] = 'aws';
  if (eventSource !== undefined) fields['event.provider'] = eventSource;
  const eventId = text(record.eventID) ?? envelopeId;
  if (eventId !== undefined && eventId !== '') fields['event.id'] = eventId;
  if (envelopeId !== undefined && envelopeId !== '') fields['aws.eventbridge.id'] = envelopeId;
  if (errorCode !== undefined) fields['error.code'] = errorCode;
  const errorMessage = text(record.errorMessage);
  if (errorMessage !== undefined) fields['error.message'] = errorMessage;
  sourceAddress(fields, record.sourceIPAddress);
  const userAgent = text(record.userAgent);
  if (userAgent !== undefined) fields['user_agent.original'] = userAgent;
  const identity = isObject(record.userIdentity) ? record.userIdentity : undefined;
  const account = text(record.recipientAccountId) ?? text(identity?.accountId);
  if (account !== undefined) fields['cloud.account.id'] = account;
  const region = text(record.awsRegion);
  if (region !== undefined) fields['cloud.region'] = region;
  addIdentity(fields, identity);
  const cloudTrailEventType = text(record.eventType);
  if (cloudTrailEventType !== undefined) fields['aws.cloudtrail.event_type'] = cloudTrailEventType;
  const cloudTrailCategory = text(record.eventCategory);
  if (cloudTrailCategory !== undefined) fields['aws.cloudtrail.event_category'] = cloudTrailCategory;
  const eventVersion = text(record.eventVersion);
  if (eventVersion !== undefined) fields['aws.cloudtrail.event_version'] = eventVersion;
  const requestId = text(record.requestID);
  if (requestId !== undefined) fields['aws.cloudtrail.request_id'] = requestId;
  if (readOnly !== undefined) fields['aws.cloudtrail.read_only'] = readOnly;
  const management = bool(record.managementEvent);
  if (management !== undefined) fields['aws.cloudtrail.management_event'] = management;
  if (sgFields !== undefined) Object.assign(fields, sgFields);

  const event = newPlainObject<KlaxonEvent>();
  event.timestamp = timestamp;
  event.source = 'cloudtrail';
  event.fields = fields;
  event.raw = record;
  return ok([event]);
}

function failedCall(record: JsonObject): boolean {
  return text(record.errorCode) !== undefined || consoleLoginFailed(record);
}

/**
 * A valid CloudTrail record's judged fields: its call (`event.action`, `event.provider`), its
 * outcome, and the `aws.security_group.*` fields, judged absent: a record that may carry them
 * (a security-group call) is not judged but built.
 */
export const CLOUDTRAIL_JUDGE: RecordJudge = {
  fields: ['event.action', 'event.provider', 'event.outcome'],
  prefixes: ['aws.security_group.'],
  arity: 3,
  values: (record, into) => {
    const eventName = record.eventName as string;
    if (SECURITY_GROUP_EVENTS.has(eventName)) return false;
    into[0] = eventName;
    // '' stands for no provider: the normalizer reads an empty eventSource as none too.
    into[1] = text(record.eventSource) ?? '';
    into[2] = failedCall(record) ? 'failure' : 'success';
    return true;
  },
  probe: (record) => {
    const fields: KlaxonEvent['fields'] = { 'event.action': record.eventName as string, 'event.outcome': failedCall(record) ? 'failure' : 'success' };
    const eventSource = text(record.eventSource);
    if (eventSource !== undefined) fields['event.provider'] = eventSource;
    return { timestamp: 0, source: 'cloudtrail', fields };
  },
};
