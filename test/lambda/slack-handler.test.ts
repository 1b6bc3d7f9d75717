/**
 * The `slack` function behind the HTTP API route `POST /slack/events` (payload format 2.0),
 * on a cold start of its own, against real parts: Bolt's AwsLambdaReceiver, DynamoDB
 * (dynalite), the Slack stand-in; only SSM Parameter Store is mocked. The alert it acts on is
 * posted by the `logs` function from a real subscription delivery, on the same table.
 */
import type { AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import type { APIGatewayProxyEventV2, CloudWatchLogsEvent, Context } from 'aws-lambda';
import type { InvocationSummary } from '../../src/lambda/runtime';
import { SECRET_MAX_AGE_SECONDS } from '../../src/lambda/secrets';
import { ACKNOWLEDGE_ACTION_ID, UNACKNOWLEDGE_ACTION_ID } from '../../src/slack/actions';
import { encodeAwsLogsEvent } from '../../src/sources/awslogs';
import { DynamoStore } from '../../src/store/dynamodb';
import { blockActionsBody, blockActionsPayload, signedRequest, slashCommandBody } from '../helpers/slack-signing';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin';
import {
  applyEnv,
  BOT_TOKEN,
  BOT_TOKEN_PARAMETER,
  captureOutput,
  CHANNEL,
  defaultParameters,
  httpApiV2Event,
  lambdaContext,
  lambdaEnv,
  loadFunction,
  postedAlerts,
  rejectionOf,
  SIGNING_SECRET,
  SIGNING_SECRET_PARAMETER,
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
type SlackHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<AwsResponse>;

const ALICE = 'U0ALICE01';
const BOB = 'U0BOB0002';
const MINUTE = 60_000;
const ROTATED_SECRET = 'c9f0f895fb98ab9159f51fd0297e236d-rotated';

let aws: LocalAws;
let slack: SlackStandIn;
let restoreEnv: () => void;
let output: OutputCapture;
const loaded: Array<LambdaFunction<unknown>> = [];

beforeAll(async () => {
  restoreEnv = snapshotEnv();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  aws = await startAws();
  slack = await startSlackStandIn();
});

afterAll(async () => {
  for (const fn of loaded) fn.close();
  await slack.close();
  await aws.close();
  restoreEnv();
});

beforeEach(() => {
  output = captureOutput();
});

afterEach(() => {
  jest.useRealTimers();
  output.restore();
  for (const line of output.lines()) {
    expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(line).not.toContain(BOT_TOKEN);
    expect(line).not.toContain(SIGNING_SECRET);
    expect(line).not.toContain(ROTATED_SECRET);
  }
});

/** Klaxon's functions on one table, each on a cold start of its own. */
interface Deployment {
  table: string;
  store: DynamoStore;
  logs: LambdaFunction<LogsHandler>;
  slackFn: LambdaFunction<SlackHandler>;
  parameters: Parameters;
}

async function deploy(): Promise<Deployment> {
  const table = await aws.createTable();
  const parameters = defaultParameters();
  applyEnv(lambdaEnv({ table, dynamoEndpoint: aws.endpoint, slackApiUrl: slack.url, functionName: 'klaxon-test-logs' }));
  const logs = loadFunction<LogsHandler>('logs', parameters);
  applyEnv(lambdaEnv({ table, dynamoEndpoint: aws.endpoint, slackApiUrl: slack.url, functionName: 'klaxon-test-slack' }));
  const slackFn = loadFunction<SlackHandler>('slack', parameters);
  loaded.push(logs as LambdaFunction<unknown>, slackFn as LambdaFunction<unknown>);
  return { table, store: new DynamoStore({ tableName: table, client: aws.client }), logs, slackFn, parameters };
}

/** Posts a brute-force alert through the logs function; its fingerprint and message. */
async function postAlert(d: Deployment, ip = '198.51.100.23'): Promise<{ fingerprint: string; channel: string; ts: string }> {
  const base = Date.now() - 10 * MINUTE;
  const events = Array.from({ length: 5 }, (_, i) => ({
    timestamp: base + i * MINUTE + 200,
    message: `${syslogTime(base + i * MINUTE)} bastion-1 sshd[${7000 + i}]: Failed password for root from ${ip} port ${52_000 + i} ssh2`,
  }));
  const summary = await d.logs.handler(encodeAwsLogsEvent(subscriptionPayload('/klaxon/test/auth.log', 'i-0abc123def4567890', events)), lambdaContext('klaxon-test-logs'));
  expect(summary.report?.posted).toBe(1);
  const posted = postedAlerts(slack).at(-1);
  if (posted === undefined) throw new Error('no alert posted');
  const message = (await storedGroup(d.store, posted.fingerprint)).messages.at(-1);
  if (message?.ts === undefined) throw new Error('the alert has no ts on record');
  return { fingerprint: posted.fingerprint, channel: message.channel, ts: message.ts };
}

/** The form body of a click on a posted alert's button. */
function clickBody(alert: { fingerprint: string; channel: string; ts: string }, userId: string, actionId: string, responseId: string): string {
  return blockActionsBody(
    blockActionsPayload({
      userId,
      actionId,
      blockId: `klaxon_actions:${alert.fingerprint}`,
      channelId: alert.channel,
      messageTs: alert.ts,
      responseUrl: slack.responseUrl(responseId),
      value: alert.fingerprint,
    }),
  );
}

function invoke(d: Deployment, event: APIGatewayProxyEventV2): Promise<AwsResponse> {
  return d.slackFn.handler(event, lambdaContext('klaxon-test-slack'));
}

describe('slack: POST /slack/events (HTTP API, payload 2.0)', () => {
  let d: Deployment;
  let alert: { fingerprint: string; channel: string; ts: string };
  /** auth.test calls seen before each reset of the stand-in. */
  let authTests = 0;

  beforeAll(async () => {
    const capture = captureOutput();
    try {
      d = await deploy();
      alert = await postAlert(d);
    } finally {
      capture.restore();
    }
  });

  beforeEach(() => {
    authTests += slack.callsTo('auth.test').length;
    slack.reset();
  });

  it('a bad signature is refused with 401 and changes nothing', async () => {
    const raw = clickBody(alert, ALICE, ACKNOWLEDGE_ACTION_ID, 'forged');

    const forged = await invoke(d, httpApiV2Event(signedRequest('not-the-signing-secret', raw)));
    const unsigned = await invoke(d, httpApiV2Event({ headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: raw }));

    expect(forged).toEqual({ statusCode: 401, body: '' });
    expect(unsigned).toEqual({ statusCode: 401, body: '' });
    expect((await storedGroup(d.store, alert.fingerprint)).acknowledged).toBeUndefined();
    expect(await d.store.listAudit({ fingerprint: alert.fingerprint })).toEqual([]);
    expect(slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect(slack.responses).toEqual([]);
    // The refusals come out as the function's JSON log lines: the unsigned one before Bolt, the forged one from Bolt.
    const records = output.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    const refusals = records.filter((r) => r.source === 'bolt' && String(r.message).startsWith('Invalid request signature detected'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 'INFO', service: 'klaxon' });
    expect(records.filter((r) => r.message === 'request refused before signature verification')).toEqual([
      expect.objectContaining({ level: 'INFO', reason: 'no Slack signature header' }),
    ]);
  });

  it('on a cold container, requests that cannot be from Slack are refused before any secret is read', async () => {
    applyEnv(lambdaEnv({ table: d.table, dynamoEndpoint: aws.endpoint, slackApiUrl: slack.url, functionName: 'klaxon-test-slack' }));
    const cold = loadFunction<SlackHandler>('slack', d.parameters);
    loaded.push(cold as LambdaFunction<unknown>);
    const raw = slashCommandBody({ userId: BOB, text: 'status', channelId: CHANNEL, responseUrl: slack.responseUrl('junk') });
    const signed = signedRequest(SIGNING_SECRET, raw);
    const call = (headers: Record<string, string>) => cold.handler(httpApiV2Event({ headers, body: raw }), lambdaContext('klaxon-test-slack'));

    const responses = [
      await call({ 'Content-Type': 'application/x-www-form-urlencoded' }),
      await call({ ...signed.headers, 'X-Slack-Signature': 'sha256=abc' }),
      await call({ ...signed.headers, 'X-Slack-Request-Timestamp': 'yesterday' }),
      await call({ ...signed.headers, 'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000) + 6 * 60) }),
    ];

    expect(responses).toEqual(Array.from({ length: 4 }, () => ({ statusCode: 401, body: '' })));
    expect(cold.getParameterCalls()).toEqual([]);
    expect(slack.calls).toEqual([]);
    // A signed request on the same container still goes through.
    expect((await cold.handler(httpApiV2Event(signed), lambdaContext('klaxon-test-slack'))).statusCode).toBe(200);
    expect(cold.getParameterCalls().map((c) => c.Name).sort()).toEqual([BOT_TOKEN_PARAMETER, SIGNING_SECRET_PARAMETER].sort());
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    // This container's auth.test is not the describe's container's (counted by the last test).
    slack.reset();
  });

  it('a correctly signed request older than five minutes is refused with 401', async () => {
    const raw = clickBody(alert, ALICE, ACKNOWLEDGE_ACTION_ID, 'replayed');
    const stale = await invoke(d, httpApiV2Event(signedRequest(SIGNING_SECRET, raw, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })));

    expect(stale.statusCode).toBe(401);
    expect((await storedGroup(d.store, alert.fingerprint)).acknowledged).toBeUndefined();
    expect(slack.callsTo('chat.update')).toEqual([]);
  });

  it('a signed Acknowledge click answers 200 after the acknowledgement is stored and the message updated', async () => {
    const raw = clickBody(alert, ALICE, ACKNOWLEDGE_ACTION_ID, 'ack');

    const response = await invoke(d, httpApiV2Event(signedRequest(SIGNING_SECRET, raw)));
    // Checked before anything else runs: whatever is on record now happened before the handler resolved.
    const updates = slack.callsTo('chat.update');
    const replies = slack.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === alert.ts);

    expect(response.statusCode).toBe(200);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body).toMatchObject({ channel: alert.channel, ts: alert.ts });
    expect(JSON.stringify(updates[0]?.body.blocks)).toContain(`Acknowledged by <@${ALICE}>`);
    expect(JSON.stringify(updates[0]?.body.blocks)).toContain(UNACKNOWLEDGE_ACTION_ID);
    expect(updates[0]?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(replies.map((c) => c.body.text)).toEqual([`✅ Acknowledged by <@${ALICE}>`]);

    const group = await storedGroup(d.store, alert.fingerprint);
    expect(group.acknowledged).toMatchObject({ by: ALICE, at: expect.any(Number) });
    expect(await d.store.listAudit({ fingerprint: alert.fingerprint })).toContainEqual(expect.objectContaining({ action: 'acknowledge', actor: ALICE, rule: 'ssh-brute-force' }));
  });

  it('a signed `/klaxon status` answers 200 after the listing reached the response URL', async () => {
    const raw = slashCommandBody({ userId: BOB, text: 'status', channelId: CHANNEL, responseUrl: slack.responseUrl('status') });

    const response = await invoke(d, httpApiV2Event(signedRequest(SIGNING_SECRET, raw)));
    const answers = slack.responsesTo('status') as Array<{ response_type?: string; text?: string }>;

    expect(response.statusCode).toBe(200);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.response_type).toBe('ephemeral');
    expect(answers[0]?.text).toContain('*Open alerts* (1)');
    expect(answers[0]?.text).toContain('`ssh-brute-force`');
    expect(answers[0]?.text).toContain('SSH brute force from 198.51.100.23');
  });

  it('a form body that the HTTP API delivers base64-encoded is read and verified the same way', async () => {
    const raw = slashCommandBody({ userId: BOB, text: 'silences', channelId: CHANNEL, responseUrl: slack.responseUrl('base64') });

    const response = await invoke(d, httpApiV2Event(signedRequest(SIGNING_SECRET, raw), { base64: true }));

    expect(response.statusCode).toBe(200);
    expect(slack.responsesTo('base64')).toEqual([expect.objectContaining({ response_type: 'ephemeral', text: 'No silences in force.' })]);
  });

  it('answers Events API url_verification (signed) with the challenge, and ssl_check with 200', async () => {
    const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
    const json = JSON.stringify({ token: 'vErIfIcAtIoNtOkEn', challenge, type: 'url_verification' });
    const signed = signedRequest(SIGNING_SECRET, json);

    const verified = await invoke(d, httpApiV2Event({ headers: { ...signed.headers, 'Content-Type': 'application/json' }, body: json }));
    expect(verified).toMatchObject({ statusCode: 200, body: JSON.stringify({ challenge }) });

    const forged = signedRequest('not-the-signing-secret', json);
    expect((await invoke(d, httpApiV2Event({ headers: { ...forged.headers, 'Content-Type': 'application/json' }, body: json }))).statusCode).toBe(401);

    const sslCheck = await invoke(d, httpApiV2Event({ headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=vErIfIcAtIoNtOkEn' }));
    expect(sslCheck).toEqual({ statusCode: 200, body: '' });
    expect(slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('reads both secrets from SSM decrypted; checks the bot token with auth.test once per container', () => {
    const calls = d.slackFn.getParameterCalls();
    expect(new Set(calls.map((c) => c.Name))).toEqual(new Set([BOT_TOKEN_PARAMETER, SIGNING_SECRET_PARAMETER]));
    expect(calls.every((c) => c.WithDecryption === true)).toBe(true);
    // Cached: one read of each over every request so far.
    expect(calls).toHaveLength(2);
    // Bolt checked the token on the container's first request only.
    expect(authTests + slack.callsTo('auth.test').length).toBe(1);
  });
});

describe('slack: secrets', () => {
  it('a rotated signing secret is used once the cached one expires; until then the old one still verifies', async () => {
    const d = await deploy();
    const ip = '198.51.100.99';
    await postAlert(d, ip);
    const status = (secret: string, responseId: string) =>
      invoke(d, httpApiV2Event(signedRequest(secret, slashCommandBody({ userId: BOB, text: 'status', channelId: CHANNEL, responseUrl: slack.responseUrl(responseId) }))));

    // Only Date is faked (and keeps running): the HTTP servers and the SDKs keep their real timers.
    jest.useFakeTimers({
      advanceTimers: true,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    expect((await status(SIGNING_SECRET, 'before')).statusCode).toBe(200);
    const readsBefore = d.slackFn.getParameterCalls().length;

    d.parameters.set(SIGNING_SECRET_PARAMETER, ROTATED_SECRET);
    // Within the cache's lifetime the container still holds the old secret.
    jest.setSystemTime(Date.now() + (SECRET_MAX_AGE_SECONDS - 60) * 1000);
    expect((await status(ROTATED_SECRET, 'too-soon')).statusCode).toBe(401);
    expect((await status(SIGNING_SECRET, 'still-old')).statusCode).toBe(200);
    expect(d.slackFn.getParameterCalls()).toHaveLength(readsBefore);

    jest.setSystemTime(Date.now() + 61 * 1000);
    expect((await status(ROTATED_SECRET, 'rotated')).statusCode).toBe(200);
    expect((await status(SIGNING_SECRET, 'old')).statusCode).toBe(401);
    expect(d.slackFn.getParameterCalls().slice(readsBefore)).toEqual(
      expect.arrayContaining([
        { Name: SIGNING_SECRET_PARAMETER, WithDecryption: true },
        { Name: BOT_TOKEN_PARAMETER, WithDecryption: true },
      ]),
    );
    expect(slack.responsesTo('rotated')).toEqual([expect.objectContaining({ text: expect.stringContaining(`SSH brute force from ${ip}`) })]);
    expect(slack.responsesTo('too-soon')).toEqual([]);
    expect(slack.responsesTo('old')).toEqual([]);
  });

  it('a signing secret missing from SSM fails the invocation naming the parameter, never a value', async () => {
    const d = await deploy();
    d.parameters.delete(SIGNING_SECRET_PARAMETER);
    const raw = slashCommandBody({ userId: BOB, text: 'status', channelId: CHANNEL, responseUrl: slack.responseUrl('missing') });

    const failed = invoke(d, httpApiV2Event(signedRequest(SIGNING_SECRET, raw)));

    await expect(failed).rejects.toMatchObject({ name: 'SecretUnavailableError', message: expect.stringContaining(`cannot read SSM parameter ${SIGNING_SECRET_PARAMETER}: ParameterNotFound`) });
    const error = await rejectionOf(failed);
    expect(error.message).not.toContain(BOT_TOKEN);
    expect(error.message).not.toContain(SIGNING_SECRET);
    expect(slack.responsesTo('missing')).toEqual([]);
  });
});
