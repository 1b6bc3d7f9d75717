/**
 * The Lambda handlers for logs, CloudTrail (EventBridge) and alarms (SNS), each loaded on a
 * cold start of its own, against real parts: DynamoDB (dynalite, Klaxon's table), the Slack
 * stand-in (through SLACK_API_URL), Powertools' real logger and metrics on stdout/stderr. Only
 * SSM Parameter Store is mocked.
 */
import type { CloudWatchLogsEvent, Context, EventBridgeEvent, SNSEvent } from 'aws-lambda';
import type { DrainReport } from '../../src/alerts/lifecycle';
import type { InvocationSummary } from '../../src/lambda/runtime';
import { encodeAwsLogsEvent, type CloudWatchLogsPayload } from '../../src/sources/awslogs';
import { zoneOffsetMs } from '../../src/sources/time-zone';
import { DynamoStore } from '../../src/store/dynamodb';
import { jsonFixture } from '../helpers/fixtures';
import { useSlackStandIn } from '../helpers/slack-standin';
import {
  applyEnv,
  BOT_TOKEN,
  BOT_TOKEN_PARAMETER,
  captureOutput,
  CHANNEL,
  controlPayload,
  defaultParameters,
  lambdaContext,
  lambdaEnv,
  loadFunction,
  METRIC_NAMESPACE,
  postedAlerts,
  rejectionOf,
  SIGNING_SECRET,
  snapshotEnv,
  startAws,
  storedGroup,
  subscriptionPayload,
  syslogTime,
  type LambdaFunction,
  type LocalAws,
  type OutputCapture,
  type Parameters,
} from './lambda-harness';

type LogsHandler = (event: CloudWatchLogsEvent, context: Context) => Promise<InvocationSummary>;
type DrainHandler = (event: unknown, context: Context) => Promise<DrainReport>;
type CloudTrailHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<InvocationSummary>;
type AlarmHandler = (event: SNSEvent, context: Context) => Promise<InvocationSummary>;

const ATTACKER = '203.0.113.9';
const AUTH_LOG_GROUP = '/klaxon/test/auth.log';
const MINUTE = 60_000;

let aws: LocalAws;
const slack = useSlackStandIn();
let restoreEnv: () => void;
let output: OutputCapture;
const loaded: Array<LambdaFunction<unknown>> = [];

beforeAll(async () => {
  restoreEnv = snapshotEnv();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  aws = await startAws();
});

afterAll(async () => {
  for (const fn of loaded) fn.close();
  await aws.close();
  restoreEnv();
});

beforeEach(() => {
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  // Everything the functions wrote is JSON (Powertools' log lines and EMF records), and no line carries a secret.
  for (const line of output.lines()) {
    expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(line).not.toContain(BOT_TOKEN);
    expect(line).not.toContain(SIGNING_SECRET);
  }
});

interface Deployed<H> extends LambdaFunction<H> {
  functionName: string;
  table: string;
  /** The test's own view of the function's table. */
  store: DynamoStore;
}

/** A cold start of `handlers/<name>.ts` with the deployment's environment, on `table` (a fresh one by default). */
async function coldStart<H>(
  name: 'logs' | 'cloudtrail' | 'alarm' | 'drain',
  options: { table?: string; parameters?: Parameters; env?: Record<string, string> } = {},
): Promise<Deployed<H>> {
  const table = options.table ?? (await aws.createTable());
  const functionName = `klaxon-test-${name}`;
  applyEnv({ ...lambdaEnv({ table, dynamoEndpoint: aws.endpoint, slackApiUrl: slack.url, functionName }), ...options.env });
  const fn = loadFunction<H>(name, options.parameters ?? defaultParameters());
  loaded.push(fn as LambdaFunction<unknown>);
  return { ...fn, functionName, table, store: new DynamoStore({ tableName: table, client: aws.client }) };
}

