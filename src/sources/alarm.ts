/**
 * CloudWatch alarm state changes. One alarm notification is one event, whichever form it came in:
 *
 * - the message CloudWatch publishes to an SNS topic (`AlarmName`, `NewStateValue`,
 *   `StateChangeTime`, `Trigger`, ...; `decodeSnsEvent` below unwraps the Lambda SNS event around it),
 * - the EventBridge event (`"detail-type": "CloudWatch Alarm State Change"`, the alarm in `detail`),
 * - the event an alarm's Lambda action sends (`"source": "aws.cloudwatch"`, the alarm in `alarmData`).
 *
 * All three give the same fields, so one rule reads them all.
 */
import type { FieldValue, KlaxonEvent, ParseResult } from '../events/event';
import { ok, parseError } from '../events/event';
import { isObject, text, textOf } from '../events/json';
import type { JsonObject } from '../events/json';
import type { InputLocation } from '../input/location';
import type { Decoded, DecodeOptions } from './decode';

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

const EVENTBRIDGE_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/** Keys of the SNS message body; two of them make a notification (so that one missing is reported, not mistaken for other JSON). */
const NOTIFICATION_KEYS = ['AlarmName', 'AlarmArn', 'NewStateValue', 'NewStateReason', 'StateChangeTime', 'OldStateValue'];

/** True for a CloudWatch alarm notification in any of its forms, for sniffing. */
export function looksLikeAlarm(json: unknown): boolean {
  if (!isObject(json)) return false;
  if ('detail-type' in json) return json['detail-type'] === EVENTBRIDGE_DETAIL_TYPE;
  if (json.source === 'aws.cloudwatch' && 'alarmData' in json) return true;
  let keys = 0;
  for (const key of NOTIFICATION_KEYS) if (key in json) keys++;
  return keys >= 2;
}

/** What the caller knows about where the notification came from. */
export interface AlarmContext {
  /** The SNS MessageId, when the notification came through SNS: it becomes `event.id`. */
  messageId?: string;
}

/** The metric an alarm watches, as far as the notification tells. */
interface MetricFacts {
  metricName?: string;
  namespace?: string;
  statistic?: string;
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  comparisonOperator?: string;
  threshold?: number;
  dimensions?: Record<string, FieldValue>;
}

/** What every form of notification says, read into one shape. */
interface AlarmFacts extends MetricFacts {
  name: string;
  state: string;
  time: number;
  reason?: string;
  description?: string;
  arn?: string;
  account?: string;
  region?: string;
  previousState?: string;
  eventBridgeId?: string;
}

type Read = { ok: true; facts: AlarmFacts } | { ok: false; message: string };

const failed = (message: string): Read => ({ ok: false, message });

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch ms of an ISO 8601 time: CloudWatch writes `2024-11-02T10:00:00.123+0000`, EventBridge and SNS `2024-11-02T10:00:00Z`. */
export function timeMillis(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 40 || !ISO_TIME.test(value)) return undefined;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function region(value: unknown): string | undefined {
  return typeof value === 'string' && REGION.test(value) ? value : undefined;
}

/** `arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME`; undefined when the text is not an alarm ARN. */
export function parseAlarmArn(arn: string): { region?: string; account?: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'cloudwatch' || parts[5] !== 'alarm' || parts.slice(6).join(':') === '') return undefined;
  const account = parts[4] ?? '';
  return { region: region(parts[3]), account: /^\d{12}$/.test(account) ? account : undefined };
}

/** SNS messages spell statistics in capitals (`SUM`, `SAMPLE_COUNT`); the API and EventBridge as `Sum`, `SampleCount`. One spelling for rules. */
const STATISTICS: Record<string, string> = { SUM: 'Sum', AVERAGE: 'Average', MAXIMUM: 'Maximum', MINIMUM: 'Minimum', SAMPLE_COUNT: 'SampleCount' };

