/**
 * The real parts the Lambda handlers run against in tests: DynamoDB (dynalite on 127.0.0.1,
 * the table from `tableDefinition`), Slack (the stand-in, through SLACK_API_URL), and one
 * mock: SSM Parameter Store (aws-sdk-client-mock on the SSMClient of the container's own
 * module registry, answering GetParameter from a map the test controls).
 *
 * A "container" is a fresh module registry (`jest.isolateModules`) in which one handler
 * module is loaded after the environment is set, as Lambda loads it on a cold start.
 *
 * @example
 *   const aws = await startAws();
 *   applyEnv(lambdaEnv({ table: await aws.createTable(), dynamoEndpoint: aws.endpoint, slackApiUrl: slack.url }));
 *   const logs = loadFunction<typeof LogsModule.handler>('logs');
 *   await logs.handler(encodeAwsLogsEvent(payload), lambdaContext('klaxon-test-logs'));
 *   logs.close();
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type * as ClientSsm from '@aws-sdk/client-ssm';
import type { GetParameterCommandInput, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import { decodeGroupData, type GroupData } from '../../src/alerts/group-data';
import { fingerprintFromBlockId } from '../../src/slack/actions';
import type { CloudWatchLogsPayload } from '../../src/sources/awslogs';
import { tableDefinition } from '../../src/store/dynamodb';
import type { StateStore } from '../../src/store/types';
import type { SignedHeaders } from '../helpers/slack-signing';
import type { RecordedCall, SlackStandIn } from '../helpers/slack-standin';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const CHANNEL = 'C0KLAXONALERTS';
export const METRIC_NAMESPACE = 'KlaxonTest';
export const BOT_TOKEN_PARAMETER = '/klaxon/test/slack-bot-token';
export const SIGNING_SECRET_PARAMETER = '/klaxon/test/slack-signing-secret';
/** Values that must never appear in a log line or an error. */
export const BOT_TOKEN = 'xoxb-1111111111-2222222222-LAMBDAtestTOKENvalue';
export const SIGNING_SECRET = '8f14e45fceea167a5a36dedd4bea2543-lambda-test';

/** DynamoDB on 127.0.0.1: the endpoint the handlers reach through AWS_ENDPOINT_URL_DYNAMODB, and a client for the test's own reads. */
export interface LocalAws {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a fresh table with Klaxon's definition; its name. */
  createTable(): Promise<string>;
  close(): Promise<void>;
}