/** A subscription delivery of auth.log: 6 failed passwords from ATTACKER within 6 minutes, one malformed JSON-ish line, one line of another program. */
function authLogDelivery(base = Date.now() - 10 * MINUTE): { event: CloudWatchLogsEvent; payload: CloudWatchLogsPayload } {
  const at = (minutes: number) => base + minutes * MINUTE;
  const failures = Array.from({ length: 6 }, (_, i) => ({
    timestamp: at(i) + 250,
    message: `${syslogTime(at(i))} bastion-1 sshd[${4100 + i}]: Failed password for ${i % 2 === 0 ? 'root' : 'invalid user admin'} from ${ATTACKER} port ${51_000 + i} ssh2`,
  }));
  const payload = subscriptionPayload(AUTH_LOG_GROUP, 'i-0abc123def4567890', [
    ...failures.slice(0, 3),
    { timestamp: at(3) + 500, message: '{"level":"info","msg":"disk check", "host": "bastion-1"' },
    ...failures.slice(3),
    { timestamp: at(6) + 100, message: `${syslogTime(at(6))} bastion-1 CRON[5120]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)` },
  ]);
  return { event: encodeAwsLogsEvent(payload), payload };
}

/** The EMF records written to stdout. */
function emfRecords(): Array<Record<string, unknown>> {
  return output
    .stdout()
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => typeof record._aws === 'object' && record._aws !== null);
}

/** The JSON log lines (EMF records left out). */
function logRecords(): Array<Record<string, unknown>> {
  return output
    .lines()
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record._aws === undefined);
}

describe('logs: auth logs written in local time (KLAXON_LOG_GROUP_TIMEZONES from the stage config)', () => {
  const NEW_YORK_GROUP = '/klaxon/test/new-york/auth.log';
  const SKEW_WARNING = "auth-log times are more than an hour from CloudWatch's ingestion time: the log group's time zone is probably wrong";
  let logs: Deployed<LogsHandler>;

  beforeAll(async () => {
    logs = await coldStart<LogsHandler>('logs', { env: { KLAXON_LOG_GROUP_TIMEZONES: `${NEW_YORK_GROUP}=America/New_York` } });
  });

  /** Six failed passwords a minute apart, their RFC3164 times written on a New York wall clock; CloudWatch's times are the true instants. */
  function newYorkDelivery(logGroup: string, base: number, ip: string): CloudWatchLogsEvent {
    const lines = Array.from({ length: 6 }, (_, i) => {
      const at = base + i * MINUTE;
      return { timestamp: at + 250, message: `${syslogTime(at + zoneOffsetMs('America/New_York', at))} bastion-1 sshd[${4200 + i}]: Failed password for root from ${ip} port ${52_000 + i} ssh2` };
    });
    return encodeAwsLogsEvent(subscriptionPayload(logGroup, 'i-0abc123def4567890', lines));
  }

  const skewWarnings = () => logRecords().filter((r) => r.message === SKEW_WARNING);

  it('reads a group in its configured zone: its events are the true instants, and nothing is warned', async () => {
    const base = Math.floor((Date.now() - 10 * MINUTE) / 1000) * 1000;
    const summary = await logs.handler(newYorkDelivery(NEW_YORK_GROUP, base, '198.51.100.21'), lambdaContext(logs.functionName));
    expect(summary).toMatchObject({ records: 6, events: 6, parseErrors: 0 });
    expect(skewWarnings()).toEqual([]);
    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule)).toEqual(['ssh-brute-force']);
    const group = await storedGroup(logs.store, posted[0]?.fingerprint ?? '');
    expect(group.messages[0]?.alert).toMatchObject({ count: 6, firstSeen: base, lastSeen: base + 5 * MINUTE });
  });

  it('warns once per invocation and log group, with the offset in hours, when a group is read in the wrong zone', async () => {
    const hours = zoneOffsetMs('America/New_York', Date.now()) / 3_600_000;
    for (const [i, ip] of ['198.51.100.22', '198.51.100.23'].entries()) {
      await logs.handler(newYorkDelivery(AUTH_LOG_GROUP, Date.now() - (20 + 10 * i) * MINUTE, ip), lambdaContext(logs.functionName));
    }
    const warnings = skewWarnings();
    expect(warnings).toHaveLength(2);
    for (const warning of warnings) {
      expect(warning).toMatchObject({ level: 'WARN', logGroup: AUTH_LOG_GROUP, timeZone: 'UTC', offsetHours: hours, hint: expect.stringContaining('timezone:') });
      expect(JSON.stringify(warning)).not.toContain('198.51.100');
    }
  });
});

