/**
 * The Lambda functions as deployed: the zips the real `serverless package` builds, unzipped
 * into task roots and invoked in fresh Node processes with the environment Lambda gives them,
 * against local parts: DynamoDB (dynalite), the Slack stand-in and an SSM Parameter Store
 * stand-in. This is where the bundling tricks of deploy/esbuild-plugins.js meet run time: the
 * rules packaged as data (compiled without zod), the throwing stand-ins for Socket Mode and
 * iconv-lite, and the credential chain cut down to the environment (`fromEnv`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { encodeAwsLogsEvent } from '../../src/sources/awslogs';
import { DynamoStore } from '../../src/store/dynamodb';
import {
  BOT_TOKEN,
  BOT_TOKEN_PARAMETER,
  CHANNEL,
  defaultParameters,
  httpApiV2Event,
  lambdaContext,
  lambdaEnv,
  postedAlerts,
  REGION,
  SIGNING_SECRET,
  SIGNING_SECRET_PARAMETER,
  snapshotEnv,
  startAws,
  storedGroup,
  subscriptionPayload,
  syslogTime,
  type LocalAws,
} from '../lambda/lambda-harness';
import { extractFunction, serverlessPackage } from '../helpers/lambda-package';
import { signedRequest, slashCommandBody } from '../helpers/slack-signing';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin';
import { startSsmStandIn, type SsmStandIn } from '../helpers/ssm-standin';

type FunctionName = 'logs' | 'slack';

// Each case starts a Node process (about a second, more on a busy machine); packaging takes its own timeout below.
jest.setTimeout(120_000);

const ATTACKER = '203.0.113.77';
const AUTH_LOG_GROUP = '/klaxon/bundle/auth.log';
/** What the inline runner puts before its one line of JSON on stdout (the function's own log lines are JSON too). */
const RESULT_MARK = '@@klaxon-bundle-result ';
/** The credentials the Lambda runtime hands over (lambdaEnv's). */
const ENV_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

/**
 * A stand-in for the Lambda runtime's bootstrap: loads `handlers/<fn>.js` from the task root
 * (a cold start), reads `{ event, context }` from stdin, awaits the handler and writes
 * RESULT_MARK + `{"result": …}` or `{"error": {name, message}}` (exit code 1).
 */
const RUNNER = `
const { join } = require('node:path');
const fn = process.argv[1];
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  const { event, context } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const deadline = Date.now() + 60000;
  Object.assign(context, { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), done() {}, fail() {}, succeed() {} });
  let outcome;
  try {
    const { handler } = require(join(process.env.LAMBDA_TASK_ROOT, 'handlers', fn + '.js'));
    outcome = { result: await handler(event, context) };
  } catch (error) {
    outcome = { error: { name: error && error.name, message: error && error.message } };
  }
  // As Lambda does, the process does not wait for an empty event loop once the handler has answered.
  process.stdout.write(${JSON.stringify(RESULT_MARK)} + JSON.stringify(outcome) + '\\n', () => process.exit(outcome.error ? 1 : 0));
});
`;

interface Invocation {
  code: number | null;
  /** The function's own output, the result line left out. */
  stdout: string;
  stderr: string;
  result?: unknown;
  error?: { name?: string; message?: string };
}

let work: string;
let aws: LocalAws;
let slack: SlackStandIn;
let ssm: SsmStandIn;
/** A HOME without AWS config, so nothing of the developer's reaches the functions. */
let emptyHome: string;
let restoreEnv: () => void;
const invocations: Invocation[] = [];

const taskRoot = (fn: FunctionName) => join(work, fn);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'klaxon-bundles-'));
  const out = join(work, 'package');
  // An empty deploy dir: no bundle.yml there, so the shipped example stands in (the stage config only shapes the template).
  const deployDir = join(work, 'deploy');
  mkdirSync(deployDir);
  await serverlessPackage({ stage: 'bundle', out, deployDir, region: REGION });
  for (const fn of ['logs', 'slack'] as const) await extractFunction(join(out, `${fn}.zip`), taskRoot(fn));
  emptyHome = join(work, 'home');
  mkdirSync(emptyHome);
  restoreEnv = snapshotEnv();
  // The test's own DynamoDB client (reading the table) runs on this Node, which the SDK would warn about.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  aws = await startAws();
  slack = await startSlackStandIn();
  ssm = await startSsmStandIn(defaultParameters());
}, 300_000);

afterAll(async () => {
  await slack?.close();
  await ssm?.close();
  await aws?.close();
  restoreEnv?.();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  slack.reset();
  ssm.reset();
  invocations.length = 0;
});

