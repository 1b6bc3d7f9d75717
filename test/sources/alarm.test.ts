import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import type { KlaxonEvent, ParseResult } from '../../src/events/event';
import { getField } from '../../src/events/fields';
import { ALARM_FIELDS } from '../../src/sources/alarm-fields';
import { decodeSnsEvent, isSnsEvent, looksLikeAlarm, looksLikeSns, normalizeAlarm, parseAlarmArn } from '../../src/sources/alarm';
import { fieldCatalogue, isKnownField } from '../../src/sources/catalogue';
import { decodeJson, decodeMessage, decodeTextLine, type Decoded, type DecodeOptions } from '../../src/sources/decode';
import { readEvents, ReadStats } from '../../src/sources/read-events';
import { DEFAULT_ROUTES, parseRoutes, sniffMessage } from '../../src/sources/routing';
import { jsonFixture, onlyEvent } from '../helpers/fixtures';
import { mutate, mutation } from '../helpers/mutate';

const FIXTURE_NAMES = ['sns-event', 'notification', 'eventbridge', 'lambda-action'];

function fixture(name: string): { text: string; json: Record<string, unknown> } {
  return jsonFixture('alarm', name);
}

const OPTIONS: DecodeOptions = { source: 'auto', now: Date.UTC(2030, 0, 1), routes: DEFAULT_ROUTES };
const LOCATION = { path: 'alarms.json', offset: 7, line: 2 };

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:klaxon-prod-alarms';
const MESSAGE_ID = '95df01b4-ee98-5cb9-9903-4c221d41eb5e';
const SSH_ALARM_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:klaxon-prod-failed-ssh-logins';
const SSH_REASON =
  'Threshold Crossed: 1 out of the last 1 datapoints [37.0 (02/11/24 09:55:00)] was greater than or equal to the threshold (20.0) (minimum 1 datapoint for OK -> ALARM transition).';

