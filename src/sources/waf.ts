import type { FieldValue, KlaxonEvent, ParseResult } from '../events/event';
import { ok, parseError, unbuilt } from '../events/event';
import { isIpAddress } from '../events/ip';
import { isObject } from '../events/json';
import { newPlainObject } from '../events/plain-object';
import type { JsonObject } from '../events/json';
import type { RecordFilter, RecordJudge } from './record-judge';
import { parseIsoTimestamp, toIsoString } from './syslog-time';

// Hot path: a WAF log can hold millions of records, and scanning must keep up with JSON.parse. Read each
// record once, field by field: no clones, no JSON.stringify, no regular expressions over the record.

/** What WAF writes for "unknown" in several of its text fields. */
const WAF_UNKNOWN = '-';

/**
 * A text field's value when WAF knows it: what `text` (events/json.ts) gives, minus WAF's `-` for "unknown".
 * Spelled out rather than calling `text`: on this path (a dozen calls per record) the extra
 * call measured 15-25% slower on bench/out/waf.log.
 */
function knownText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== WAF_UNKNOWN ? value : undefined;
}

/** True for a record that looks like an AWS WAF log record (v2 or Classic), for sniffing. */
export function looksLikeWaf(json: unknown): boolean {
  if (!isObject(json) || typeof json.webaclId !== 'string') return false;
  return 'httpRequest' in json || 'terminatingRuleId' in json || 'action' in json;
}

interface WebAcl {
  name?: string;
  scope?: string;
  account?: string;
  region?: string;
}

/** WAF v2 web ACL ARNs: `arn:PARTITION:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID` (scope `global` for CloudFront). */
function parseWebAclArn(arn: string): WebAcl | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'wafv2') return undefined;
  const resource = parts.slice(5).join(':').split('/');
  const acl: WebAcl = {};
  if (resource[1] === 'webacl' && resource[2]) acl.name = resource[2];
  if (resource[0]) acl.scope = resource[0];
  if (/^\d{12}$/.test(parts[4] ?? '')) acl.account = parts[4];
  // CloudFront (global) web ACLs carry us-east-1 in their ARN; keep what the ARN says.
  if (parts[3]) acl.region = parts[3];
  return acl;
}

// Every record of one web ACL carries the same ARN: parse each one once, and check the last one first
// (comparing two strings is cheaper than hashing one for the map). Bounded, in case of hostile input.
const aclCache = new Map<string, WebAcl | undefined>();
let lastArn = '';
let lastAcl: WebAcl | undefined;

function webAcl(arn: string): WebAcl | undefined {
  if (arn === lastArn) return lastAcl;
  let acl: WebAcl | undefined;
  if (aclCache.has(arn)) {
    acl = aclCache.get(arn);
  } else {
    acl = parseWebAclArn(arn);
    if (aclCache.size >= 256) aclCache.clear();
    aclCache.set(arn, acl);
  }
  lastArn = arn;
  lastAcl = acl;
  return acl;
}

/**
 * Timestamps WAF can have written: epoch ms inside the range a Date can hold; or, as tools that
 * re-export WAF logs write it, an ISO 8601 string (zone-less meaning UTC).
 */
function epochMillis(value: unknown): number | undefined {
  if (typeof value === 'string') return parseIsoTimestamp(value);
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? Math.trunc(value) : undefined;
}

/** The ids (`ruleId`) of a list of rule references. */
function ruleIds(list: unknown, into: string[] = []): string[] {
  if (!Array.isArray(list)) return into;
  for (const item of list) {
    if (isObject(item) && typeof item.ruleId === 'string') into.push(item.ruleId);
  }
  return into;
}

/** A parsed JSON value as a field value; undefined when something in it is not JSON (callers may pass anything). */
function asFieldValue(value: unknown, depth = 0): FieldValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (depth > 8 || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const item of value) if (asFieldValue(item, depth + 1) === undefined) return undefined;
    return value as FieldValue[];
  }
  for (const key of Object.keys(value)) {
    if (asFieldValue((value as JsonObject)[key], depth + 1) === undefined) return undefined;
  }
  return value as { [key: string]: FieldValue };
}

/** Headers as a map of lower-cased name to value; repeated headers joined with ", " as HTTP allows. */
function headerMap(headers: unknown): Record<string, FieldValue> | undefined {
  if (!Array.isArray(headers) || headers.length === 0) return undefined;
  // No prototype: header names are attacker-chosen (`__proto__`, `constructor`).
  const map: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>;
  let any = false;
  for (let i = 0; i < headers.length; i++) {
    const header: unknown = headers[i];
    if (typeof header !== 'object' || header === null) continue;
    const { name, value } = header as JsonObject;
    if (typeof name !== 'string' || typeof value !== 'string') continue;
    const key = name.toLowerCase();
    const previous = map[key];
    map[key] = typeof previous === 'string' ? `${previous}, ${value}` : value;
    any = true;
  }
  return any ? map : undefined;
}

