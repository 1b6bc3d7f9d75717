/**
 * Many accounts: the `kinesis` handler over the central stream, against real parts. Member
 * accounts' deliveries are put into Kinesis (kinesalite) as a CloudWatch Logs destination
 * writes them (one record per delivery, gzip of the payload's JSON) and read back with
 * GetRecords into the Lambda event of the event source mapping; state in DynamoDB (dynalite,
 * behind a proxy that can refuse one record's requests), Slack the stand-in. Only SSM is mocked.
 */
import { gzipSync } from 'node:zlib';
import type { Context, EventBridgeEvent, KinesisStreamEvent } from 'aws-lambda';
import type { InvocationSummary } from '../../src/lambda/runtime';
import type { StreamBatchResponse } from '../../src/lambda/stream-batch';
import type { AccountDirectoryData } from '../../src/sources/accounts';
import type { CloudWatchLogsPayload } from '../../src/sources/awslogs';
import { DynamoStore } from '../../src/store/dynamodb';
import { startDynamoProxy, type DynamoProxy } from '../helpers/dynamo-proxy';
import { jsonFixture } from '../helpers/fixtures';
import { startKinesisStandIn, type KinesisStandIn } from '../helpers/kinesis-standin';
import { useSlackStandIn } from '../helpers/slack-standin';
import {
  applyEnv,
  captureOutput,
  CHANNEL,
  controlPayload,
  lambdaContext,
  lambdaEnv,
  loadFunction,
  postedAlerts,
  snapshotEnv,
  startAws,
  storedGroup,
  subscriptionPayload,
  syslogTime,
  type LambdaFunction,
  type LocalAws,
  type OutputCapture,
} from './lambda-harness';

type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<StreamBatchResponse>;
type CloudTrailHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<InvocationSummary>;

const SHOP = '222222222222';
const DATA_LAKE = '333333333333';
const LOG_ARCHIVE = '444444444444';
const SHOP_CHANNEL = 'C0SHOPALERTS';
const SHOP_US_CHANNEL = 'C0SHOPUSEAST';
/** The stage config's `accounts:`, as the bundle carries it. */
const DIRECTORY: AccountDirectoryData = {
  [SHOP]: { name: 'shop-prod', channel: SHOP_CHANNEL, regions: { 'us-east-1': { channel: SHOP_US_CHANNEL } } },
  [DATA_LAKE]: { name: 'data-lake' },
};
const MEMBER_AUTH = '/org/bastion/auth.log';
const MINUTE = 60_000;

let aws: LocalAws;
let proxy: DynamoProxy;
const slack = useSlackStandIn();
let kinesis: KinesisStandIn;
let restoreEnv: () => void;
let output: OutputCapture;
const loaded: Array<LambdaFunction<unknown>> = [];

beforeAll(async () => {
  restoreEnv = snapshotEnv();
  aws = await startAws();
  proxy = await startDynamoProxy(aws.endpoint);
  kinesis = await startKinesisStandIn();
  // What esbuild's `define` puts into the bundle: the functions read it as a global constant.
  (globalThis as { KLAXON_ACCOUNT_DIRECTORY?: AccountDirectoryData }).KLAXON_ACCOUNT_DIRECTORY = DIRECTORY;
});

afterAll(async () => {
  delete (globalThis as { KLAXON_ACCOUNT_DIRECTORY?: AccountDirectoryData }).KLAXON_ACCOUNT_DIRECTORY;
  for (const fn of loaded) fn.close();
  await Promise.all([kinesis.close(), proxy.close()]);
  await aws.close();
  restoreEnv();
});

beforeEach(() => {
  proxy.refuseWhenBodyContains(undefined);
  output = captureOutput();
});

afterEach(() => output.restore());

interface Deployed<H> extends LambdaFunction<H> {
  functionName: string;
  store: DynamoStore;
}