/** The SNS fixture's one record, and the alarm notification in its Message (text and parsed). */
function snsFixture(): { event: Record<string, unknown>; record: Record<string, unknown>; sns: Record<string, unknown>; message: string; notification: Record<string, unknown> } {
  const event = structuredClone(fixture('sns-event').json);
  const record = (event.Records as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  const sns = record.Sns as Record<string, unknown>;
  const message = sns.Message as string;
  return { event, record, sns, message, notification: JSON.parse(message) as Record<string, unknown> };
}

/** The fixture's SNS record with its Message replaced. */
function snsRecord(message: unknown, patch: Record<string, unknown> = {}): Record<string, unknown> {
  const { record, sns } = snsFixture();
  return { ...record, Sns: { ...sns, Message: typeof message === 'string' ? message : JSON.stringify(message), ...patch } };
}

/** Every event of a fixture, as `klaxon scan` (decodeJson over the parsed file) gives them. */
function decodedFixture(name: string): KlaxonEvent[] {
  const { text, json } = fixture(name);
  return decodeJson({ ok: true, value: json, text, location: LOCATION }, OPTIONS).map((d) => onlyEvent(d.result));
}

function errorOf(result: ParseResult): string {
  if (result.status !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('normalizeAlarm: the SNS message body', () => {
  it('maps the notification to exactly these ECS fields, with the MessageId the caller gives as event.id', () => {
    const { message, notification } = snsFixture();
    const e = onlyEvent(normalizeAlarm(notification, message, { messageId: MESSAGE_ID }));
    expect(e.source).toBe('alarm');
    expect(e.timestamp).toBe(Date.UTC(2024, 10, 2, 10, 0, 12, 345));
    expect(e.raw).toBe(notification);
    expect(e.fields).toEqual({
      '@timestamp': '2024-11-02T10:00:12.345Z',
      'event.source': 'alarm',
      'event.original': message,
      'event.kind': 'alert',
      'event.action': 'ALARM',
      'event.reason': SSH_REASON,
      'event.id': MESSAGE_ID,
      message: SSH_REASON,
      'rule.name': 'klaxon-prod-failed-ssh-logins',
      'rule.description': 'Klaxon (prod): SshFailedLogins reached 20 in 5m (metric filter on /prod/bastion/auth)',
      'cloud.provider': 'aws',
      'cloud.account.id': '123456789012',
      'cloud.region': 'eu-west-1',
      'aws.cloudwatch.alarm.arn': SSH_ALARM_ARN,
      'aws.cloudwatch.alarm.previous_state': 'OK',
      'aws.cloudwatch.alarm.metric_name': 'SshFailedLogins',
      'aws.cloudwatch.alarm.namespace': 'Klaxon/prod',
      'aws.cloudwatch.alarm.statistic': 'Sum',
      'aws.cloudwatch.alarm.period': 300,
      'aws.cloudwatch.alarm.evaluation_periods': 1,
      'aws.cloudwatch.alarm.comparison_operator': 'GreaterThanOrEqualToThreshold',
      'aws.cloudwatch.alarm.threshold': 20,
    });
  });

  it('reads dimensions, datapoints to alarm and the SNS spelling of statistics; the region from the ARN, not the display name', () => {
    const { text, json } = fixture('notification');
    const f = onlyEvent(normalizeAlarm(json, text)).fields;
    expect(f['cloud.region']).toBe('us-east-1');
    expect(json.Region).toBe('US East (N. Virginia)');
    expect(f['aws.cloudwatch.alarm.dimensions']).toEqual({ QueueName: 'klaxon-prod-dead-letters' });
    expect(f['aws.cloudwatch.alarm.datapoints_to_alarm']).toBe(1);
    expect(f['aws.cloudwatch.alarm.statistic']).toBe('Maximum');
    expect(f['aws.cloudwatch.alarm.previous_state']).toBe('INSUFFICIENT_DATA');
    expect(f['event.original']).toBe(text);
  });

  it('without a MessageId, makes a stable event.id of the alarm ARN and the time of the change', () => {
    const { text, json } = fixture('notification');
    const id = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:klaxon-prod-dead-letters@2024-11-02T10:10:41.027Z';
    expect(onlyEvent(normalizeAlarm(json, text)).fields['event.id']).toBe(id);
    expect(onlyEvent(normalizeAlarm(structuredClone(json), 'other text')).fields['event.id']).toBe(id);
    const noArn = structuredClone(json);
    delete noArn.AlarmArn;
    expect(onlyEvent(normalizeAlarm(noArn, '')).fields['event.id']).toBe('klaxon-prod-dead-letters@2024-11-02T10:10:41.027Z');
  });

  it('leaves region and account unset when there is no ARN and no account (the display name is not a region)', () => {
    const f = onlyEvent(normalizeAlarm({ AlarmName: 'a', NewStateValue: 'OK', StateChangeTime: '2024-11-02T10:00:00Z', Region: 'EU (Ireland)' }, '')).fields;
    expect(f['cloud.region']).toBeUndefined();
    expect(f['cloud.account.id']).toBeUndefined();
    expect(f.message).toBeUndefined();
    expect(f['aws.cloudwatch.alarm.metric_name']).toBeUndefined();
  });

  it('takes the account from the ARN when AWSAccountId is absent', () => {
    const { json } = fixture('notification');
    delete json.AWSAccountId;
    expect(onlyEvent(normalizeAlarm(json, '')).fields['cloud.account.id']).toBe('123456789012');
  });

  it('reads a percentile alarm (ExtendedStatistic)', () => {
    const { notification } = snsFixture();
    notification.Trigger = { ...(notification.Trigger as object), StatisticType: 'ExtendedStatistic', Statistic: null, ExtendedStatistic: 'p99' };
    expect(onlyEvent(normalizeAlarm(notification, '')).fields['aws.cloudwatch.alarm.statistic']).toBe('p99');
  });

  it('reads the metric of a metric-query alarm, and none when an expression over several metrics decides', () => {
    const { notification } = snsFixture();
    const metric = (id: string, name: string, returnData: boolean) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: name, Dimensions: [{ name: 'QueueName', value: 'q' }] }, Period: 60, Stat: 'Average' },
      ReturnData: returnData,
    });
    const rest = structuredClone(notification.Trigger) as Record<string, unknown>;
    for (const key of ['MetricName', 'Namespace', 'Statistic', 'Period', 'Dimensions']) delete rest[key];
    notification.Trigger = { ...rest, Metrics: [metric('m1', 'ApproximateAgeOfOldestMessage', true)] };
    const f = onlyEvent(normalizeAlarm(notification, '')).fields;
    expect(f['aws.cloudwatch.alarm.metric_name']).toBe('ApproximateAgeOfOldestMessage');
    expect(f['aws.cloudwatch.alarm.namespace']).toBe('AWS/SQS');
    expect(f['aws.cloudwatch.alarm.statistic']).toBe('Average');
    expect(f['aws.cloudwatch.alarm.period']).toBe(60);
    expect(f['aws.cloudwatch.alarm.dimensions']).toEqual({ QueueName: 'q' });
    expect(f['aws.cloudwatch.alarm.threshold']).toBe(20);

    notification.Trigger = { ...rest, Metrics: [metric('m1', 'A', false), metric('m2', 'B', false), { Id: 'e1', Expression: 'm1+m2', ReturnData: true }] };
    const g = onlyEvent(normalizeAlarm(notification, '')).fields;
    expect(g['aws.cloudwatch.alarm.metric_name']).toBeUndefined();
    expect(g['aws.cloudwatch.alarm.comparison_operator']).toBe('GreaterThanOrEqualToThreshold');
  });

  it('reads a composite alarm (no Trigger)', () => {
    const { notification } = snsFixture();
    delete notification.Trigger;
    notification.AlarmRule = 'ALARM(a) AND ALARM(b)';
    const f = onlyEvent(normalizeAlarm(notification, '')).fields;
    expect(f['event.action']).toBe('ALARM');
    expect(Object.keys(f).filter((k) => k.startsWith('aws.cloudwatch.alarm.'))).toEqual(['aws.cloudwatch.alarm.arn', 'aws.cloudwatch.alarm.previous_state']);
  });

  it('keeps dimension names that are not identifiers as data (no prototype)', () => {
    const { notification } = snsFixture();
    (notification.Trigger as Record<string, unknown>).Dimensions = [{ name: '__proto__', value: 'x' }, { name: 'ok', value: 'y' }, { name: 'n' }, 'junk'];
    const dims = onlyEvent(normalizeAlarm(notification, '')).fields['aws.cloudwatch.alarm.dimensions'] as Record<string, unknown>;
    expect(Object.keys(dims)).toEqual(['__proto__', 'ok']);
    expect(dims.__proto__).toBe('x');
  });

  it.each([
    ['missing AlarmName', (n: Record<string, unknown>) => delete n.AlarmName, 'CloudWatch alarm notification is missing "AlarmName"'],
    ['empty AlarmName', (n: Record<string, unknown>) => (n.AlarmName = ''), 'CloudWatch alarm notification is missing "AlarmName"'],
    ['numeric AlarmName', (n: Record<string, unknown>) => (n.AlarmName = 7), 'CloudWatch alarm notification field "AlarmName" is not a string'],
    ['missing NewStateValue', (n: Record<string, unknown>) => delete n.NewStateValue, 'CloudWatch alarm notification is missing "NewStateValue"'],
    ['null NewStateValue', (n: Record<string, unknown>) => (n.NewStateValue = null), 'CloudWatch alarm notification is missing "NewStateValue"'],
    ['an unknown state', (n: Record<string, unknown>) => (n.NewStateValue = 'alarm'), 'CloudWatch alarm notification field "NewStateValue" is not ALARM, OK or INSUFFICIENT_DATA'],
    ['missing StateChangeTime', (n: Record<string, unknown>) => delete n.StateChangeTime, 'CloudWatch alarm notification is missing "StateChangeTime"'],
    ['unreadable StateChangeTime', (n: Record<string, unknown>) => (n.StateChangeTime = 'yesterday'), 'CloudWatch alarm notification field "StateChangeTime" is not an ISO 8601 time'],
    ['numeric StateChangeTime', (n: Record<string, unknown>) => (n.StateChangeTime = 1730541612345), 'CloudWatch alarm notification field "StateChangeTime" is not a string'],
    ['an AlarmArn of another service', (n: Record<string, unknown>) => (n.AlarmArn = TOPIC), 'CloudWatch alarm notification field "AlarmArn" is not a CloudWatch alarm ARN'],
    ['a numeric AlarmArn', (n: Record<string, unknown>) => (n.AlarmArn = 1), 'CloudWatch alarm notification field "AlarmArn" is not a string'],
  ])('rejects a notification with %s, naming the field', (_label, change, message) => {
    const { notification } = snsFixture();
    change(notification);
    expect(normalizeAlarm(notification, '')).toEqual({ status: 'error', message });
  });

  it('rejects non-objects', () => {
    for (const value of [null, 3, 'x', [], undefined]) expect(normalizeAlarm(value, '')).toEqual({ status: 'error', message: 'CloudWatch alarm notification is not a JSON object' });
  });
});

