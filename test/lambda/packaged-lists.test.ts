/**
 * A rule naming a list in rules/lists/, packaged as the bundler packages it, run by the logs
 * handler on a cold start against DynamoDB (dynalite) and the Slack stand-in: the list travels
 * in the bundle and the packaged rule matches with it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { packageRules } from '../../src/deploy/package-rules';
import type { PackagedRules } from '../../src/lambda/packaged-rules';
import type { InvocationSummary } from '../../src/lambda/runtime';
import { encodeAwsLogsEvent } from '../../src/sources/awslogs';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin';
import {
  applyEnv,
  captureOutput,
  lambdaContext,
  lambdaEnv,
  loadFunction,
  postedAlerts,
  snapshotEnv,
  startAws,
  subscriptionPayload,
  syslogTime,
  type LambdaFunction,
  type LocalAws,
  type OutputCapture,
} from './lambda-harness';

type LogsHandler = (event: CloudWatchLogsEvent, context: Context) => Promise<InvocationSummary>;

const ROOT = join(__dirname, '..', '..');
const RULE = [
  'id: service-login-outside',
  'title: "{{user.name}} logged in from {{source.ip}}"',
  'source: ssh',
  'severity: high',
  'group_by: [source.ip]',
  'match:',
  '  event.action: ssh_login',
  '  user.name: { in_list: service-accounts }',
  '  not: { source.ip: { in_list: trusted-networks } }',
  '',
].join('\n');

let dir: string;
let aws: LocalAws;
let slack: SlackStandIn;
let restoreEnv: () => void;
let output: OutputCapture;
let logs: LambdaFunction<LogsHandler>;

beforeAll(async () => {
  restoreEnv = snapshotEnv();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  dir = mkdtempSync(join(tmpdir(), 'klaxon-lists-'));
  mkdirSync(join(dir, 'rules', 'lists'), { recursive: true });
  writeFileSync(join(dir, 'rules', 'lists', 'trusted-networks.yml'), 'values: [192.0.2.0/24, "2001:db8::/32"]\n');
  writeFileSync(join(dir, 'rules', 'lists', 'service-accounts.txt'), 'backup\ndeploy\n');
  writeFileSync(join(dir, 'rules', 'service-login-outside.yml'), RULE);
  // What deploy/esbuild-plugins.js writes into the bundle: the packaged data through JSON.
  const packaged = JSON.parse(JSON.stringify(await packageRules(join(dir, 'rules'), join(ROOT, 'templates'), dir))) as PackagedRules;
  jest.doMock('klaxon:packaged-rules', () => ({ __esModule: true, default: packaged }));
  aws = await startAws();
  slack = await startSlackStandIn();
  applyEnv(lambdaEnv({ table: await aws.createTable(), dynamoEndpoint: aws.endpoint, slackApiUrl: slack.url, functionName: 'klaxon-test-logs' }));
  logs = loadFunction<LogsHandler>('logs');
});

afterAll(async () => {
  logs.close();
  jest.dontMock('klaxon:packaged-rules');
  await slack.close();
  await aws.close();
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

it('a packaged rule naming lists alerts for a service account outside the trusted networks only', async () => {
  const now = Date.now() - 60_000;
  const login = (i: number, user: string, ip: string) => ({
    timestamp: now + i,
    message: `${syslogTime(now)} bastion-1 sshd[${700 + i}]: Accepted publickey for ${user} from ${ip} port 5000${i} ssh2`,
  });
  const payload = subscriptionPayload('/klaxon/test/auth.log', 'i-0abc', [
    login(1, 'deploy', '203.0.113.9'),
    login(2, 'deploy', '192.0.2.44'),
    login(3, 'alice', '198.51.100.3'),
    login(4, 'backup', '2001:db8::7'),
  ]);

  const summary = await logs.handler(encodeAwsLogsEvent(payload), lambdaContext('klaxon-test-logs'));

  expect(summary.report).toMatchObject({ events: 4, matched: 1, posted: 1 });
  const posted = postedAlerts(slack);
  expect(posted.map((p) => p.rule)).toEqual(['service-login-outside']);
  expect(String(posted[0]?.call.body.text)).toContain('deploy logged in from 203.0.113.9');
});