describe('logs: CloudWatch Logs subscription deliveries', () => {
  let logs: Deployed<LogsHandler>;

  beforeAll(async () => {
    logs = await coldStart<LogsHandler>('logs');
  });

  it('an auth.log delivery posts the ssh-brute-force alert once; the bad line is counted, not thrown', async () => {
    const { event } = authLogDelivery();
    const requestId = 'c0ffee00-0000-4000-8000-000000000001';

    const summary = await logs.handler(event, lambdaContext(logs.functionName, requestId));

    expect(summary).toMatchObject({ records: 8, events: 7, parseErrors: 1, generic: 0, skipped: 0 });
    expect(summary.report).toMatchObject({ events: 7, duplicates: 0, matched: 6, posted: 1 });
    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule)).toEqual(['ssh-brute-force']);
    const [alert] = posted;
    expect(alert?.call.body.channel).toBe(CHANNEL);
    expect(String(alert?.call.body.text)).toContain(ATTACKER);
    expect(alert?.call.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);

    const group = await storedGroup(logs.store, alert?.fingerprint ?? '');
    expect(group.messages).toHaveLength(1);
    expect(group.messages[0]?.alert).toMatchObject({ count: 6, severity: 'high', title: `SSH brute force from ${ATTACKER}` });
    expect(group.messages[0]?.ts).toEqual(expect.any(String));

    // Lambda retries with the same request id; the asynchronous queue may also deliver it again under a new one.
    for (const retryId of [requestId, 'c0ffee00-0000-4000-8000-000000000002']) {
      const retry = await logs.handler(event, lambdaContext(logs.functionName, retryId));
      expect(retry).toMatchObject({ records: 8, events: 7, parseErrors: 1 });
      expect(retry.report).toMatchObject({ duplicates: 6, matched: 0, posted: 0, updated: 0 });
    }
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.callsTo('chat.update')).toHaveLength(0);
    expect((await storedGroup(logs.store, alert?.fingerprint ?? '')).messages[0]?.alert.count).toBe(6);

    // The bad line is logged (where it was, what was wrong), as a warning.
    const warning = logRecords().find((r) => r.message === 'record not parsed');
    expect(warning).toMatchObject({ level: 'WARN', origin: AUTH_LOG_GROUP, part: 'logEvents[3]' });
  });

  it('reads the bot token decrypted from SSM once per container (cached), and never the signing secret', () => {
    const calls = logs.getParameterCalls();
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls).toEqual(calls.map(() => ({ Name: BOT_TOKEN_PARAMETER, WithDecryption: true })));
    // Three invocations so far in this container, one SSM read.
    expect(calls).toHaveLength(1);
  });

  it('a CONTROL_MESSAGE does nothing: no Slack call, no SSM read, no error', async () => {
    const before = logs.getParameterCalls().length;
    const summary = await logs.handler(encodeAwsLogsEvent(controlPayload()), lambdaContext(logs.functionName));
    expect(summary).toEqual({ records: 0, events: 0, parseErrors: 0, generic: 0, skipped: 0 });
    expect(slack.calls).toHaveLength(0);
    expect(logs.getParameterCalls()).toHaveLength(before);
  });

  it('a garbage event returns with a parse error and does not throw', async () => {
    const empty = await logs.handler({} as CloudWatchLogsEvent, lambdaContext(logs.functionName));
    expect(empty).toEqual({ records: 1, events: 0, parseErrors: 1, generic: 0, skipped: 0 });

    const notGzip = await logs.handler({ awslogs: { data: Buffer.from('not gzip at all').toString('base64') } }, lambdaContext(logs.functionName));
    expect(notGzip).toMatchObject({ records: 1, events: 0, parseErrors: 1 });
    expect(slack.calls).toHaveLength(0);

    const warnings = logRecords().filter((r) => r.message === 'record not parsed');
    expect(warnings.map((w) => w.problem)).toEqual([expect.stringContaining('not a WAF, CloudTrail, CloudWatch alarm or CloudWatch Logs record'), expect.stringContaining('awslogs.data is not base64 gzip JSON')]);
  });
});