describe('normalizeAlarm: EventBridge and Lambda alarm actions', () => {
  it('reads the EventBridge event: the EventBridge id as event.id, the threshold from reasonData', () => {
    const { text, json } = fixture('eventbridge');
    const e = onlyEvent(normalizeAlarm(json, text));
    expect(e.timestamp).toBe(Date.UTC(2024, 10, 2, 11, 30, 5, 123));
    expect(e.raw).toBe(json);
    expect(e.fields).toEqual({
      '@timestamp': '2024-11-02T11:30:05.123Z',
      'event.source': 'alarm',
      'event.original': text,
      'event.kind': 'alert',
      'event.action': 'ALARM',
      'event.reason': expect.stringContaining('[412.0 (02/11/24 11:25:00)]'),
      'event.id': 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      message: expect.stringContaining('[412.0 (02/11/24 11:25:00)]'),
      'rule.name': 'klaxon-prod-waf-blocked-requests',
      'rule.description': 'Klaxon (prod): WafBlockedRequests reached 100 in 5m (metric filter on aws-waf-logs-shop)',
      'cloud.provider': 'aws',
      'cloud.account.id': '123456789012',
      'cloud.region': 'eu-west-1',
      'aws.eventbridge.id': 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      'aws.cloudwatch.alarm.arn': 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:klaxon-prod-waf-blocked-requests',
      'aws.cloudwatch.alarm.previous_state': 'OK',
      'aws.cloudwatch.alarm.metric_name': 'WafBlockedRequests',
      'aws.cloudwatch.alarm.namespace': 'Klaxon/prod',
      'aws.cloudwatch.alarm.statistic': 'Sum',
      'aws.cloudwatch.alarm.period': 300,
      'aws.cloudwatch.alarm.threshold': 100,
    });
  });

  it('prefers a MessageId given by the caller to the EventBridge id', () => {
    const { json } = fixture('eventbridge');
    expect(onlyEvent(normalizeAlarm(json, '', { messageId: 'm-1' })).fields['event.id']).toBe('m-1');
  });

  it('falls back to the envelope time and region when the state has no timestamp and resources no ARN', () => {
    const { json } = fixture('eventbridge');
    const detail = json.detail as Record<string, Record<string, unknown>>;
    delete detail.state!.timestamp;
    json.resources = [];
    json.region = 'ap-southeast-2';
    const f = onlyEvent(normalizeAlarm(json, '')).fields;
    expect(f['@timestamp']).toBe('2024-11-02T11:30:05.000Z');
    expect(f['cloud.region']).toBe('ap-southeast-2');
    expect(f['aws.cloudwatch.alarm.arn']).toBeUndefined();
  });

  it('reads an unreadable reasonData as no threshold', () => {
    const { json } = fixture('eventbridge');
    (json.detail as Record<string, Record<string, unknown>>).state!.reasonData = '{not json';
    const f = onlyEvent(normalizeAlarm(json, '')).fields;
    expect(f['aws.cloudwatch.alarm.threshold']).toBeUndefined();
    expect(f['aws.cloudwatch.alarm.metric_name']).toBe('WafBlockedRequests');
  });

  it('reads the event a Lambda alarm action receives', () => {
    const { text, json } = fixture('lambda-action');
    const f = onlyEvent(normalizeAlarm(json, text)).fields;
    expect(f['rule.name']).toBe('klaxon-prod-security-group-changes');
    expect(f['event.action']).toBe('ALARM');
    expect(f['@timestamp']).toBe('2024-11-02T12:00:06.998Z');
    expect(f['cloud.region']).toBe('eu-west-1');
    expect(f['cloud.account.id']).toBe('123456789012');
    expect(f['aws.cloudwatch.alarm.threshold']).toBe(1);
    expect(f['aws.cloudwatch.alarm.metric_name']).toBe('SecurityGroupChanges');
    expect(f['event.id']).toBe('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:klaxon-prod-security-group-changes@2024-11-02T12:00:06.998Z');
    expect(f['aws.eventbridge.id']).toBeUndefined();
  });

  type Change = (e: Record<string, unknown>) => unknown;
  const detail = (e: Record<string, unknown>) => e.detail as Record<string, unknown>;
  const state = (e: Record<string, unknown>) => detail(e).state as Record<string, unknown>;
  it.each<[string, Change, string]>([
    ['no detail', (e) => delete e.detail, 'EventBridge alarm event is missing "detail"'],
    ['no alarm name', (e) => delete detail(e).alarmName, 'EventBridge alarm event is missing "detail.alarmName"'],
    ['no state', (e) => delete detail(e).state, 'EventBridge alarm event is missing "detail.state"'],
    ['no state value', (e) => delete state(e).value, 'EventBridge alarm event is missing "detail.state.value"'],
    ['an unknown state value', (e) => (state(e).value = 'BROKEN'), 'EventBridge alarm event field "detail.state.value" is not ALARM, OK or INSUFFICIENT_DATA'],
    ['an unreadable state timestamp', (e) => (state(e).timestamp = 'soon'), 'EventBridge alarm event field "detail.state.timestamp" is not an ISO 8601 time'],
    ['no timestamp at all', (e) => { delete state(e).timestamp; delete e.time; }, 'EventBridge alarm event is missing "detail.state.timestamp"'],
    ['an ARN in resources that is not an alarm', (e) => (e.resources = ['arn:aws:sns:eu-west-1:123456789012:x:alarm:y']), 'EventBridge alarm event field "resources[0]" is not a CloudWatch alarm ARN'],
    ['another detail-type', (e) => (e['detail-type'] = 'CloudWatch Alarm Configuration Change'), 'not a CloudWatch alarm state change: an EventBridge event of detail-type "CloudWatch Alarm Configuration Change"'],
  ])('rejects an EventBridge event with %s, naming the field', (_label, change, message) => {
    const { json } = fixture('eventbridge');
    change(json);
    expect(normalizeAlarm(json, '')).toEqual({ status: 'error', message });
  });

  it.each<[string, Change, string]>([
    ['no alarmData', (e) => (e.alarmData = 'x'), 'CloudWatch alarm action event is missing "alarmData"'],
    ['no alarm name', (e) => delete (e.alarmData as Record<string, unknown>).alarmName, 'CloudWatch alarm action event is missing "alarmData.alarmName"'],
    ['a bad alarmArn', (e) => (e.alarmArn = 'arn:aws:cloudwatch:eu-west-1:123456789012:dashboard:x'), 'CloudWatch alarm action event field "alarmArn" is not a CloudWatch alarm ARN'],
  ])('rejects a Lambda alarm action event with %s', (_label, change, message) => {
    const { json } = fixture('lambda-action');
    change(json);
    expect(normalizeAlarm(json, '')).toEqual({ status: 'error', message });
  });
});

