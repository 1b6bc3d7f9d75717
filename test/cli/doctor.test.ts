import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  type MetricFilter,
  type SubscriptionFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { AlarmName } from '../../src/deploy/config';
import { stageNames } from '../../src/deploy/names';
import { METRIC_FILTERS, SUBSCRIPTION_PATTERNS, securityGroupEventPattern } from '../../src/deploy/patterns';
import { doctor, doctorCommand } from '../../src/cli/doctor';
import { doctorClients } from '../../src/aws/doctor-checks';
import { useSlackStandIn } from '../helpers/slack-standin';
import { runCli, tempDir, type CliResult } from './helpers';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const STAGE = 'prod';
const names = stageNames(STAGE, {});
const TOKEN = 'xoxb-doctor-good-token';
const SIGNING = 'signing-secret-value-0123';

const logs = mockClient(CloudWatchLogsClient);
const cloudwatch = mockClient(CloudWatchClient);
const events = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const ssm = mockClient(SSMClient);
const cloudtrail = mockClient(CloudTrailClient);

const SSH_GROUP = '/klaxon/prod/auth.log';
const WAF_GROUP = 'aws-waf-logs-prod-edge';
const TRAIL_GROUP = 'aws-cloudtrail-logs-prod';

const CONFIG = `
slack:
  channel: "#security-alerts"
logGroups:
  ssh: [${SSH_GROUP}]
  waf: [${WAF_GROUP}]
  cloudtrail: ${TRAIL_GROUP}
alarms:
  successfulSshLogins: { enabled: false }
`;