describe('several containers handed the same delivery at once (issue 9)', () => {
  it.each([2, 3, 5])('%i logs containers on one table: the brute force is posted once, with count 6', async (containers) => {
    const table = await aws.createTable();
    const fns = [];
    for (let i = 0; i < containers; i++) fns.push(await coldStart<LogsHandler>('logs', { table }));
    const { event } = authLogDelivery();
    const results = await Promise.allSettled(fns.map((fn, i) => fn.handler(event, lambdaContext(fn.functionName, `c0c0c0c0-0000-4000-8000-00000000000${i}`))));
    // A container whose alert another container is still sending may fail for Lambda to retry it: that retry posts nothing more.
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') await (fns[i] as Deployed<LogsHandler>).handler(event, lambdaContext((fns[i] as Deployed<LogsHandler>).functionName, `retry-${i}`));
    }
    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule)).toEqual(['ssh-brute-force']);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    const group = await storedGroup((fns[0] as Deployed<LogsHandler>).store, posted[0]?.fingerprint ?? '');
    expect(group.messages.map((m) => m.alert.count)).toEqual([6]);
  });
});

describe('logs: GeoIP (the country database read on first need)', () => {
  it('an SSH login from a public address carries its country (8.8.8.8: US); one from a private address none', async () => {
    const logs = await coldStart<LogsHandler>('logs');
    const at = Date.now() - MINUTE;
    const login = (pid: number, user: string, address: string) => ({
      timestamp: at + pid,
      message: `${syslogTime(at)} bastion-1 sshd[${pid}]: Accepted publickey for ${user} from ${address} port 50022 ssh2`,
    });
    const payload = subscriptionPayload(AUTH_LOG_GROUP, 'i-0abc123def4567890', [login(4300, 'alice', '8.8.8.8'), login(4301, 'bob', '10.0.0.7')]);

    const summary = await logs.handler(encodeAwsLogsEvent(payload), lambdaContext(logs.functionName));

    expect(summary.report).toMatchObject({ events: 2, posted: 2 });
    const countries: Record<string, unknown> = {};
    for (const alert of postedAlerts(slack)) {
      const sample = (await storedGroup(logs.store, alert.fingerprint)).messages[0]?.alert.samples[0];
      countries[String(sample?.fields['user.name'])] = sample?.fields['source.geo.country_iso_code'];
    }
    expect(countries).toEqual({ alice: 'US', bob: undefined });
  });
});

describe('logs: WAF', () => {
  it('a delivery from aws-waf-logs-test with BLOCK records posts waf-block alerts; the ALLOW record posts nothing', async () => {
    const logs = await coldStart<LogsHandler>('logs');
    const blocked = jsonFixture('waf', 'block-regular-rule').json;
    const managed = jsonFixture('waf', 'block-managed-rule-group').json;
    const allowed = jsonFixture('waf', 'allow-with-count-matches').json;
    const records = [blocked, { ...blocked, httpRequest: { ...(blocked.httpRequest as object), requestId: '1-6660a8c0-0123456789abcdef0000000b' } }, managed, allowed];
    const now = Date.now();
    const payload = subscriptionPayload(
      'aws-waf-logs-test',
      'eu-west-1_prod-edge-acl_0',
      records.map((record, i) => ({ timestamp: now - 60_000 + i * 1000, message: JSON.stringify({ ...record, timestamp: now - 61_000 + i * 1000 }) })),
    );

    const summary = await logs.handler(encodeAwsLogsEvent(payload), lambdaContext(logs.functionName));

    expect(summary).toMatchObject({ records: 4, events: 4, parseErrors: 0 });
    expect(summary.report).toMatchObject({ matched: 3, posted: 2 });
    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule)).toEqual(['waf-block', 'waf-block']);
    expect(posted.every((p) => p.call.body.channel === CHANNEL)).toBe(true);
    const regular = posted.find((p) => String(p.call.body.text).includes('block-admin-paths'));
    expect(String(regular?.call.body.text)).toContain('203.0.113.45');
    const group = await storedGroup(logs.store, regular?.fingerprint ?? '');
    expect(group.messages[0]?.alert).toMatchObject({ count: 2, severity: 'medium' });
  });
});