/**
 * The actions AWS WAF logs (event.action is the record's `action`) and the event.category and
 * event.type values this parser sets: rule validation checks values against them.
 */
export const WAF_ACTIONS = ['ALLOW', 'BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE'] as const;
export const WAF_CATEGORIES = ['web'] as const;
export const WAF_TYPES = ['denied', 'allowed', 'info'] as const;

function eventType(action: string): Array<(typeof WAF_TYPES)[number]> {
  if (action === 'BLOCK') return ['denied'];
  if (action === 'ALLOW') return ['allowed'];
  return ['info'];
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function checkRecord(record: JsonObject): string | undefined {
  // WAF Classic identifies web ACLs by a bare UUID (or a waf/waf-regional ARN); WAF v2 always by a wafv2 ARN.
  const acl = knownText(record.webaclId);
  if (acl !== undefined && webAcl(acl) === undefined) {
    return `WAF Classic record (webaclId "${acl.slice(0, 128)}" is not a WAF v2 web ACL ARN): WAF Classic logs are not supported; migrate the web ACL to AWS WAF v2`;
  }
  if (isAbsent(record.timestamp) || isAbsent(record.action) || isAbsent(record.httpRequest)) {
    const missing = ['timestamp', 'action', 'httpRequest'].filter((key) => isAbsent(record[key]));
    return `WAF record is missing ${missing.map((m) => `"${m}"`).join(', ')}`;
  }
  if (epochMillis(record.timestamp) === undefined) return 'WAF record field "timestamp" is not epoch milliseconds or an ISO 8601 time';
  if (typeof record.action !== 'string' || record.action === '') return 'WAF record field "action" is not a string';
  if (!isObject(record.httpRequest)) return 'WAF record field "httpRequest" is not an object';
  return undefined;
}

function addRequestFields(fields: Record<string, FieldValue>, request: JsonObject): void {
  const clientIp = request.clientIp;
  // ECS: source.address is the address as logged (a masked or malformed one too), source.ip only a valid IP.
  if (typeof clientIp === 'string' && clientIp !== '') fields['source.address'] = clientIp;
  if (typeof clientIp === 'string' && isIpAddress(clientIp)) fields['source.ip'] = clientIp;
  const country = knownText(request.country);
  if (country !== undefined) fields['source.geo.country_iso_code'] = country;
  const uri = knownText(request.uri);
  const args = knownText(request.args);
  if (uri !== undefined) {
    fields['url.path'] = uri;
    fields['url.original'] = args === undefined ? uri : `${uri}?${args}`;
  }
  if (args !== undefined) fields['url.query'] = args;
  const method = knownText(request.httpMethod);
  if (method !== undefined) fields['http.request.method'] = method;
  const version = knownText(request.httpVersion);
  if (version !== undefined) fields['http.version'] = version.startsWith('HTTP/') ? version.slice(5) : version;
  const requestId = knownText(request.requestId);
  if (requestId !== undefined) fields['http.request.id'] = requestId;
  const headers = headerMap(request.headers);
  if (headers !== undefined) {
    fields['http.request.headers'] = headers;
    const agent = headers['user-agent'];
    if (typeof agent === 'string') fields['user_agent.original'] = agent;
  }
}

function addRuleFields(fields: Record<string, FieldValue>, record: JsonObject): void {
  const ruleId = knownText(record.terminatingRuleId);
  if (ruleId !== undefined) fields['rule.id'] = ruleId;
  const ruleType = knownText(record.terminatingRuleType);
  if (ruleType !== undefined) fields['rule.ruleset'] = ruleType;

  const matches = record.nonTerminatingMatchingRules;
  if (Array.isArray(matches) && matches.length > 0) {
    const nonTerminating = ruleIds(matches);
    if (nonTerminating.length > 0) fields['aws.waf.non_terminating_matching_rules'] = nonTerminating;
  }

  const groups = record.ruleGroupList;
  if (Array.isArray(groups) && groups.length > 0) {
    const groupNonTerminating: string[] = [];
    const groupExcluded: string[] = [];
    for (const group of groups) {
      if (!isObject(group)) continue;
      const terminating = group.terminatingRule;
      if (isObject(terminating) && typeof terminating.ruleId === 'string' && fields['aws.waf.terminating_rule_group.rule_id'] === undefined) {
        const groupId = knownText(group.ruleGroupId);
        if (groupId !== undefined) fields['aws.waf.terminating_rule_group.id'] = groupId;
        fields['aws.waf.terminating_rule_group.rule_id'] = terminating.ruleId;
      }
      ruleIds(group.nonTerminatingMatchingRules, groupNonTerminating);
      ruleIds(group.excludedRules, groupExcluded);
    }
    if (groupNonTerminating.length > 0) fields['aws.waf.rule_group.non_terminating_matching_rules'] = groupNonTerminating;
    if (groupExcluded.length > 0) fields['aws.waf.rule_group.excluded_rules'] = groupExcluded;
  }

  const details = record.terminatingRuleMatchDetails;
  if (Array.isArray(details) && details.length > 0) {
    const value = asFieldValue(details);
    if (value !== undefined) fields['aws.waf.terminating_rule_match_details'] = value;
  }
}

function addWafFields(fields: Record<string, FieldValue>, record: JsonObject): void {
  const arn = knownText(record.webaclId);
  if (arn !== undefined) {
    fields['aws.waf.web_acl.id'] = arn;
    const acl = webAcl(arn);
    if (acl?.name !== undefined) fields['aws.waf.web_acl.name'] = acl.name;
    if (acl?.scope !== undefined) fields['aws.waf.web_acl.scope'] = acl.scope;
    if (acl?.account !== undefined) fields['cloud.account.id'] = acl.account;
    if (acl?.region !== undefined) fields['cloud.region'] = acl.region;
  }
  const sourceId = knownText(record.httpSourceId);
  if (sourceId !== undefined) fields['aws.waf.source.id'] = sourceId;
  const sourceName = knownText(record.httpSourceName);
  if (sourceName !== undefined) fields['aws.waf.source.name'] = sourceName;

  const labels = record.labels;
  if (Array.isArray(labels) && labels.length > 0) {
    const names: string[] = [];
    for (const label of labels) if (isObject(label) && typeof label.name === 'string') names.push(label.name);
    if (names.length > 0) fields['aws.waf.labels'] = names;
  }
  if (typeof record.responseCodeSent === 'number') fields['aws.waf.response_code'] = record.responseCodeSent;
  if (record.captchaResponse !== undefined) addChallengeFields(fields, 'aws.waf.captcha_response.', record.captchaResponse);
  if (record.challengeResponse !== undefined) addChallengeFields(fields, 'aws.waf.challenge_response.', record.challengeResponse);
}

/** CAPTCHA/Challenge outcome: a failure reason when the action terminated the request. */
function addChallengeFields(fields: Record<string, FieldValue>, prefix: string, value: unknown): void {
  if (!isObject(value)) return;
  if (typeof value.responseCode === 'number') fields[`${prefix}response_code`] = value.responseCode;
  const reason = knownText(value.failureReason);
  if (reason !== undefined) fields[`${prefix}failure_reason`] = reason;
}

/**
 * Normalizes one AWS WAF v2 log record into an ECS event (values as Elastic's aws.waf integration gives them).
 * WAF Classic records and records without `timestamp`, `action` or `httpRequest` are errors.
 * A valid record that `mayMatch` (a scan's prefilter) says no rule can match is counted, not built.
 *
 * @example
 *   normalizeWafRecord(JSON.parse(line), line);
 *   // { status: 'ok', events: [{ source: 'waf', fields: { 'event.action': 'BLOCK', 'rule.id': 'SQLi', 'source.ip': '203.0.113.7', ... } }] }
 */
export function normalizeWafRecord(record: unknown, original: string, mayMatch?: RecordFilter): ParseResult {
  if (!isObject(record)) return parseError('WAF record is not a JSON object');
  const problem = checkRecord(record);
  if (problem !== undefined) return parseError(problem);
  if (mayMatch !== undefined && !mayMatch(record)) return unbuilt(1, false);
  const timestamp = epochMillis(record.timestamp) as number;
  const action = record.action as string;
  const fields = newPlainObject<Record<string, FieldValue>>();
  fields['@timestamp'] = toIsoString(timestamp);
  fields['event.source'] = 'waf';
  fields['event.original'] = original;
  fields['event.kind'] = 'event';
  fields['event.category'] = ['web'];
  fields['event.type'] = eventType(action);
  fields['event.action'] = action;
  fields['cloud.provider'] = 'aws';
  addRequestFields(fields, record.httpRequest as JsonObject);
  addRuleFields(fields, record);
  addWafFields(fields, record);
  const event = newPlainObject<KlaxonEvent>();
  event.timestamp = timestamp;
  event.source = 'waf';
  event.fields = fields;
  event.raw = record;
  return ok([event]);
}

/** A valid WAF record's judged fields: its action, and the category and type that follow from it. */
export const WAF_JUDGE: RecordJudge = {
  fields: ['event.action', 'event.category', 'event.type'],
  prefixes: [],
  arity: 1,
  values: (record, into) => {
    into[0] = record.action as string;
    return true;
  },
  probe: (record) => {
    const action = record.action as string;
    return { timestamp: 0, source: 'waf', fields: { 'event.action': action, 'event.category': ['web'], 'event.type': eventType(action) } };
  },
};