const SOURCES: Record<string, 'ssh' | 'waf' | 'cloudtrail'> = { [SSH_GROUP]: 'ssh', [WAF_GROUP]: 'waf', [TRAIL_GROUP]: 'cloudtrail' };
const ENABLED_ALARMS: AlarmName[] = ['failedSshLogins', 'wafBlockedRequests', 'securityGroupChanges'];
const fnArn = (fn: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${names.alarmTopic}`;

const slack = useSlackStandIn();
let deployDir: string;

beforeAll(async () => {
  deployDir = tempDir();
  writeFileSync(join(deployDir, `${STAGE}.yml`), CONFIG);
  writeFileSync(join(deployDir, 'broken.yml'), 'slack: {}\nlogGroups:\n  waf: [not-a-waf-group]\n');
});
afterAll(async () => {
  rmSync(deployDir, { recursive: true, force: true });
});

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/** Everything deployed and healthy, as `serverless deploy` leaves it. Tests then break one part. */
function allGreen(): void {
  for (const m of [logs, cloudwatch, events, sqs, ssm, cloudtrail]) m.reset();
  slack.reset();
  logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupNamePrefix?: string }) => ({
    // A prefix also lists longer names: the exact one must be picked out.
    logGroups: [{ logGroupName: `${input.logGroupNamePrefix}-old` }, { logGroupName: input.logGroupNamePrefix }],
  }));
  logs.on(DescribeSubscriptionFiltersCommand).callsFake((input: { logGroupName: string }) => ({
    subscriptionFilters: [subscription(input.logGroupName)],
  }));
  logs.on(DescribeMetricFiltersCommand).callsFake((input: { logGroupName: string; filterNamePrefix: string }) => ({
    metricFilters: ENABLED_ALARMS.filter((a) => names.metricFilterName(a) === input.filterNamePrefix).map((a) => metricFilter(a, input.logGroupName)),
  }));
  cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({ MetricAlarms: input.AlarmNames.map((n) => alarm(n)) }));
  events.on(DescribeRuleCommand).resolves({ Name: names.securityGroupRule, State: 'ENABLED', EventPattern: JSON.stringify(shuffledPattern()) });
  events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'CloudtrailTarget', Arn: fnArn(names.functionName('cloudtrail')) }] });
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${names.deadLetterQueue}` });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
  cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'org-trail', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`, HomeRegion: 'us-east-1', IsMultiRegionTrail: true }] });
  cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  cloudtrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
  ssm.on(GetParameterCommand).callsFake((input: { Name: string; WithDecryption?: boolean }) => parameter(input.Name, input.WithDecryption === true));
}

function subscription(logGroupName: string, over: Partial<SubscriptionFilter> = {}): SubscriptionFilter {
  const source = SOURCES[logGroupName] ?? 'ssh';
  return { filterName: `klaxon-prod-LogsSubscriptionFilter`, logGroupName, filterPattern: SUBSCRIPTION_PATTERNS[source], destinationArn: fnArn(names.functionName('logs')), ...over };
}

function metricFilter(alarm: AlarmName, logGroupName: string, over: Partial<MetricFilter> = {}): MetricFilter {
  return {
    filterName: names.metricFilterName(alarm),
    logGroupName,
    filterPattern: METRIC_FILTERS[alarm].pattern,
    metricTransformations: [{ metricNamespace: names.metricNamespace, metricName: names.metricName(alarm), metricValue: '1' }],
    ...over,
  };
}

function alarm(name: string, over: Partial<MetricAlarm> = {}): MetricAlarm {
  return { AlarmName: name, StateValue: 'OK', StateReason: 'Threshold Crossed: no datapoints', AlarmActions: [TOPIC_ARN], ...over };
}

/** Klaxon's pattern with the keys and array items in another order: the comparison must not mind. */
function shuffledPattern(): Record<string, unknown> {
  const p = securityGroupEventPattern() as { source: string[]; 'detail-type': string[]; detail: { eventSource: string[]; eventName: string[] } };
  return { detail: { eventName: [...p.detail.eventName].reverse(), eventSource: p.detail.eventSource }, 'detail-type': p['detail-type'], source: p.source };
}

function parameter(name: string, decrypt: boolean, type = 'SecureString') {
  const value = name === names.botTokenParameter ? TOKEN : SIGNING;
  return { Parameter: { Name: name, Type: type, Version: 3, Value: decrypt || type !== 'SecureString' ? value : 'AQICAHh-ciphertext' } };
}

async function runDoctor(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['doctor', '--stage', STAGE, '--region', REGION, ...args], { env: { KLAXON_DEPLOY_DIR: deployDir, SLACK_API_URL: slack.url, ...env } });
}

/** The report's line for a check, with its details and fix lines after it. */
function block(stdout: string, title: string): string {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.includes(title));
  if (i < 0) throw new Error(`no line with "${title}" in:\n${stdout}`);
  const out = [lines[i] as string];
  for (const l of lines.slice(i + 1)) {
    if (!/^ {9}/.test(l)) break;
    out.push(l);
  }
  return out.join('\n');
}

function summaryLine(stdout: string): string {
  return stdout.trimEnd().split('\n').at(-1) ?? '';
}

describe('klaxon doctor: a healthy stage', () => {
  beforeEach(allGreen);

  it('passes every check, exits 0 and ends with the doctor summary line', async () => {
    const r = await runDoctor();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`klaxon doctor: stage prod in ${REGION}`);
    // 1 config + 3 groups + 3 subscriptions + 3 metric filters + 4 alarms + trail + rule + target + queue + 2 parameters + Slack
    expect(summaryLine(r.stdout)).toBe('doctor: 21 checks ok, 0 failed, 0 warnings');
    expect(block(r.stdout, 'org-trail')).toContain('org-trail (multi-region, home us-east-1): logging write management events in eu-west-1');
    expect(r.stdout).not.toMatch(/\d+ passed, \d+ failed/);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toContain(`✓ ok   ${SSH_GROUP} (ssh) exists`);
    expect(r.stdout).toContain(`${WAF_GROUP} → klaxon-prod-logs`);
    expect(r.stdout).toContain(`klaxon-prod-failed-ssh-logins on ${SSH_GROUP} → Klaxon/prod/SshFailedLogins`);
    expect(r.stdout).toContain('klaxon-prod-dead-letters: OK, notifies klaxon-prod-alarms');
    expect(r.stdout).toContain('rule klaxon-prod-security-group-changes: ENABLED, pattern as deployed');
    expect(r.stdout).toContain('rule klaxon-prod-security-group-changes → klaxon-prod-cloudtrail');
    expect(r.stdout).toContain('auth.test: team "Klaxon Test" (T0KLAXON), bot user "klaxon" (U0KLAXONBOT)');
    // A disabled alarm is neither expected nor looked for.
    expect(r.stdout).not.toContain('successful-ssh-logins');
  });

  it('never prints a secret, and sends the token from SSM to Slack', async () => {
    const r = await runDoctor();
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(SIGNING);
    expect(slack.callsTo('auth.test')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const calls = ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input);
    expect(calls).toEqual(
      expect.arrayContaining([
        { Name: '/klaxon/prod/slack-bot-token', WithDecryption: true },
        { Name: '/klaxon/prod/slack-signing-secret', WithDecryption: false },
      ]),
    );
  });

  it('asks AWS by the names the stack creates', async () => {
    await runDoctor();
    expect(logs.commandCalls(DescribeLogGroupsCommand).map((c) => c.args[0].input.logGroupNamePrefix).sort()).toEqual([SSH_GROUP, TRAIL_GROUP, WAF_GROUP].sort());
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input.AlarmNames).toEqual([
      'klaxon-prod-failed-ssh-logins',
      'klaxon-prod-waf-blocked-requests',
      'klaxon-prod-security-group-changes',
      'klaxon-prod-dead-letters',
    ]);
    expect(events.commandCalls(DescribeRuleCommand)[0]?.args[0].input).toEqual({ Name: 'klaxon-prod-security-group-changes' });
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({ QueueName: 'klaxon-prod-dead-letters' });
  });

  it('pages DescribeLogGroups until the exact name shows up', async () => {
    logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupNamePrefix?: string; nextToken?: string }) =>
      input.nextToken === undefined ? { logGroups: [{ logGroupName: `${input.logGroupNamePrefix}.1` }], nextToken: 'page2' } : { logGroups: [{ logGroupName: input.logGroupNamePrefix }] },
    );
    const r = await runDoctor();
    expect(r.code).toBe(0);
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(6);
  });

  it('prints without colour when stdout is not a terminal, and in colour on one', async () => {
    const plain = await runDoctor();
    expect(plain.stdout).not.toContain('\x1b[');
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await doctor(['--stage', STAGE, '--region', REGION], { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: { KLAXON_DEPLOY_DIR: deployDir, SLACK_API_URL: slack.url } });
    expect(code).toBe(0);
    expect(out).toContain('\x1b[32m✓ ok  \x1b[0m');
    const noColor = Object.assign(new PassThrough(), { isTTY: true });
    let plainOut = '';
    noColor.on('data', (c: Buffer) => (plainOut += c.toString()));
    await doctor(['--stage', STAGE, '--region', REGION], { stdin: Readable.from([]), stdout: noColor, stderr: new PassThrough(), env: { KLAXON_DEPLOY_DIR: deployDir, SLACK_API_URL: slack.url, NO_COLOR: '1' } });
    expect(plainOut).not.toContain('\x1b[');
  });

  it('is registered in the CLI and documented in its usage', async () => {
    expect(typeof doctorCommand).toBe('function');
    expect((await runCli(['help'])).stdout).toContain('klaxon doctor [options]');
    const help = await runCli(['doctor', '--help']);
    expect(help.stdout).toMatch(/^ {2}--stage S +the stage config deploy\/<S>\.yml/m);
    expect(help.stdout).toMatch(/^ {2}--region R /m);
  });
});

describe('klaxon doctor: log groups and their filters', () => {
  beforeEach(allGreen);

  it('fails a missing log group with how to ship logs to it, by source', async () => {
    logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupNamePrefix?: string }) => ({
      logGroups: input.logGroupNamePrefix === TRAIL_GROUP ? [{ logGroupName: TRAIL_GROUP }] : [{ logGroupName: `${input.logGroupNamePrefix}-other` }],
    }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    const ssh = block(r.stdout, `${SSH_GROUP} (ssh) does not exist`);
    expect(ssh).toContain('✗ FAIL');
    expect(ssh).toContain('fix: ship the hosts\' auth log to it with the CloudWatch agent: deploy/cloudwatch-agent.json');
    expect(ssh).toContain(`"log_group_name": "${SSH_GROUP}"`);
    const waf = block(r.stdout, `${WAF_GROUP} (waf) does not exist`);
    expect(waf).toContain('enable WAF logging to CloudWatch Logs');
    expect(waf).toContain('fix logGroups.waf in');
    // No subscription or metric-filter checks on a group that is not there: one failure per cause.
    expect(logs.commandCalls(DescribeSubscriptionFiltersCommand).map((c) => c.args[0].input.logGroupName)).toEqual([TRAIL_GROUP]);
    expect(summaryLine(r.stdout)).toBe('doctor: 15 checks ok, 2 failed, 0 warnings');
  });

  it("fails a log group without Klaxon's subscription, with the deploy command", async () => {
    logs.on(DescribeSubscriptionFiltersCommand).callsFake((input: { logGroupName: string }) => ({
      subscriptionFilters: input.logGroupName === SSH_GROUP ? [subscription(SSH_GROUP, { filterName: 'other', destinationArn: fnArn('klaxon-dev-logs') })] : [subscription(input.logGroupName)],
    }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    const b = block(r.stdout, `${SSH_GROUP}: no subscription filter sends it to klaxon-prod-logs`);
    expect(b).toContain('✗ FAIL');
    expect(b).toContain('present: other → arn:aws:lambda:eu-west-1:123456789012:function:klaxon-dev-logs');
    expect(b).toContain('fix: npx serverless deploy --stage prod');
  });

  it('fails when two other subscription filters leave no room for Klaxon (the AWS limit), fix: remove one', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).callsFake((input: { logGroupName: string }) => ({
      subscriptionFilters:
        input.logGroupName === WAF_GROUP
          ? [
              { filterName: 'siem', logGroupName: WAF_GROUP, filterPattern: '', destinationArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/siem` },
              { filterName: 'archive', logGroupName: WAF_GROUP, filterPattern: '', destinationArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/archive` },
            ]
          : [subscription(input.logGroupName)],
    }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    const b = block(r.stdout, `${WAF_GROUP}: no subscription to klaxon-prod-logs`);
    expect(b).toContain('✗ FAIL');
    expect(b).toContain('a deploy fails on it');
    expect(b).toContain('the CloudWatch Logs limit is 2');
    expect(b).toContain(`fix: remove one: aws logs delete-subscription-filter --log-group-name ${WAF_GROUP} --filter-name siem`);
    expect(summaryLine(r.stdout)).toBe('doctor: 20 checks ok, 1 failed, 0 warnings');
  });

  it("fails Klaxon's subscription when its pattern is not the one deployed, and accepts a qualified function ARN", async () => {
    logs.on(DescribeSubscriptionFiltersCommand).callsFake((input: { logGroupName: string }) => ({
      subscriptionFilters: [
        input.logGroupName === SSH_GROUP
          ? subscription(SSH_GROUP, { filterPattern: 'sshd' })
          : subscription(input.logGroupName, { destinationArn: `${fnArn('klaxon-prod-logs')}:$LATEST` }),
      ],
    }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    const b = block(r.stdout, `${SSH_GROUP} → klaxon-prod-logs: the filter pattern is not Klaxon's ssh pattern`);
    expect(b).toContain('found:    "sshd"');
    expect(b).toContain(`expected: ${JSON.stringify(SUBSCRIPTION_PATTERNS.ssh)}`);
    expect(b).toContain('fix: npx serverless deploy --stage prod');
    expect(r.stdout).toContain(`${WAF_GROUP} → klaxon-prod-logs (filter`);
  });

  it('fails a missing metric filter and one that feeds another metric', async () => {
    logs.on(DescribeMetricFiltersCommand).callsFake((input: { logGroupName: string; filterNamePrefix: string }) => {
      if (input.logGroupName === SSH_GROUP) return { metricFilters: [] };
      if (input.logGroupName === WAF_GROUP) {
        return { metricFilters: [metricFilter('wafBlockedRequests', WAF_GROUP, { metricTransformations: [{ metricNamespace: 'Other', metricName: 'Blocks', metricValue: '1' }] })] };
      }
      return { metricFilters: [metricFilter('securityGroupChanges', TRAIL_GROUP)] };
    });
    const r = await runDoctor();
    expect(r.code).toBe(1);
    expect(block(r.stdout, `klaxon-prod-failed-ssh-logins on ${SSH_GROUP}: missing`)).toContain('fix: npx serverless deploy --stage prod');
    expect(block(r.stdout, `klaxon-prod-waf-blocked-requests on ${WAF_GROUP}: not as deployed`)).toContain('it feeds Other/Blocks, not Klaxon/prod/WafBlockedRequests');
    expect(summaryLine(r.stdout)).toBe('doctor: 19 checks ok, 2 failed, 0 warnings');
  });

  it('AccessDenied on one API names the IAM action and does not stop the other checks', async () => {
    logs.on(DescribeMetricFiltersCommand).rejects(awsError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: logs:DescribeMetricFilters'));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    const b = block(r.stdout, `klaxon-prod-failed-ssh-logins on ${SSH_GROUP}: could not check`);
    expect(b).toContain('✗ FAIL');
    expect(b).toContain('access denied: the AWS identity needs permission for logs:DescribeMetricFilters in region eu-west-1');
    expect(b).toContain('fix: allow logs:DescribeMetricFilters to the AWS identity doctor runs as');
    // Everything else still ran and passed.
    expect(summaryLine(r.stdout)).toBe('doctor: 18 checks ok, 3 failed, 0 warnings');
    expect(r.stdout).toContain('auth.test: team "Klaxon Test"');
    expect(r.stdout).toContain('klaxon-prod-dead-letters: OK');
  });
});