describe('parseAlarmArn', () => {
  it('reads region and account; rejects other ARNs', () => {
    expect(parseAlarmArn(SSH_ALARM_ARN)).toEqual({ region: 'eu-west-1', account: '123456789012' });
    expect(parseAlarmArn('arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a:b')).toEqual({ region: 'cn-north-1', account: '123456789012' });
    expect(parseAlarmArn('arn:aws:cloudwatch:Nowhere:12:alarm:x')).toEqual({ region: undefined, account: undefined });
    for (const arn of [TOPIC, 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:', 'alarm', '']) expect(parseAlarmArn(arn)).toBeUndefined();
  });
});

describe('looksLikeAlarm', () => {
  it.each(['notification', 'eventbridge', 'lambda-action'])('recognises %s', (name) => {
    expect(looksLikeAlarm(fixture(name).json)).toBe(true);
  });

  it('recognises a notification with one key missing, so that the missing key is what gets reported', () => {
    expect(looksLikeAlarm({ AlarmName: 'a', StateChangeTime: 't' })).toBe(true);
  });

  it('does not claim other JSON', () => {
    const others: unknown[] = [
      jsonFixture('waf', 'block-regular-rule').json,
      jsonFixture('cloudtrail', 'revoke-ingress').json,
      jsonFixture('cloudtrail', 'eventbridge-authorize-ingress-items').json,
      fixture('sns-event').json,
      { AlarmName: 'only one key' },
      { 'detail-type': 'CloudWatch Alarm Configuration Change', detail: { alarmName: 'a' } },
      null,
      [],
      'AlarmName',
    ];
    for (const value of others) expect(looksLikeAlarm(value)).toBe(false);
  });
});

describe('decodeSnsEvent', () => {
  it('decodes the Lambda SNS event: one Decoded per record at sns:<TopicArn>, MessageId as event.id', () => {
    const { event, message } = snsFixture();
    const decoded = decodeSnsEvent(event, OPTIONS);
    expect(decoded).toHaveLength(1);
    const [only] = decoded as [Decoded];
    expect(only.location).toEqual({ path: `sns:${TOPIC}`, offset: 0, line: 1 });
    expect(only.part).toBe('Records[0]');
    const f = onlyEvent(only.result).fields;
    expect(f['event.id']).toBe(MESSAGE_ID);
    expect(f['aws.sns.message_id']).toBe(MESSAGE_ID);
    expect(f['aws.sns.topic_arn']).toBe(TOPIC);
    expect(f['event.created']).toBe('2024-11-02T10:00:12.512Z');
    expect(f['event.original']).toBe(message);
    expect(f['rule.name']).toBe('klaxon-prod-failed-ssh-logins');
    expect(f['cloud.region']).toBe('eu-west-1');
    expect(f['log.file.path']).toBeUndefined();
    expect(f['log.offset']).toBeUndefined();
  });

  it('gives each bad record its own error and keeps the good ones', () => {
    const { record, notification } = snsFixture();
    const ok = { ...notification, AlarmName: 'second' };
    const noName = structuredClone(notification);
    delete noName.AlarmName;
    const event = {
      Records: [
        record,
        snsRecord('{"Hello": "world"}'),
        snsRecord('plain text, not JSON'),
        snsRecord(noName),
        { EventSource: 'aws:sns', EventVersion: '1.0' },
        { ...record, Sns: { ...(record.Sns as object), Message: undefined } },
        { EventSource: 'aws:sqs', body: '{}' },
        'not a record',
        snsRecord(ok, { MessageId: 'm-2' }),
      ],
    };
    const decoded = decodeSnsEvent(event, OPTIONS);
    expect(decoded.map((d) => d.part)).toEqual(event.Records.map((_r, i) => `Records[${i}]`));
    expect(decoded.map((d) => (d.result.status === 'error' ? d.result.message : d.result.status))).toEqual([
      'ok',
      'SNS message is not a CloudWatch alarm notification',
      'SNS message is not a CloudWatch alarm notification (not JSON)',
      'CloudWatch alarm notification is missing "AlarmName"',
      'SNS record is missing "Sns"',
      'SNS record is missing "Sns.Message"',
      'not an SNS record: EventSource "aws:sqs"',
      'SNS record is not a JSON object',
      'ok',
    ]);
    expect(decoded[4]?.location.path).toBe('sns:unknown-topic');
    const last = onlyEvent((decoded[8] as Decoded).result).fields;
    expect([last['rule.name'], last['event.id']]).toEqual(['second', 'm-2']);
  });

  it('takes account and region from the topic when the notification has neither', () => {
    const bare = { AlarmName: 'legacy', NewStateValue: 'ALARM', StateChangeTime: '2024-11-02T10:00:00.000+0000', Region: 'EU (Ireland)' };
    const f = onlyEvent((decodeSnsEvent({ Records: [snsRecord(bare)] }, OPTIONS)[0] as Decoded).result).fields;
    expect(f['cloud.region']).toBe('eu-west-1');
    expect(f['cloud.account.id']).toBe('123456789012');
    expect(f['event.id']).toBe(MESSAGE_ID);
  });

  it('reads an EventBridge alarm event published to the topic too', () => {
    const eb = fixture('eventbridge').json;
    const f = onlyEvent((decodeSnsEvent({ Records: [snsRecord(eb)] }, OPTIONS)[0] as Decoded).result).fields;
    expect(f['rule.name']).toBe('klaxon-prod-waf-blocked-requests');
    expect(f['event.id']).toBe(MESSAGE_ID);
    expect(f['aws.eventbridge.id']).toBe('c4c1c1c9-6542-e61b-6ef0-8c4d36933a92');
  });

  it('reports an event that is not an SNS event as one error, and an empty one as nothing', () => {
    expect(decodeSnsEvent(null, OPTIONS)).toEqual([{ location: { path: 'sns:unknown-topic', offset: 0, line: 1 }, result: { status: 'error', message: 'SNS event is not a JSON object' } }]);
    expect(decodeSnsEvent({ records: [] }, OPTIONS).map((d) => d.result)).toEqual([{ status: 'error', message: 'SNS event is missing "Records"' }]);
    expect(decodeSnsEvent({ Records: [] }, OPTIONS)).toEqual([]);
  });

  it('reads messages as alarms with --source alarm, and refuses another forced source per record', () => {
    const { event } = snsFixture();
    expect(onlyEvent((decodeSnsEvent(event, { ...OPTIONS, source: 'alarm' })[0] as Decoded).result).source).toBe('alarm');
    expect(errorOf((decodeSnsEvent(event, { ...OPTIONS, source: 'waf' })[0] as Decoded).result)).toBe(
      'SNS messages are read as CloudWatch alarm notifications, not waf input (use --source alarm or auto)',
    );
  });

  it('a record whose EventSource cannot become text (JSON {"toString": false}, a null-prototype object) is an error for that record, not a throw', () => {
    const { event } = snsFixture();
    const record = (event as { Records: Array<Record<string, unknown>> }).Records[0] as Record<string, unknown>;
    for (const odd of [JSON.parse('{"toString": false}') as unknown, Object.create(null) as unknown]) {
      const decoded = decodeSnsEvent({ Records: [{ ...record, EventSource: odd }] }, OPTIONS);
      expect(errorOf((decoded[0] as Decoded).result)).toMatch(/^not an SNS record: EventSource /);
    }
  });

  it('never throws, on arbitrary values and on mutated SNS events', () => {
    const check = (value: unknown): void => {
      for (const d of decodeSnsEvent(value, OPTIONS)) {
        expect(['ok', 'error']).toContain(d.result.status);
        if (d.result.status === 'ok') for (const e of d.result.events) expect(Number.isFinite(e.timestamp)).toBe(true);
      }
    };
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withDate: true }), check), { numRuns: 300 });
    const base = snsFixture().event;
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => check(mutate(base, mutations))), { numRuns: 500 });
  });
});