afterEach(() => {
  // Whatever a function wrote, success or failure, never carries a secret's value.
  for (const run of invocations) {
    for (const text of [run.stdout, run.stderr, JSON.stringify(run.result ?? run.error ?? null)]) {
      expect(text).not.toContain(BOT_TOKEN);
      expect(text).not.toContain(SIGNING_SECRET);
    }
  }
});

/** The environment Lambda gives `fn` (as serverless.yml sets it), pointing the SDK and Slack at the local parts. */
function functionEnv(fn: FunctionName, table: string): Record<string, string> {
  return {
    ...lambdaEnv({ table, dynamoEndpoint: aws.endpoint, slackApiUrl: slack.url, functionName: `klaxon-bundle-${fn}` }),
    AWS_ENDPOINT_URL_SSM: ssm.url,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LAMBDA_TASK_ROOT: taskRoot(fn),
    _HANDLER: `handlers/${fn}.handler`,
    HOME: emptyHome,
    TZ: 'UTC',
  };
}

/** One cold start and invocation of the bundled `fn` in a fresh Node process. */
function invoke(fn: FunctionName, event: unknown, env: Record<string, string>): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RUNNER, fn], { cwd: taskRoot(fn), env, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = Buffer.concat(out).toString('utf8').split('\n');
      const resultLine = lines.find((line) => line.startsWith(RESULT_MARK));
      const outcome = resultLine === undefined ? {} : (JSON.parse(resultLine.slice(RESULT_MARK.length)) as Pick<Invocation, 'result' | 'error'>);
      const run: Invocation = { code, stdout: lines.filter((line) => line !== resultLine).join('\n'), stderr: Buffer.concat(err).toString('utf8'), ...outcome };
      invocations.push(run);
      if (resultLine === undefined) reject(new Error(`${fn}: no result (exit code ${String(code)})\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`));
      else resolve(run);
    });
    child.stdin.end(JSON.stringify({ event, context: lambdaContext(`klaxon-bundle-${fn}`) }));
  });
}

/** Each non-empty line of a function's output parses as JSON (Powertools' log lines and EMF records). */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A subscription delivery of one auth.log line: root logged in with a key from ATTACKER. */
function rootLoginDelivery(host: string) {
  const at = Date.now() - 60_000;
  return encodeAwsLogsEvent(
    subscriptionPayload(AUTH_LOG_GROUP, 'i-0abc123def4567890', [
      { timestamp: at + 250, message: `${syslogTime(at)} ${host} sshd[981]: Accepted publickey for root from ${ATTACKER} port 41000 ssh2: ED25519 SHA256:Zm9vYmFyYmF6` },
    ]),
  );
}

/** A SigV4 Authorization header made with the given access key id, for SSM in the test region. */
const signedWith = (accessKeyId: string) => expect.stringMatching(new RegExp(`^AWS4-HMAC-SHA256 Credential=${accessKeyId}/\\d{8}/${REGION}/ssm/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`));