export async function startAws(): Promise<LocalAws> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  let tables = 0;
  return {
    endpoint,
    client,
    async createTable() {
      tables += 1;
      const name = `klaxon-lambda-test-${tables}`;
      await client.send(new CreateTableCommand(tableDefinition(name)));
      return name;
    },
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The variables `serverless.yml` gives the functions, plus what points the SDK and Slack at the local parts. */
export function lambdaEnv(options: { table: string; dynamoEndpoint: string; slackApiUrl: string; functionName?: string }): Record<string, string> {
  return {
    KLAXON_TABLE: options.table,
    SLACK_CHANNEL: CHANNEL,
    KLAXON_ALLOWED_USERS: '',
    KLAXON_LOG_GROUP_SOURCES: '',
    KLAXON_BOT_TOKEN_PARAMETER: BOT_TOKEN_PARAMETER,
    KLAXON_SIGNING_SECRET_PARAMETER: SIGNING_SECRET_PARAMETER,
    POWERTOOLS_SERVICE_NAME: 'klaxon',
    POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    SLACK_API_URL: options.slackApiUrl,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'test-session-token',
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: options.functionName ?? 'klaxon-test',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_LOG_STREAM_NAME: '2024/11/02/[$LATEST]0123456789abcdef0123456789abcdef',
    // The functions run on nodejs24.x, where the SDK has nothing to warn about; these tests may run on Node 20.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Replaces process.env's AWS, Klaxon, Slack and Powertools variables with `vars` (a deployment's environment, before a cold start). */
export function applyEnv(vars: Record<string, string>): void {
  for (const name of Object.keys(process.env)) {
    if (/^(AWS_|KLAXON_|SLACK_|POWERTOOLS_|_X_AMZN)/.test(name)) delete process.env[name];
  }
  Object.assign(process.env, vars);
}

/** Saves process.env; the function returned puts it back. */
export function snapshotEnv(): () => void {
  const saved = { ...process.env };
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}

/** SSM Parameter Store as the mock answers it: SecureString values by name, changeable by the test (rotation, deletion). */
export type Parameters = Map<string, string>;

export function defaultParameters(): Parameters {
  return new Map([
    [BOT_TOKEN_PARAMETER, BOT_TOKEN],
    [SIGNING_SECRET_PARAMETER, SIGNING_SECRET],
  ]);
}

export interface LambdaFunction<H> {
  handler: H;
  /** The SSM mock of this container (its own SSMClient class). */
  ssm: AwsStub<ClientSsm.ServiceInputTypes, ClientSsm.ServiceOutputTypes, ClientSsm.SSMClientResolvedConfig>;
  /** The GetParameter calls the container made, in order. */
  getParameterCalls(): GetParameterCommandInput[];
  parameters: Parameters;
  /** Removes the SSM mock. */
  close(): void;
}

/** `handlers/<name>.ts`'s exports. */
export type HandlerModule<H> = { handler: H };

/**
 * Loads `handlers/<name>.ts` in a fresh module registry (a cold start): the environment must be
 * set first. SSM answers from `parameters`; a name not in it is ParameterNotFound, as SSM says it.
 */
export function loadFunction<H>(name: 'logs' | 'cloudtrail' | 'alarm' | 'slack' | 'drain' | 'kinesis', parameters: Parameters = defaultParameters()): LambdaFunction<H> {
  let loaded: LambdaFunction<H> | undefined;
  jest.isolateModules(() => {
    // The container's own @aws-sdk/client-ssm: Powertools' SSMProvider builds its client from this registry's class.
    const ssmModule = isolatedRequire<typeof ClientSsm>('@aws-sdk/client-ssm');
    const ssm = mockClient(ssmModule.SSMClient as unknown as SSMClient);
    const calls: GetParameterCommandInput[] = [];
    ssm.on(ssmModule.GetParameterCommand).callsFake((input: GetParameterCommandInput) => {
      calls.push(input);
      const value = input.Name === undefined ? undefined : parameters.get(input.Name);
      if (value === undefined) {
        // What SSM answers for a name it does not hold: HTTP 400, __type ParameterNotFound, no message.
        throw new ssmModule.ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400, requestId: randomUUID() } });
      }
      return {
        Parameter: {
          Name: input.Name,
          Type: 'SecureString',
          // Without WithDecryption SSM hands back the ciphertext, never the value.
          Value: input.WithDecryption === true ? value : `AQICAHh${Buffer.from(value).toString('base64')}`,
          Version: 1,
          ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${input.Name}`,
          DataType: 'text',
        },
        $metadata: { httpStatusCode: 200 },
      };
    });
    const module = isolatedRequire<HandlerModule<H>>(`../../handlers/${name}`);
    loaded = { handler: module.handler, ssm, getParameterCalls: () => [...calls], parameters, close: () => ssm.restore() };
  });
  if (loaded === undefined) throw new Error(`handlers/${name} did not load`);
  return loaded;
}

/** `require` inside `jest.isolateModules`: the one place this file needs it (an `import` would share the test file's registry). */
function isolatedRequire<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as T;
}

/** A Lambda context as the Node.js runtime passes it. */
export function lambdaContext(functionName: string, awsRequestId: string = randomUUID()): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2024/11/02/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** What the function wrote (Powertools writes INFO/DEBUG and EMF to stdout, WARN/ERROR to stderr; Lambda sends both to CloudWatch). */
export interface OutputCapture {
  /** Each non-empty line of stdout. */
  stdout(): string[];
  /** Each non-empty line of stderr. */
  stderr(): string[];
  /** Both, stdout first. */
  lines(): string[];
  /** Forgets what was captured so far. */
  clear(): void;
  restore(): void;
}

/** Captures stdout and stderr without printing them. */
export function captureOutput(): OutputCapture {
  const out: string[] = [];
  const err: string[] = [];
  const spy = (stream: NodeJS.WriteStream, into: string[]) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    });
  const spies = [spy(process.stdout, out), spy(process.stderr, err)];
  const linesOf = (chunks: string[]) =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
  return {
    stdout: () => linesOf(out),
    stderr: () => linesOf(err),
    lines: () => [...linesOf(out), ...linesOf(err)],
    clear: () => {
      out.length = 0;
      err.length = 0;
    },
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC3164 syslog timestamp (`Nov  2 10:00:00`) of an epoch ms, in UTC, as rsyslog writes auth.log. */
export function syslogTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()] ?? 'Jan'} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A CloudWatch Logs log event id: 56 digits, unique per log event. */
export function logEventId(timestamp: number, seq: number): string {
  return `${String(timestamp).padStart(16, '0')}${String(seq).padStart(40, '0')}`;
}

/** A DATA_MESSAGE from a subscription filter on `logGroup`, one log event per message (CloudWatch receive time = `timestamps[i]`). */
export function subscriptionPayload(logGroup: string, logStream: string, events: Array<{ timestamp: number; message: string }>): CloudWatchLogsPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner: ACCOUNT,
    logGroup,
    logStream,
    subscriptionFilters: ['klaxon-test-subscription'],
    logEvents: events.map((e, i) => ({ id: logEventId(e.timestamp, i + 1), timestamp: e.timestamp, message: e.message })),
  };
}

/** The CONTROL_MESSAGE CloudWatch Logs sends when a subscription filter is created, to check the destination. */
export function controlPayload(): CloudWatchLogsPayload {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: Date.now(), message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
  };
}

/**
 * An API Gateway HTTP API (payload format 2.0) event for `POST /slack/events`, as the `slack`
 * function receives it: lower-case headers, the raw body (base64 when `base64` is set, as HTTP
 * APIs deliver form bodies).
 */
export function httpApiV2Event(request: { headers: SignedHeaders | Record<string, string>; body: string }, options: { base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {
    accept: 'application/json,*/*',
    'accept-encoding': 'gzip,deflate',
    'content-length': String(Buffer.byteLength(request.body)),
    host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-amzn-trace-id': 'Root=1-67261a40-0123456789abcdef01234567',
    'x-forwarded-for': '54.209.0.10',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: { method: 'POST', path: '/slack/events', protocol: 'HTTP/1.1', sourceIp: '54.209.0.10', userAgent: headers['user-agent'] ?? '' },
      requestId: `${randomUUID().slice(0, 8)}=`,
      routeKey: 'POST /slack/events',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: options.base64 === true ? Buffer.from(request.body, 'utf8').toString('base64') : request.body,
    isBase64Encoded: options.base64 === true,
  };
}

/** The alerts posted to the stand-in (thread replies left out), each with the fingerprint its actions block carries. */
export function postedAlerts(slack: SlackStandIn): Array<{ call: RecordedCall; fingerprint: string; rule: string }> {
  return slack
    .callsTo('chat.postMessage')
    .filter((call) => call.body.thread_ts === undefined)
    .map((call) => {
      const blocks = Array.isArray(call.body.blocks) ? (call.body.blocks as Array<{ type?: string; block_id?: string }>) : [];
      const blockId = blocks.find((b) => b.type === 'actions')?.block_id;
      const fingerprint = blockId === undefined ? undefined : fingerprintFromBlockId(blockId);
      if (fingerprint === undefined) throw new Error(`posted message without Klaxon's actions block: ${call.rawBody.slice(0, 200)}`);
      return { call, fingerprint, rule: fingerprint.slice(0, fingerprint.indexOf(':')) };
    });
}

/** A group's stored state; throws when the table has no record of it. */
export async function storedGroup(store: StateStore, fingerprint: string): Promise<GroupData> {
  const record = await store.getGroup(fingerprint);
  if (record === undefined) throw new Error(`no group ${fingerprint} in the table`);
  return decodeGroupData(fingerprint, record.data);
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