describe('klaxon doctor: alarms, rule, queue, parameters, Slack', () => {
  beforeEach(allGreen);

  it('warns (exit 0) about an alarm in ALARM, with the reason', async () => {
    cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
      MetricAlarms: input.AlarmNames.map((n) =>
        n === 'klaxon-prod-failed-ssh-logins'
          ? alarm(n, { StateValue: 'ALARM', StateReason: 'Threshold Crossed: 1 datapoint [42.0] was greater than or equal to the threshold (20.0).', StateUpdatedTimestamp: new Date('2026-11-02T10:00:00Z') })
          : alarm(n),
      ),
    }));
    const r = await runDoctor();
    expect(r.code).toBe(0);
    const b = block(r.stdout, 'klaxon-prod-failed-ssh-logins is in ALARM since 2026-11-02T10:00:00.000Z');
    expect(b).toContain('! warn');
    expect(b).toContain('Threshold Crossed: 1 datapoint [42.0]');
    expect(summaryLine(r.stdout)).toBe('doctor: 20 checks ok, 0 failed, 1 warning');
  });

  it('fails a missing alarm and an alarm that does not notify the topic', async () => {
    cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
      MetricAlarms: input.AlarmNames.filter((n) => n !== 'klaxon-prod-security-group-changes').map((n) => (n === 'klaxon-prod-dead-letters' ? alarm(n, { AlarmActions: [] }) : alarm(n))),
    }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    expect(block(r.stdout, 'klaxon-prod-security-group-changes: missing')).toContain('fix: npx serverless deploy --stage prod');
    const b = block(r.stdout, 'klaxon-prod-dead-letters (OK): does not notify the topic klaxon-prod-alarms');
    expect(b).toContain('its alarm actions: none');
  });

  it("fails the EventBridge rule when its pattern is not Klaxon's", async () => {
    const pattern = securityGroupEventPattern() as { detail: { eventName: string[] } };
    const narrowed = { ...pattern, detail: { ...pattern.detail, eventName: pattern.detail.eventName.slice(1) } };
    events.on(DescribeRuleCommand).resolves({ Name: names.securityGroupRule, State: 'ENABLED', EventPattern: JSON.stringify(narrowed) });
    const r = await runDoctor();
    expect(r.code).toBe(1);
    const b = block(r.stdout, 'rule klaxon-prod-security-group-changes: not as deployed');
    expect(b).toContain("its event pattern is not Klaxon's:");
    expect(b).toContain(`expected: ${JSON.stringify(securityGroupEventPattern())}`);
    expect(b).toContain('fix: npx serverless deploy --stage prod');
    // The target is still checked.
    expect(r.stdout).toContain('rule klaxon-prod-security-group-changes → klaxon-prod-cloudtrail');
  });

  it('fails a disabled rule with the command that enables it, a missing target, and a missing rule', async () => {
    events.on(DescribeRuleCommand).resolves({ Name: names.securityGroupRule, State: 'DISABLED', EventPattern: JSON.stringify(securityGroupEventPattern()) });
    events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'x', Arn: fnArn('klaxon-dev-cloudtrail') }] });
    let r = await runDoctor();
    expect(block(r.stdout, 'rule klaxon-prod-security-group-changes: not as deployed')).toContain('fix: aws events enable-rule --name klaxon-prod-security-group-changes');
    expect(block(r.stdout, 'klaxon-prod-cloudtrail is not a target')).toContain('klaxon-dev-cloudtrail');

    events.on(DescribeRuleCommand).rejects(new ResourceNotFoundException({ message: 'Rule klaxon-prod-security-group-changes does not exist.', $metadata: {} }));
    r = await runDoctor();
    expect(r.code).toBe(1);
    expect(block(r.stdout, 'rule klaxon-prod-security-group-changes: missing in eu-west-1')).toContain('fix: npx serverless deploy --stage prod');
  });

  it('warns (exit 0) when dead letters wait, with the redrive command', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' } });
    const r = await runDoctor();
    expect(r.code).toBe(0);
    const b = block(r.stdout, 'klaxon-prod-dead-letters: 3 failed events waiting (and 1 in flight)');
    expect(b).toContain('! warn');
    expect(b).toContain('npx klaxon redrive --stage prod');
  });

  it('fails a missing dead-letter queue', async () => {
    sqs.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    expect(block(r.stdout, 'klaxon-prod-dead-letters: missing in eu-west-1')).toContain('fix: npx serverless deploy --stage prod');
  });

  it('fails a missing parameter with the put-parameter command, a String one, and skips Slack without a token', async () => {
    ssm.on(GetParameterCommand).callsFake((input: { Name: string; WithDecryption?: boolean }) => {
      if (input.Name === names.botTokenParameter) throw new ParameterNotFound({ message: '', $metadata: {} });
      return parameter(input.Name, input.WithDecryption === true, 'String');
    });
    const r = await runDoctor();
    expect(r.code).toBe(1);
    expect(block(r.stdout, '/klaxon/prod/slack-bot-token (Slack bot token): missing')).toContain(
      "fix: aws ssm put-parameter --type SecureString --name /klaxon/prod/slack-bot-token --value 'xoxb-…'",
    );
    const b = block(r.stdout, '/klaxon/prod/slack-signing-secret (Slack signing secret) is a String, not a SecureString');
    expect(b).toContain('fix: aws ssm delete-parameter --name /klaxon/prod/slack-signing-secret');
    expect(b).toContain('then: aws ssm put-parameter --type SecureString --name /klaxon/prod/slack-signing-secret');
    expect(r.stdout).not.toContain(SIGNING);
    expect(r.stdout).toContain('- skip auth.test: not run');
    expect(slack.callsTo('auth.test')).toHaveLength(0);
    expect(summaryLine(r.stdout)).toBe('doctor: 18 checks ok, 2 failed, 0 warnings, 1 skipped');
  });

  it("fails Slack with Slack's error code and the fix when the token is refused", async () => {
    ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => ({ Parameter: { Name: input.Name, Type: 'SecureString', Value: 'xoxb-invalid' } }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    const b = block(r.stdout, 'auth.test: Slack refused the bot token in /klaxon/prod/slack-bot-token: invalid_auth');
    expect(b).toContain('reinstall the Slack app');
    expect(b).toContain('aws ssm put-parameter --overwrite --type SecureString --name /klaxon/prod/slack-bot-token');
    expect(r.stdout).not.toContain('xoxb-invalid');
  });

  it('fails Slack as unreachable on a server error', async () => {
    slack.failAlways('auth.test', { status: 503 });
    const r = await runDoctor();
    expect(r.code).toBe(1);
    expect(block(r.stdout, 'auth.test: Slack could not be reached: http_503')).toContain('check this machine can reach slack.com');
  });
});