function statistic(value: unknown): string | undefined {
  const stat = text(value);
  return stat !== undefined && Object.hasOwn(STATISTICS, stat) ? STATISTICS[stat] : stat;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A required text field: its value, or the problem naming it (`what` is "CloudWatch alarm
 * notification", `path` the key as the input spells it).
 */
function required(value: unknown, what: string, path: string): { value: string } | { problem: string } {
  if (value === undefined || value === null || value === '') return { problem: `${what} is missing "${path}"` };
  if (typeof value !== 'string') return { problem: `${what} field "${path}" is not a string` };
  return { value };
}

function checkState(value: string, what: string, path: string): string | undefined {
  return (ALARM_STATES as readonly string[]).includes(value) ? undefined : `${what} field "${path}" is not ${ALARM_STATES.slice(0, -1).join(', ')} or ${ALARM_STATES.at(-1)}`;
}

/** The alarm's ARN and what it tells (account, region); a problem when it is there but not an alarm ARN. */
function readArn(value: unknown, what: string, path: string): { arn?: string; account?: string; region?: string } | { problem: string } {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string') return { problem: `${what} field "${path}" is not a string` };
  const parsed = parseAlarmArn(value);
  if (parsed === undefined) return { problem: `${what} field "${path}" is not a CloudWatch alarm ARN` };
  return { arn: value, ...parsed };
}

/** Dimensions as a map of name to value, from a list of `{name, value}` (SNS) or a map (EventBridge). */
function dimensions(value: unknown): Record<string, FieldValue> | undefined {
  // No prototype: dimension names are whoever-wrote-the-alarm's choice (`__proto__`).
  const map: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>;
  let any = false;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!isObject(item)) continue;
      const name = text(item.name) ?? text(item.Name);
      const v = item.value ?? item.Value;
      if (name === undefined || typeof v !== 'string') continue;
      map[name] = v;
      any = true;
    }
  } else if (isObject(value)) {
    for (const [name, v] of Object.entries(value)) {
      if (typeof v !== 'string' || name === '') continue;
      map[name] = v;
      any = true;
    }
  }
  return any ? map : undefined;
}

/**
 * The one metric a metric-math alarm's query list watches: the metric query that returns the
 * alarm's data, else the only metric in the list. Undefined when an expression over several
 * metrics returns the data (no one metric name says what the alarm watches).
 */
function soleMetricStat(metrics: unknown, statKey: string, returnKey: string): JsonObject | undefined {
  if (!Array.isArray(metrics)) return undefined;
  const stats = metrics.filter((m): m is JsonObject => isObject(m) && isObject(m[statKey]));
  const chosen = stats.find((m) => m[returnKey] === true) ?? (stats.length === 1 ? stats[0] : undefined);
  return chosen === undefined ? undefined : (chosen[statKey] as JsonObject);
}

/** The SNS message's `Trigger`: a single metric, or a metric-math query list under `Metrics`. */
function triggerFacts(trigger: unknown): MetricFacts {
  if (!isObject(trigger)) return {};
  const facts: MetricFacts = {
    comparisonOperator: text(trigger.ComparisonOperator),
    threshold: num(trigger.Threshold),
    evaluationPeriods: num(trigger.EvaluationPeriods),
    datapointsToAlarm: num(trigger.DatapointsToAlarm),
  };
  if (text(trigger.MetricName) !== undefined) {
    facts.metricName = text(trigger.MetricName);
    facts.namespace = text(trigger.Namespace);
    facts.statistic = trigger.StatisticType === 'ExtendedStatistic' ? text(trigger.ExtendedStatistic) : statistic(trigger.Statistic) ?? text(trigger.ExtendedStatistic);
    facts.period = num(trigger.Period);
    facts.dimensions = dimensions(trigger.Dimensions);
    return facts;
  }
  const stat = soleMetricStat(trigger.Metrics, 'MetricStat', 'ReturnData');
  if (stat !== undefined) {
    const metric = isObject(stat.Metric) ? stat.Metric : {};
    facts.metricName = text(metric.MetricName);
    facts.namespace = text(metric.Namespace);
    facts.statistic = statistic(stat.Stat);
    facts.period = num(stat.Period) ?? num(trigger.Period);
    facts.dimensions = dimensions(metric.Dimensions);
  }
  return facts;
}