describe('the logs bundle', () => {
  it('turns an SSH root login into a Slack alert and a stored group, reading the bot token from SSM with the environment credentials', async () => {
    const table = await aws.createTable();

    const run = await invoke('logs', rootLoginDelivery('bastion-1'), functionEnv('logs', table));

    expect(run.error).toBeUndefined();
    expect(run.code).toBe(0);
    expect(run.result).toMatchObject({ records: 1, events: 1, parseErrors: 0, report: { events: 1, posted: 1 } });
    // The packaged rules compiled and matched: the critical root-login rule, which suppresses ssh-login for this event.
    const posted = postedAlerts(slack);
    expect(posted.map((p) => p.rule)).toEqual(['ssh-root-login']);
    const root = posted.find((p) => p.rule === 'ssh-root-login');
    expect(root?.call.body.channel).toBe(CHANNEL);
    expect(String(root?.call.body.text)).toContain(`Root logged in over SSH on bastion-1 from ${ATTACKER}`);
    for (const p of posted) expect(p.call.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);

    // One SSM read, decrypted, signed with the credentials from the environment (the session token too).
    expect(ssm.calls).toEqual([{ target: 'AmazonSSM.GetParameter', name: BOT_TOKEN_PARAMETER, withDecryption: true, authorization: signedWith(ENV_ACCESS_KEY_ID), securityToken: true }]);

    const group = await storedGroup(new DynamoStore({ tableName: table, client: aws.client }), root?.fingerprint ?? '');
    expect(group.messages).toHaveLength(1);
    expect(group.messages[0]).toMatchObject({ channel: CHANNEL, ts: expect.any(String), alert: { severity: 'critical', count: 1 } });

    // The function's log lines are Powertools' JSON, the batch summary among them.
    const records = [...jsonLines(run.stdout), ...jsonLines(run.stderr)];
    expect(records).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'batch processed', service: 'klaxon', function_name: 'klaxon-bundle-logs' }));
  });

  it('finds the GeoIP database packaged beside the handler: a root login from 8.8.8.8 carries source.geo.country_iso_code US', async () => {
    const table = await aws.createTable();
    const at = Date.now() - 60_000;
    const delivery = encodeAwsLogsEvent(
      subscriptionPayload(AUTH_LOG_GROUP, 'i-0abc123def4567890', [{ timestamp: at, message: `${syslogTime(at)} bastion-3 sshd[982]: Accepted publickey for root from 8.8.8.8 port 41001 ssh2` }]),
    );

    const run = await invoke('logs', delivery, functionEnv('logs', table));

    expect(run.error).toBeUndefined();
    expect(run.stderr).not.toContain('GeoIP database not available');
    const [root] = postedAlerts(slack);
    const group = await storedGroup(new DynamoStore({ tableName: table, client: aws.client }), root?.fingerprint ?? '');
    expect(group.messages[0]?.alert.samples[0]?.fields['source.geo.country_iso_code']).toBe('US');
  });

  it('without credentials in the environment fails on them, and never falls back to a profile in ~/.aws', async () => {
    const table = await aws.createTable();
    // A profile that would work against the stand-ins: the default provider chain would take it.
    const home = join(work, 'home-with-profile');
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIAPROFILEEXAMPLE01\naws_secret_access_key = profile/secret/EXAMPLEKEY\n');
    writeFileSync(join(home, '.aws', 'config'), `[default]\nregion = ${REGION}\n`);
    const env = functionEnv('logs', table);
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    delete env.AWS_SESSION_TOKEN;
    env.HOME = home;

    const run = await invoke('logs', rootLoginDelivery('bastion-2'), env);

    expect(run.code).toBe(1);
    expect(run.result).toBeUndefined();
    expect(run.error?.name).toBe('SecretUnavailableError');
    expect(run.error?.message).toContain(`cannot read SSM parameter ${BOT_TOKEN_PARAMETER}`);
    expect(run.error?.message).toContain('CredentialsProviderError: Unable to find environment variable credentials. The Lambda runtime provides credentials in AWS_ACCESS_KEY_ID');
    expect(run.error?.message).not.toContain('put-parameter');
    expect(ssm.calls).toEqual([]);
    expect(slack.calls).toEqual([]);
    expect((await aws.client.send(new ScanCommand({ TableName: table }))).Count).toBe(0);
  });
});

describe('the slack bundle', () => {
  const statusRequest = (secret: string, responseId: string) =>
    httpApiV2Event(signedRequest(secret, slashCommandBody({ userId: 'U0BOB0002', text: 'status', channelId: CHANNEL, responseUrl: slack.responseUrl(responseId) })), { base64: true });

  it('answers a signed `/klaxon status` with 200 after the listing reached the response URL', async () => {
    const table = await aws.createTable();

    const run = await invoke('slack', statusRequest(SIGNING_SECRET, 'status'), functionEnv('slack', table));

    expect(run.error).toBeUndefined();
    expect(run.result).toEqual({ statusCode: 200, body: '' });
    expect(slack.responsesTo('status')).toEqual([expect.objectContaining({ response_type: 'ephemeral', text: 'No open alerts.' })]);
    expect(slack.callsTo('auth.test').map((c) => c.headers.authorization)).toEqual([`Bearer ${BOT_TOKEN}`]);
    expect(ssm.calls.map((c) => c.name).sort()).toEqual([BOT_TOKEN_PARAMETER, SIGNING_SECRET_PARAMETER].sort());
    for (const call of ssm.calls) expect(call).toMatchObject({ target: 'AmazonSSM.GetParameter', withDecryption: true, authorization: signedWith(ENV_ACCESS_KEY_ID) });
  });

  it('refuses the same request signed with another secret with 401, and answers nothing', async () => {
    const table = await aws.createTable();

    const run = await invoke('slack', statusRequest('not-the-signing-secret', 'forged'), functionEnv('slack', table));

    expect(run.error).toBeUndefined();
    expect(run.result).toEqual({ statusCode: 401, body: '' });
    expect(slack.responses).toEqual([]);
    // Bolt, not a precheck, refused it: the signing secret was read from SSM to verify the signature.
    expect(ssm.calls.map((c) => c.name)).toContain(SIGNING_SECRET_PARAMETER);
  });
});