describe('decodeJson: alarms and SNS deliveries in files', () => {
  it('sniffs each form of alarm notification, and stamps the file location', () => {
    const events = ['notification', 'eventbridge', 'lambda-action'].flatMap(decodedFixture);
    expect(events.map((e) => [e.source, e.fields['rule.name']])).toEqual([
      ['alarm', 'klaxon-prod-dead-letters'],
      ['alarm', 'klaxon-prod-waf-blocked-requests'],
      ['alarm', 'klaxon-prod-security-group-changes'],
    ]);
    for (const e of events) expect([e.fields['log.file.path'], e.fields['log.offset']]).toEqual(['alarms.json', 7]);
  });

  it('reads a whole SNS event, one of its records, and an SNS message on its own', () => {
    const { event, record, sns } = snsFixture();
    const whole = decodeJson({ ok: true, value: event, text: '', location: LOCATION }, OPTIONS);
    expect(whole.map((d) => d.part)).toEqual(['Records[0]']);
    for (const value of [event, record, sns]) {
      const [d, ...rest] = decodeJson({ ok: true, value, text: '', location: LOCATION }, OPTIONS);
      expect(rest).toEqual([]);
      const f = onlyEvent((d as Decoded).result).fields;
      expect([f['event.id'], f['aws.sns.topic_arn'], f['log.file.path']]).toEqual([MESSAGE_ID, TOPIC, 'alarms.json']);
    }
  });

  it('reads SNS deliveries whatever source is forced (an envelope, as CloudWatch Logs deliveries are), and alarms with --source alarm', () => {
    const { event } = snsFixture();
    expect(errorOf((decodeJson({ ok: true, value: event, text: '', location: LOCATION }, { ...OPTIONS, source: 'ssh' })[0] as Decoded).result)).toMatch(/not ssh input/);
    const { text, json } = fixture('notification');
    expect(onlyEvent((decodeJson({ ok: true, value: json, text, location: LOCATION }, { ...OPTIONS, source: 'alarm' })[0] as Decoded).result).source).toBe('alarm');
  });

  it('with --source alarm, names what a record that is no alarm lacks', () => {
    const waf = jsonFixture('waf', 'block-regular-rule');
    const [d] = decodeJson({ ok: true, value: waf.json, text: waf.text, location: LOCATION }, { ...OPTIONS, source: 'alarm' });
    expect((d as Decoded).result).toEqual({ status: 'error', message: 'CloudWatch alarm notification is missing "AlarmName"' });
  });

  it('lists alarms among what an unrecognised record is not', () => {
    const [d] = decodeJson({ ok: true, value: { hello: 1 }, text: '{}', location: LOCATION }, OPTIONS);
    expect(errorOf((d as Decoded).result)).toBe('not a WAF, CloudTrail, CloudWatch alarm or CloudWatch Logs record');
  });

  it('reads a followed file line holding an SNS event or a notification', () => {
    const line = JSON.stringify(snsFixture().event);
    expect(onlyEvent((decodeTextLine(line, LOCATION, OPTIONS)[0] as Decoded).result).fields['event.id']).toBe(MESSAGE_ID);
    const notification = JSON.stringify(fixture('notification').json);
    expect(onlyEvent((decodeTextLine(notification, LOCATION, { ...OPTIONS, source: 'alarm' })[0] as Decoded).result).source).toBe('alarm');
  });

  it('reads an alarm notification delivered as a CloudWatch Logs message when the source is forced, and sniffs one', () => {
    const text = fixture('notification').text;
    expect(onlyEvent(decodeMessage('alarm', text, 0, OPTIONS)).fields['rule.name']).toBe('klaxon-prod-dead-letters');
    expect(sniffMessage(text)).toBe('alarm');
    expect(sniffMessage(fixture('eventbridge').text)).toBe('alarm');
  });

  it('reads the SNS fixture file as klaxon scan does (streamed record by record), with one bad record among good ones', async () => {
    const { event, record } = snsFixture();
    const file = join(mkdtempSync(join(tmpdir(), 'klaxon-alarm-')), 'sns.json');
    writeFileSync(file, JSON.stringify({ Records: [record, snsRecord('{"Hello":"world"}'), { ...record, Sns: { ...(record.Sns as object), MessageId: 'm-3' } }] }, null, 2));
    expect(isSnsEvent(event)).toBe(true);
    const stats = new ReadStats();
    const events: KlaxonEvent[] = [];
    await readEvents(file, new PassThrough(), OPTIONS, stats, (batch) => {
      events.push(...batch);
    });
    expect(events.map((e) => e.fields['event.id'])).toEqual([MESSAGE_ID, 'm-3']);
    expect(events.every((e) => e.fields['log.file.path'] === file)).toBe(true);
    expect([stats.units, stats.events, stats.errors]).toEqual([3, 2, 1]);
    expect(stats.problems.map((p) => p.message)).toEqual(['SNS message is not a CloudWatch alarm notification']);
  });

  it('looksLikeSns tells SNS deliveries from CloudTrail files', () => {
    expect(looksLikeSns(snsFixture().event)).toBe(true);
    expect(looksLikeSns(jsonFixture('cloudtrail', 'log-file').json)).toBe(false);
    expect(looksLikeSns({ Records: [] })).toBe(false);
  });
});