/** The EventBridge / Lambda action `configuration`: the metric, and the threshold from the state's `reasonData`. */
function configurationFacts(configuration: unknown, state: JsonObject): MetricFacts {
  const facts: MetricFacts = {};
  const stat = isObject(configuration) ? soleMetricStat(configuration.metrics, 'metricStat', 'returnData') : undefined;
  if (stat !== undefined) {
    const metric = isObject(stat.metric) ? stat.metric : {};
    facts.metricName = text(metric.name);
    facts.namespace = text(metric.namespace);
    facts.statistic = text(stat.stat);
    facts.period = num(stat.period);
    facts.dimensions = dimensions(metric.dimensions);
  }
  // These events carry no threshold of their own; the evaluation record in reasonData does.
  const reasonData = state.reasonData;
  if (typeof reasonData === 'string' && reasonData.length <= 64 * 1024) {
    try {
      const data: unknown = JSON.parse(reasonData);
      if (isObject(data)) facts.threshold = num(data.threshold);
    } catch {
      // reasonData is informational; an unreadable one only means no threshold.
    }
  }
  return facts;
}

/** The message CloudWatch publishes to SNS. */
function readNotification(json: JsonObject): Read {
  const what = 'CloudWatch alarm notification';
  const name = required(json.AlarmName, what, 'AlarmName');
  if ('problem' in name) return failed(name.problem);
  const state = required(json.NewStateValue, what, 'NewStateValue');
  if ('problem' in state) return failed(state.problem);
  const badState = checkState(state.value, what, 'NewStateValue');
  if (badState !== undefined) return failed(badState);
  const changed = required(json.StateChangeTime, what, 'StateChangeTime');
  if ('problem' in changed) return failed(changed.problem);
  const time = timeMillis(changed.value);
  if (time === undefined) return failed(`${what} field "StateChangeTime" is not an ISO 8601 time`);
  const arn = readArn(json.AlarmArn, what, 'AlarmArn');
  if ('problem' in arn) return failed(arn.problem);
  return {
    ok: true,
    facts: {
      ...triggerFacts(json.Trigger),
      name: name.value,
      state: state.value,
      time,
      reason: text(json.NewStateReason),
      description: text(json.AlarmDescription),
      arn: arn.arn,
      account: text(json.AWSAccountId) ?? arn.account,
      // `Region` is a display name ("US East (N. Virginia)"): the region comes from the ARN.
      region: arn.region,
      previousState: text(json.OldStateValue),
    },
  };
}

/**
 * The alarm inside an EventBridge event (`detail`) or a Lambda alarm action (`alarmData`): the
 * same shape, with the ARN, account and region in the envelope.
 */