describe('klaxon doctor: config, credentials and usage', () => {
  beforeEach(allGreen);

  it('fails a stage without a config file, with the copy fix, and still checks what needs no config', async () => {
    const r = await runCli(['doctor', '--stage', 'staging', '--region', REGION], { env: { KLAXON_DEPLOY_DIR: deployDir, SLACK_API_URL: slack.url } });
    expect(r.code).toBe(1);
    const b = block(r.stdout, 'staging.yml: no config for stage "staging"');
    expect(b).toContain('✗ FAIL');
    expect(b).toMatch(/fix: copy \S*deploy\/example\.yml to \S*staging\.yml/);
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(0);
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({ QueueName: 'klaxon-staging-dead-letters' });
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input.AlarmNames).toEqual(['klaxon-staging-dead-letters']);
    expect(r.stdout).toContain('/klaxon/staging/slack-bot-token (Slack bot token): SecureString');
  });

  it('fails an invalid config with its located problems', async () => {
    const r = await runCli(['doctor', '--stage', 'broken', '--region', REGION], { env: { KLAXON_DEPLOY_DIR: deployDir, SLACK_API_URL: slack.url } });
    expect(r.code).toBe(1);
    const b = block(r.stdout, 'broken.yml: not a valid stage config');
    expect(b).toMatch(/broken\.yml:\d+:\d+: /);
    expect(b).toContain('aws-waf-logs-');
    expect(b).toMatch(/fix: edit \S*broken\.yml/);
  });

  it('stops after one line when AWS cannot be used at all (no credentials)', async () => {
    sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const r = await runDoctor();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('\nAWS access\n  ✗ FAIL cannot use AWS');
    expect(r.stdout).toContain('no AWS credentials found');
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(0);
    expect(summaryLine(r.stdout)).toBe('doctor: 1 check ok, 1 failed, 0 warnings');
  });

  it('defaults to stage dev and reports a usage error with exit 2', async () => {
    const dev = await runCli(['doctor', '--region', REGION], { env: { KLAXON_DEPLOY_DIR: deployDir, SLACK_API_URL: slack.url } });
    expect(dev.stdout).toContain('klaxon doctor: stage dev in eu-west-1');
    for (const args of [['--stage', 'Prod'], ['--region', 'mars'], ['--bogus'], ['extra']]) {
      const r = await runCli(['doctor', ...args], { env: { KLAXON_DEPLOY_DIR: deployDir } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage: klaxon doctor');
    }
  });

  it('fails at once without an AWS region', async () => {
    const clients = doctorClients();
    const noRegion = new CloudWatchLogsClient({
      region: async () => {
        throw new Error('Region is missing');
      },
    });
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await doctor(['--stage', STAGE], { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: { KLAXON_DEPLOY_DIR: deployDir } }, { ...clients, logs: noRegion });
    expect(code).toBe(1);
    expect(out).toContain('klaxon doctor: stage prod in (no region)');
    expect(block(out, 'no AWS region, so nothing in the account was checked')).toContain('fix: set AWS_REGION');
    expect(sqs.commandCalls(GetQueueUrlCommand)).toHaveLength(0);
  });

  it('builds its clients from the standard AWS settings, with --region overriding', async () => {
    const clients = doctorClients('ap-southeast-2');
    await expect(clients.logs.config.region()).resolves.toBe('ap-southeast-2');
    await expect(clients.ssm.config.region()).resolves.toBe('ap-southeast-2');
  });
});