describe('alarm as a source', () => {
  it('is a routable source name', () => {
    expect(parseRoutes('/klaxon/alarms=alarm').routes).toEqual([{ pattern: '/klaxon/alarms', source: 'alarm' }]);
    expect(parseRoutes('x=mail').problems).toEqual(['"x=mail": unknown source "mail" (expected ssh, waf, cloudtrail, alarm)']);
  });

  it('emits only catalogued fields, and every field of its catalogue is emitted by some fixture', () => {
    const catalogue = fieldCatalogue(['alarm']);
    const events = FIXTURE_NAMES.flatMap(decodedFixture);
    const emitted = new Set(events.flatMap((e) => Object.keys(e.fields)));
    for (const key of emitted) expect([key, isKnownField(catalogue, key)]).toEqual([key, true]);
    for (const key of ALARM_FIELDS.fields) expect([key, emitted.has(key)]).toEqual([key, true]);
    const dlq = events.find((e) => e.fields['rule.name'] === 'klaxon-prod-dead-letters') as KlaxonEvent;
    expect(getField(dlq, 'aws.cloudwatch.alarm.dimensions.QueueName')).toBe('klaxon-prod-dead-letters');
  });

  it('never throws on mutated notifications of every form', () => {
    const inputs = ['notification', 'eventbridge', 'lambda-action'].map((name) => fixture(name).json);
    fc.assert(
      fc.property(fc.constantFrom(...inputs), fc.array(mutation, { minLength: 1, maxLength: 6 }), (input, mutations) => {
        const result = normalizeAlarm(mutate(input, mutations), '');
        expect(['ok', 'error']).toContain(result.status);
      }),
      { numRuns: 1000 },
    );
  });
});