function readAlarmData(envelope: JsonObject, key: 'detail' | 'alarmData', what: string, arnValue: unknown, arnPath: string): Read {
  const data = envelope[key];
  if (!isObject(data)) return failed(`${what} is missing "${key}"`);
  const name = required(data.alarmName, what, `${key}.alarmName`);
  if ('problem' in name) return failed(name.problem);
  const state = data.state;
  if (!isObject(state)) return failed(`${what} is missing "${key}.state"`);
  const value = required(state.value, what, `${key}.state.value`);
  if ('problem' in value) return failed(value.problem);
  const badState = checkState(value.value, what, `${key}.state.value`);
  if (badState !== undefined) return failed(badState);
  // The state's own timestamp is the change; the envelope's `time` is when the event was sent.
  const timePath = state.timestamp === undefined || state.timestamp === null ? 'time' : `${key}.state.timestamp`;
  const timeValue = timePath === 'time' ? envelope.time : state.timestamp;
  if (timeValue === undefined || timeValue === null || timeValue === '') return failed(`${what} is missing "${key}.state.timestamp"`);
  const time = timeMillis(timeValue);
  if (time === undefined) return failed(`${what} field "${timePath}" is not an ISO 8601 time`);
  const arn = readArn(arnValue, what, arnPath);
  if ('problem' in arn) return failed(arn.problem);
  const configuration = data.configuration;
  const previous = data.previousState;
  return {
    ok: true,
    facts: {
      ...configurationFacts(configuration, state),
      name: name.value,
      state: value.value,
      time,
      reason: text(state.reason),
      description: isObject(configuration) ? text(configuration.description) : undefined,
      arn: arn.arn,
      account: text(envelope.account) ?? text(envelope.accountId) ?? arn.account,
      region: arn.region ?? region(envelope.region),
      previousState: isObject(previous) ? text(previous.value) : undefined,
      eventBridgeId: key === 'detail' ? text(envelope.id) : undefined,
    },
  };
}

function readEventBridge(json: JsonObject): Read {
  const detailType = json['detail-type'];
  if (detailType !== EVENTBRIDGE_DETAIL_TYPE) {
    const shown = typeof detailType === 'string' ? JSON.stringify(detailType.slice(0, 100)) : typeof detailType;
    return failed(`not a CloudWatch alarm state change: an EventBridge event of detail-type ${shown}`);
  }
  const resources = Array.isArray(json.resources) ? (json.resources as unknown[]) : [];
  const arnAt = resources.findIndex((r) => typeof r === 'string' && r.includes(':alarm:'));
  return readAlarmData(json, 'detail', 'EventBridge alarm event', arnAt === -1 ? undefined : resources[arnAt], `resources[${arnAt}]`);
}

function readAlarmAction(json: JsonObject): Read {
  return readAlarmData(json, 'alarmData', 'CloudWatch alarm action event', json.alarmArn, 'alarmArn');
}

/**
 * Normalizes one CloudWatch alarm state change (the SNS message body, the EventBridge event or a
 * Lambda alarm action's event) into an ECS event. `event.id` is the SNS MessageId when the caller
 * passes one, else the EventBridge id, else the alarm ARN (or name) and the time of the change.
 * A notification without alarm name, new state or state change time is an error naming the field.
 *
 * @example
 *   normalizeAlarm(JSON.parse(sns.Message), sns.Message, { messageId: sns.MessageId });
 *   // { status: 'ok', events: [{ source: 'alarm', fields: { 'event.action': 'ALARM', 'rule.name': 'klaxon-ssh-failed-logins', ... } }] }
 */
export function normalizeAlarm(value: unknown, original: string, context: AlarmContext = {}): ParseResult {
  if (!isObject(value)) return parseError('CloudWatch alarm notification is not a JSON object');
  let read: Read;
  if ('detail-type' in value) read = readEventBridge(value);
  else if ('alarmData' in value && !('AlarmName' in value)) read = readAlarmAction(value);
  else read = readNotification(value);
  if (!read.ok) return parseError(read.message);
  const f = read.facts;
  const timestamp = new Date(f.time).toISOString();
  const fields: Record<string, FieldValue> = {
    '@timestamp': timestamp,
    'event.source': 'alarm',
    'event.original': original,
    'event.kind': 'alert',
    'event.action': f.state,
    'event.id': text(context.messageId) ?? f.eventBridgeId ?? `${f.arn ?? f.name}@${timestamp}`,
    'rule.name': f.name,
    'cloud.provider': 'aws',
  };
  const set = (key: string, v: FieldValue | undefined): void => {
    if (v !== undefined) fields[key] = v;
  };
  set('event.reason', f.reason);
  set('message', f.reason);
  set('rule.description', f.description);
  set('cloud.account.id', f.account);
  set('cloud.region', f.region);
  set('aws.eventbridge.id', f.eventBridgeId);
  set('aws.cloudwatch.alarm.arn', f.arn);
  set('aws.cloudwatch.alarm.previous_state', f.previousState);
  set('aws.cloudwatch.alarm.metric_name', f.metricName);
  set('aws.cloudwatch.alarm.namespace', f.namespace);
  set('aws.cloudwatch.alarm.statistic', f.statistic);
  set('aws.cloudwatch.alarm.period', f.period);
  set('aws.cloudwatch.alarm.evaluation_periods', f.evaluationPeriods);
  set('aws.cloudwatch.alarm.datapoints_to_alarm', f.datapointsToAlarm);
  set('aws.cloudwatch.alarm.comparison_operator', f.comparisonOperator);
  set('aws.cloudwatch.alarm.threshold', f.threshold);
  set('aws.cloudwatch.alarm.dimensions', f.dimensions);
  const event: KlaxonEvent = { timestamp: f.time, source: 'alarm', fields, raw: value };
  return ok([event]);
}