describe('cloudtrail: EventBridge, then the same event from a CloudTrail log group', () => {
  it('an event whose request parameters nest 200,000 levels (deeper than stringifying can follow) is bounded, not a crash, and still alerts', async () => {
    const cloudtrail = await coldStart<CloudTrailHandler>('cloudtrail');
    const event = jsonFixture('cloudtrail', 'eventbridge-authorize-ingress-items').json as unknown as EventBridgeEvent<'AWS API Call via CloudTrail', Record<string, unknown>>;
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const detail = event.detail as { requestParameters: Record<string, unknown> };
    const hostile = { ...event, detail: { ...detail, eventID: 'deep-0001', requestParameters: { ...detail.requestParameters, extra: deep } } };
    const summary = await cloudtrail.handler(hostile, lambdaContext(cloudtrail.functionName));
    expect(summary).toMatchObject({ records: 1, events: 1, parseErrors: 0 });
    expect(postedAlerts(slack).map((p) => p.rule)).toContain('sg-open-to-world');
  });

  it('sg-open-to-world is posted once, critical; the log-group copy of the same eventID is not counted again', async () => {
    const cloudtrail = await coldStart<CloudTrailHandler>('cloudtrail');
    const logs = await coldStart<LogsHandler>('logs', { table: cloudtrail.table });
    const event = jsonFixture('cloudtrail', 'eventbridge-authorize-ingress-items').json as unknown as EventBridgeEvent<'AWS API Call via CloudTrail', Record<string, unknown>>;

    const summary = await cloudtrail.handler(event, lambdaContext(cloudtrail.functionName));

    expect(summary).toMatchObject({ records: 1, events: 1, parseErrors: 0 });
    const posted = postedAlerts(slack);
    const open = posted.filter((p) => p.rule === 'sg-open-to-world');
    expect(open).toHaveLength(1);
    // sg-open-to-world suppresses sg-change for the same call: one message, not two.
    expect(posted.map((p) => p.rule).sort()).toEqual(['sg-open-to-world']);
    const fingerprint = open[0]?.fingerprint ?? '';
    const group = await storedGroup(cloudtrail.store, fingerprint);
    expect(group.messages).toHaveLength(1);
    expect(group.messages[0]?.alert).toMatchObject({ severity: 'critical', count: 1 });
    expect(String(open[0]?.call.body.text)).toContain('sg-0123456789abcdef0');

    // The trail also writes the record to its log group; the subscription delivers it to the logs function.
    const detail = event.detail;
    const delivery = subscriptionPayload('aws-cloudtrail-logs-123456789012-klaxon', '123456789012_CloudTrail_eu-west-1', [
      { timestamp: Date.parse(String(detail.eventTime)) + 4 * MINUTE, message: JSON.stringify(detail) },
    ]);
    const again = await logs.handler(encodeAwsLogsEvent(delivery), lambdaContext(logs.functionName));

    expect(again).toMatchObject({ records: 1, events: 1, parseErrors: 0 });
    expect(again.report).toMatchObject({ duplicates: 1, matched: 0, posted: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    const after = await storedGroup(logs.store, fingerprint);
    expect(after.messages).toHaveLength(1);
    expect(after.messages[0]?.alert.count).toBe(1);
  });
});

describe('alarm: SNS', () => {
  it('an ALARM notification posts the cloudwatch-alarm alert; an OK notification posts nothing', async () => {
    const alarm = await coldStart<AlarmHandler>('alarm');
    const event = jsonFixture('alarm', 'sns-event').json as unknown as SNSEvent;

    const summary = await alarm.handler(event, lambdaContext(alarm.functionName));

    expect(summary).toMatchObject({ records: 1, events: 1, parseErrors: 0 });
    expect(summary.report).toMatchObject({ matched: 1, posted: 1 });
    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule)).toEqual(['cloudwatch-alarm']);
    expect(String(posted[0]?.call.body.text)).toContain('klaxon-prod-failed-ssh-logins');
    expect(posted[0]?.call.body.channel).toBe(CHANNEL);

    slack.reset();
    const record = event.Records[0];
    if (record === undefined) throw new Error('fixture without a record');
    const message = JSON.parse(record.Sns.Message) as Record<string, unknown>;
    const ok: SNSEvent = {
      Records: [
        {
          ...record,
          Sns: {
            ...record.Sns,
            MessageId: '5c1d3f0a-7b0e-5d55-9e6c-0d8b0c2f7a11',
            Subject: 'OK: "klaxon-prod-failed-ssh-logins" in EU (Ireland)',
            Timestamp: '2024-11-02T10:20:12.512Z',
            Message: JSON.stringify({ ...message, NewStateValue: 'OK', OldStateValue: 'ALARM', StateChangeTime: '2024-11-02T10:20:12.345+0000' }),
          },
        },
      ],
    };
    const quiet = await alarm.handler(ok, lambdaContext(alarm.functionName));
    expect(quiet).toMatchObject({ records: 1, events: 1, parseErrors: 0 });
    expect(quiet.report).toMatchObject({ matched: 0, posted: 0, updated: 0 });
    expect(slack.calls).toHaveLength(0);
  });
});