/** A cold start of `handlers/<name>.ts` on a fresh table, reaching DynamoDB through the proxy. */
async function coldStart<H>(name: 'kinesis' | 'cloudtrail', table?: string): Promise<Deployed<H> & { table: string }> {
  const tableName = table ?? (await aws.createTable());
  const functionName = `klaxon-test-${name}`;
  applyEnv({ ...lambdaEnv({ table: tableName, dynamoEndpoint: proxy.endpoint, slackApiUrl: slack.url, functionName }), KLAXON_LOG_GROUP_SOURCES: `${MEMBER_AUTH}=ssh` });
  const fn = loadFunction<H>(name);
  loaded.push(fn as LambdaFunction<unknown>);
  return { ...fn, functionName, table: tableName, store: new DynamoStore({ tableName, client: aws.client }) };
}

/** A member stack's delivery: its account as `owner`, its region in the filter's name (`NAME@REGION`). */
function memberPayload(owner: string, region: string, logGroup: string, events: Array<{ timestamp: number; message: string }>, stream = 'i-0abc'): CloudWatchLogsPayload {
  return { ...subscriptionPayload(logGroup, stream, events), owner, subscriptionFilters: [`klaxon-test-ssh@${region}`] };
}

let idBase = Date.now() - 30 * MINUTE;
/** `count` failed passwords from `ip` within a few minutes, with log event ids unique across the file. */
function failures(ip: string, count = 6): Array<{ timestamp: number; message: string }> {
  idBase += 10 * MINUTE;
  const base = idBase;
  return Array.from({ length: count }, (_, i) => ({
    timestamp: base + i * 20_000,
    message: `${syslogTime(base + i * 20_000)} bastion sshd[${5000 + i}]: Failed password for root from ${ip} port ${40_000 + i} ssh2`,
  }));
}

/** The payload's log event ids (unique per log event): what the proxy can refuse. */
function logEventIds(payload: CloudWatchLogsPayload): string[] {
  return payload.logEvents.map((e) => e.id);
}