// ---------------------------------------------------------------------------------------------
// SNS deliveries: the Lambda SNS event
// `{"Records": [{"EventSource": "aws:sns", "Sns": {"MessageId", "TopicArn", "Message", ...}}]}`,
// one of its records, or an SNS message on its own (as SNS posts it to HTTP, SQS and email-json
// subscribers). Each record's `Message` is one alarm notification; the record's MessageId becomes
// the event's `event.id`, so a redelivered notification counts once.

/** True for one record of the Lambda SNS event. */
export function isSnsRecord(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value.EventSource === 'aws:sns') return true;
  return value.EventSource === undefined && isObject(value.Sns) && 'Message' in value.Sns;
}

/** True for the Lambda SNS event (judged by its first record, as a CloudTrail file is). */
export function isSnsEvent(value: unknown): boolean {
  return isObject(value) && Array.isArray(value.Records) && isSnsRecord(value.Records[0]);
}

/** True for an SNS message on its own: a record's `Sns`, or what SNS posts to HTTP, SQS and email-json subscribers. */
export function isSnsMessage(value: unknown): boolean {
  return isObject(value) && value.Type === 'Notification' && typeof value.Message === 'string' && typeof value.TopicArn === 'string';
}

/** True for anything `decodeSnsJson` reads: an SNS event, record or message. */
export function looksLikeSns(value: unknown): boolean {
  return isSnsEvent(value) || isSnsRecord(value) || isSnsMessage(value);
}

/** `arn:PARTITION:sns:REGION:ACCOUNT:TOPIC`: where the topic lives, which is where its alarms are. */
function topicPlace(arn: string | undefined): { region?: string; account?: string } {
  const parts = arn?.split(':') ?? [];
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'sns') return {};
  const account = parts[4] ?? '';
  return { region: region(parts[3]), account: /^\d{12}$/.test(account) ? account : undefined };
}

/** Where a record of a Lambda SNS event is reported: `sns:<TopicArn>`. */
function snsLocation(record: unknown): InputLocation {
  const sns = isObject(record) && isObject(record.Sns) ? record.Sns : undefined;
  return { path: `sns:${text(sns?.TopicArn) ?? 'unknown-topic'}`, offset: 0, line: 1 };
}

/**
 * The Lambda SNS event an alarm topic delivers: one Decoded per record, each at
 * `sns:<TopicArn>` (offset 0, line 1) with part `Records[i]`. Each record's `Message` is read as
 * an alarm notification, its MessageId becoming `event.id`; a record that is not one is a parse
 * error for that record only, and nothing throws. `options.source` must be `auto` or `alarm`
 * (another forced source makes every record an error); the rest of the options is not used.
 * Events carry no `log.file.path`: an SNS delivery is no file.
 *
 * @example
 *   export const handler = async (event: SNSEvent) => {
 *     for (const d of decodeSnsEvent(event, { source: 'auto', now: Date.now(), routes: DEFAULT_ROUTES })) ...
 *   };
 */