describe('Slack down', () => {
  it('the logs function rejects while its alert waits in the outbox (Lambda retries); once Slack is back the retry posts exactly once', async () => {
    const logs = await coldStart<LogsHandler>('logs');
    const { event } = authLogDelivery();
    const requestId = 'deadbeef-0000-4000-8000-000000000005';
    slack.failAlways('chat.postMessage', { status: 503 });

    const failed = logs.handler(event, lambdaContext(logs.functionName, requestId));
    await expect(failed).rejects.toThrow(/503/);
    const error = await rejectionOf(failed);
    expect(error.message).not.toContain(BOT_TOKEN);
    // One attempt per invocation: retries are the outbox's (the Lambda retry, the drain function), never a client sleeping through them.
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(error.message).toMatch(/1 alert message\(s\) of this batch are not in Slack yet/);
    // The metrics were published for the failed attempt too.
    expect(emfRecords().at(-1)).toMatchObject({ EventsParsed: 7, AlertsPosted: 0 });

    slack.reset();
    const retry = await logs.handler(event, lambdaContext(logs.functionName, requestId));

    expect(retry.report).toMatchObject({ duplicates: 6, posted: 1 });
    expect(postedAlerts(slack).map((p) => p.rule)).toEqual(['ssh-brute-force']);
    const fingerprint = postedAlerts(slack)[0]?.fingerprint ?? '';
    expect((await storedGroup(logs.store, fingerprint)).messages[0]).toMatchObject({ alert: { count: 6 }, ts: expect.any(String) });

    // A later duplicate (a redrive from the dead-letter queue) posts nothing more.
    const redrive = await logs.handler(event, lambdaContext(logs.functionName, 'deadbeef-0000-4000-8000-000000000006'));
    expect(redrive.report).toMatchObject({ duplicates: 6, posted: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('the drain function delivers what the logs function left in the outbox, and publishes the backlog as metrics', async () => {
    const logs = await coldStart<LogsHandler>('logs');
    const drain = await coldStart<DrainHandler>('drain', { table: logs.table });
    slack.failAlways('chat.postMessage', { status: 503 });
    await expect(logs.handler(authLogDelivery().event, lambdaContext(logs.functionName, 'deadbeef-0000-4000-8000-00000000d001'))).rejects.toThrow(/503/);
    expect(emfRecords().at(-1)).toMatchObject({ AlertsPosted: 0, AlertsWaiting: 1 });

    slack.reset();
    const drained = await drain.handler({}, lambdaContext(drain.functionName, 'deadbeef-0000-4000-8000-00000000d003'));
    expect(drained).toMatchObject({ groups: 1, posted: 1, waiting: 0 });
    expect(postedAlerts(slack).map((p) => p.rule)).toEqual(['ssh-brute-force']);
    expect(emfRecords().at(-1)).toMatchObject({ OutboxGroups: 0, OutboxOldestAgeSeconds: 0, AlertsPosted: 1 });
    // Nothing left: the next minute's drain sends nothing.
    expect(await drain.handler({}, lambdaContext(drain.functionName, 'deadbeef-0000-4000-8000-00000000d004'))).toMatchObject({ groups: 0, posted: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a bot token missing from SSM fails the invocation naming the parameter, never a value; once created, the retry posts', async () => {
    const parameters = defaultParameters();
    parameters.delete(BOT_TOKEN_PARAMETER);
    const logs = await coldStart<LogsHandler>('logs', { parameters });
    const { event } = authLogDelivery();

    const failed = logs.handler(event, lambdaContext(logs.functionName, 'feedface-0000-4000-8000-000000000007'));
    await expect(failed).rejects.toMatchObject({ name: 'SecretUnavailableError', message: expect.stringContaining(`cannot read SSM parameter ${BOT_TOKEN_PARAMETER}: ParameterNotFound`) });
    const error = await rejectionOf(failed);
    expect(error.message).toContain(`Create it with: aws ssm put-parameter --type SecureString --name ${BOT_TOKEN_PARAMETER}`);
    expect(error.message).not.toContain(BOT_TOKEN);
    expect(error.message).not.toContain(SIGNING_SECRET);
    expect(slack.calls).toHaveLength(0);
    expect(logs.getParameterCalls()).toEqual([{ Name: BOT_TOKEN_PARAMETER, WithDecryption: true }]);

    // A failed read is not cached: the parameter created, Lambda's retry goes through.
    parameters.set(BOT_TOKEN_PARAMETER, BOT_TOKEN);
    const retry = await logs.handler(event, lambdaContext(logs.functionName, 'feedface-0000-4000-8000-000000000007'));
    expect(retry.report).toMatchObject({ duplicates: 0, posted: 1 });
    expect(postedAlerts(slack).map((p) => p.rule)).toEqual(['ssh-brute-force']);
  });
});

describe('telemetry', () => {
  it('each invocation writes one EMF record in the configured namespace, and JSON log lines without secrets', async () => {
    const logs = await coldStart<LogsHandler>('logs');
    const { event } = authLogDelivery();

    await logs.handler(event, lambdaContext(logs.functionName, 'abad1dea-0000-4000-8000-000000000008'));
    await logs.handler(event, lambdaContext(logs.functionName, 'abad1dea-0000-4000-8000-000000000008'));

    const [first, retry, ...more] = emfRecords();
    expect(more).toEqual([]);
    const directive = (first?._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }).CloudWatchMetrics;
    expect(directive).toHaveLength(1);
    expect(directive[0]?.Namespace).toBe(METRIC_NAMESPACE);
    expect(directive[0]?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'EventsParsed', Unit: 'Count' },
        { Name: 'ParseErrors', Unit: 'Count' },
        { Name: 'AlertsPosted', Unit: 'Count' },
        { Name: 'DuplicateEvents', Unit: 'Count' },
      ]),
    );
    expect(first).toMatchObject({ service: 'klaxon', EventsParsed: 7, ParseErrors: 1, LinesGeneric: 0, RecordsSkipped: 0, EventsMatched: 6, DuplicateEvents: 0, AlertsPosted: 1 });
    expect(retry).toMatchObject({ EventsParsed: 7, ParseErrors: 1, EventsMatched: 0, DuplicateEvents: 6, AlertsPosted: 0 });

    // Every line is JSON (checked after each test); the summary line names the log group.
    const processed = logRecords().filter((r) => r.message === 'batch processed');
    expect(processed).toHaveLength(2);
    expect(processed[0]).toMatchObject({ level: 'INFO', service: 'klaxon', origin: AUTH_LOG_GROUP, records: 8, events: 7, parseErrors: 1, report: { posted: 1 } });
    expect(typeof processed[0]?.timestamp).toBe('string');
    // The token reached Slack, and no line of output.
    expect(slack.callsTo('chat.postMessage')[0]?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(output.lines().join('\n')).not.toContain(BOT_TOKEN);
  });
});