describe('kinesis: member accounts through the destination stream', () => {
  it('a brute force in a member account is posted once, named, to its channel; the CONTROL_MESSAGE is ignored; a retry posts nothing', async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    await kinesis.putPayloads([
      controlPayload(),
      memberPayload(SHOP, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.10')),
      memberPayload(DATA_LAKE, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.11', 2)),
    ]);
    const event = await kinesis.nextEvent();
    expect(event.Records).toHaveLength(3);

    expect(await fn.handler(event, lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });

    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule)).toEqual(['ssh-brute-force']);
    expect(posted[0]?.call.body.channel).toBe(SHOP_CHANNEL);
    expect(JSON.stringify(posted[0]?.call.body.blocks)).toContain(`shop-prod (${SHOP}, eu-west-1)`);
    const group = await storedGroup(fn.store, posted[0]?.fingerprint ?? '');
    expect(group.messages[0]?.alert.count).toBe(6);
    expect(group.messages[0]?.alert.samples[0]?.fields).toMatchObject({ 'cloud.account.id': SHOP, 'cloud.account.name': 'shop-prod', 'cloud.region': 'eu-west-1' });

    // The mapping retries a batch (a timeout, a throttled invocation): nothing is posted or counted twice.
    expect(await fn.handler(event, lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect((await storedGroup(fn.store, posted[0]?.fingerprint ?? '')).messages[0]?.alert.count).toBe(6);
  });

  it("an account's region can have a channel of its own; an account without one goes to the stage's channel", async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    await kinesis.putPayloads([memberPayload(SHOP, 'us-east-1', MEMBER_AUTH, failures('198.51.100.20')), memberPayload(DATA_LAKE, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.21'))]);

    expect(await fn.handler(await kinesis.nextEvent(), lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });

    const channels = Object.fromEntries(postedAlerts(slack).map((p) => [String(p.call.body.text).includes('198.51.100.20') ? 'shop' : 'lake', p.call.body.channel]));
    expect(channels).toEqual({ shop: SHOP_US_CHANNEL, lake: CHANNEL });
  });

  it('a record that is not a CloudWatch Logs delivery is logged and skipped; the records around it go through, and nothing is reported failed', async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    await kinesis.putPayloads([
      memberPayload(SHOP, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.30')),
      Buffer.from('not gzip at all'),
      gzipSync(Buffer.from('{"messageType": "DATA_MESSAGE", "logEvents": [{"id": 1}]}')),
      memberPayload(DATA_LAKE, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.31')),
    ]);

    expect(await fn.handler(await kinesis.nextEvent(), lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });

    expect(postedAlerts(slack)).toHaveLength(2);
    const warnings = output
      .lines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((r) => r.message === 'record not parsed');
    expect(warnings.map((w) => w.part)).toEqual(['Records[1]', 'Records[2]']);
    expect(warnings.map((w) => w.problem)).toEqual([expect.stringContaining('not base64 gzip JSON'), expect.stringContaining('logEvents[0] lacks a string message')]);
  });

  it("a record whose processing fails is reported by its sequence number; the mapping's retry from it posts the rest, each alert once", async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    const payloads = [
      memberPayload(SHOP, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.40')),
      memberPayload(DATA_LAKE, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.41')),
      memberPayload(SHOP, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.42')),
    ];
    const sequenceNumbers = await kinesis.putPayloads(payloads);
    const event = await kinesis.nextEvent();
    // DynamoDB refuses whatever names the second record's log events (as it refuses an item it cannot take).
    proxy.refuseWhenBodyContains(logEventIds(payloads[1] as CloudWatchLogsPayload)[0]);

    const response = await fn.handler(event, lambdaContext(fn.functionName));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumbers[1] }] });
    expect(proxy.refused()).toBeGreaterThan(0);
    // The first record went through before the failing one; nothing after it was posted.
    expect(postedAlerts(slack).map((p) => String(p.call.body.text).match(/198\.51\.100\.\d+/)?.[0])).toEqual(['198.51.100.40']);

    // Lambda retries the batch from the failed record on; this time DynamoDB takes it.
    proxy.refuseWhenBodyContains(undefined);
    const retry = { Records: event.Records.filter((r) => BigInt(r.kinesis.sequenceNumber) >= BigInt(sequenceNumbers[1] as string)) };
    expect(await fn.handler(retry, lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });

    const posted = postedAlerts(slack);
    expect(posted.map((p) => String(p.call.body.text).match(/198\.51\.100\.\d+/)?.[0]).sort()).toEqual(['198.51.100.40', '198.51.100.41', '198.51.100.42']);
    for (const p of posted) expect((await storedGroup(fn.store, p.fingerprint)).messages[0]?.alert.count).toBe(6);
  });

  it('the same delivery twice in one batch (CloudWatch Logs delivers at least once) counts once', async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    const payload = memberPayload(SHOP, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.45'));
    await kinesis.putPayloads([payload, payload]);

    expect(await fn.handler(await kinesis.nextEvent(), lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });

    const posted = postedAlerts(slack);
    expect(posted).toHaveLength(1);
    expect((await storedGroup(fn.store, posted[0]?.fingerprint ?? '')).messages[0]?.alert.count).toBe(6);
  });

  it('Slack down: the batch is not failed (the shard moves on); the alert waits in the outbox', async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    await kinesis.putPayloads([memberPayload(SHOP, 'eu-west-1', MEMBER_AUTH, failures('198.51.100.50'))]);
    slack.failAlways('chat.postMessage', { status: 503 });

    expect(await fn.handler(await kinesis.nextEvent(), lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });

    expect(await fn.store.listPendingGroups(Date.now() + 10 * MINUTE)).toHaveLength(1);
  });
});

describe('exactly once across accounts and roads', () => {
  it("one CloudTrail event from two accounts' trail log groups in one batch, then by the org bus: posted once, counted once", async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    const cloudtrail = await coldStart<CloudTrailHandler>('cloudtrail', fn.table);
    const fixture = jsonFixture('cloudtrail', 'eventbridge-authorize-ingress-items').json as unknown as EventBridgeEvent<string, Record<string, unknown>>;
    // A security-group change in the shop account…
    const detail: Record<string, unknown> = { ...fixture.detail, recipientAccountId: SHOP };
    const busEvent = { ...fixture, account: SHOP, detail };
    const at = Date.parse(String(detail.eventTime)) + 4 * MINUTE;
    const record = { timestamp: at, message: JSON.stringify(detail) };
    // …written by the shop account's own trail and by the organisation trail in the log-archive account, both subscribed.
    const own = { ...memberPayload(SHOP, 'eu-west-1', 'aws-cloudtrail-logs-shop', [record], `${SHOP}_CloudTrail_eu-west-1`), subscriptionFilters: ['klaxon-test-cloudtrail@eu-west-1'] };
    const org = { ...memberPayload(LOG_ARCHIVE, 'eu-west-1', 'aws-cloudtrail-logs-org', [record], `o-a1b2c3d4e5_${SHOP}_CloudTrail_eu-west-1`), subscriptionFilters: ['klaxon-test-cloudtrail@eu-west-1'] };
    await kinesis.putPayloads([own, org]);

    expect(await fn.handler(await kinesis.nextEvent(), lambdaContext(fn.functionName))).toEqual({ batchItemFailures: [] });
    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule).sort()).toEqual(['sg-open-to-world']);
    // The account is the one the call was made in (the record's), whichever account's log group carried it.
    for (const p of posted) expect(p.call.body.channel).toBe(SHOP_CHANNEL);

    // The same call forwarded by the shop account's EventBridge rule to the central bus.
    const summary = await cloudtrail.handler(busEvent, lambdaContext(cloudtrail.functionName));
    expect(summary.report).toMatchObject({ duplicates: 1, posted: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    for (const p of posted) expect((await storedGroup(fn.store, p.fingerprint)).messages[0]?.alert.count).toBe(1);
  });

  it('the same CloudTrail event by the bus and by the stream at the same moment (two containers, one table): posted once, counted once', async () => {
    const fn = await coldStart<KinesisHandler>('kinesis');
    const cloudtrail = await coldStart<CloudTrailHandler>('cloudtrail', fn.table);
    const fixture = jsonFixture('cloudtrail', 'eventbridge-authorize-ingress-items').json as unknown as EventBridgeEvent<string, Record<string, unknown>>;
    const detail: Record<string, unknown> = { ...fixture.detail, recipientAccountId: DATA_LAKE, eventID: 'c0ncurrent-0000-4000-8000-000000000001' };
    await kinesis.putPayloads([memberPayload(DATA_LAKE, 'eu-west-1', 'aws-cloudtrail-logs-lake', [{ timestamp: Date.parse(String(detail.eventTime)) + MINUTE, message: JSON.stringify(detail) }])]);
    const event = await kinesis.nextEvent();

    const [stream, bus] = await Promise.allSettled([fn.handler(event, lambdaContext(fn.functionName)), cloudtrail.handler({ ...fixture, account: DATA_LAKE, detail }, lambdaContext(cloudtrail.functionName))]);
    // A container whose alert the other is still sending may fail for Lambda to retry: the retry posts nothing more.
    if (stream.status === 'rejected' || (stream.status === 'fulfilled' && stream.value.batchItemFailures.length > 0)) await fn.handler(event, lambdaContext(fn.functionName));
    if (bus.status === 'rejected') await cloudtrail.handler({ ...fixture, account: DATA_LAKE, detail }, lambdaContext(cloudtrail.functionName));

    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule).sort()).toEqual(['sg-open-to-world']);
    for (const p of posted) expect((await storedGroup(fn.store, p.fingerprint)).messages[0]?.alert.count).toBe(1);
  });
});