export function decodeSnsEvent(event: unknown, options: DecodeOptions): Decoded[] {
  if (!isObject(event)) return [{ location: snsLocation(undefined), result: parseError('SNS event is not a JSON object') }];
  const records = event.Records;
  if (!Array.isArray(records)) return [{ location: snsLocation(undefined), result: parseError('SNS event is missing "Records"') }];
  return records.map((record: unknown, i) => ({ location: snsLocation(record), part: `Records[${i}]`, result: recordResult(record, options) }));
}

/** An SNS event, record or message read from a file (`looksLikeSns` holds), every result at `location`. */
export function decodeSnsJson(value: unknown, options: DecodeOptions, location: InputLocation): Decoded[] {
  if (isSnsMessage(value)) return [{ location, result: messageResult(value as JsonObject, 'SNS message', 'Message', options) }];
  if (isSnsRecord(value)) return [{ location, result: recordResult(value, options) }];
  const records = (value as JsonObject).Records as unknown[];
  return records.map((record, i) => ({ location, part: `Records[${i}]`, result: recordResult(record, options) }));
}

function recordResult(record: unknown, options: DecodeOptions): ParseResult {
  if (!isObject(record)) return parseError('SNS record is not a JSON object');
  if (record.EventSource !== undefined && record.EventSource !== 'aws:sns') {
    return parseError(`not an SNS record: EventSource ${JSON.stringify(textOf(record.EventSource).slice(0, 100))}`);
  }
  if (!isObject(record.Sns)) return parseError('SNS record is missing "Sns"');
  return messageResult(record.Sns, 'SNS record', 'Sns.Message', options);
}

function messageResult(sns: JsonObject, what: string, messagePath: string, options: DecodeOptions): ParseResult {
  const message = sns.Message;
  if (message === undefined || message === null || message === '') return parseError(`${what} is missing "${messagePath}"`);
  if (typeof message !== 'string') return parseError(`${what} field "${messagePath}" is not a string`);
  const messageId = text(sns.MessageId);
  if (options.source !== 'auto' && options.source !== 'alarm') {
    return parseError(`SNS messages are read as CloudWatch alarm notifications, not ${options.source} input (use --source alarm or auto)`);
  }
  return withEnvelope(alarmMessage(message, messageId), text(sns.TopicArn), messageId, timeMillis(sns.Timestamp));
}

function alarmMessage(message: string, messageId: string | undefined): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return parseError('SNS message is not a CloudWatch alarm notification (not JSON)');
  }
  if (!looksLikeAlarm(json)) return parseError('SNS message is not a CloudWatch alarm notification');
  return normalizeAlarm(json, message, messageId === undefined ? {} : { messageId });
}

/** What the SNS envelope knows: the topic, the message id, when SNS published it (`event.created`), and the topic's account and region. */
function withEnvelope(result: ParseResult, topicArn: string | undefined, messageId: string | undefined, published: number | undefined): ParseResult {
  if (result.status !== 'ok') return result;
  const topic = topicPlace(topicArn);
  for (const event of result.events) {
    const f = event.fields;
    if (topicArn !== undefined) f['aws.sns.topic_arn'] = topicArn;
    if (messageId !== undefined) {
      f['aws.sns.message_id'] = messageId;
      if (f['event.id'] === undefined) f['event.id'] = messageId;
    }
    if (published !== undefined) f['event.created'] = new Date(published).toISOString();
    if (f['cloud.account.id'] === undefined && topic.account !== undefined) f['cloud.account.id'] = topic.account;
    if (f['cloud.region'] === undefined && topic.region !== undefined) f['cloud.region'] = topic.region;
    if (f['cloud.provider'] === undefined) f['cloud.provider'] = 'aws';
  }
  return result;
}
