/**
 * `klaxon doctor --member-account`: a member account's wiring to a central stage. AWS is
 * mocked (aws-sdk-client-mock) per client instance: the member's CloudWatch Logs and
 * EventBridge, and the central account's CloudWatch Logs in the member's region.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { CloudWatchLogsClient, DescribeDestinationsCommand, DescribeSubscriptionFiltersCommand, type SubscriptionFilter } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { memberCredentials, type MemberClients } from '../../src/aws/member-checks';
import { parseStageConfig } from '../../src/deploy/config';
import { doctor } from '../../src/cli/doctor';
import { stageNames } from '../../src/deploy/names';
import { securityGroupEventPattern, SUBSCRIPTION_PATTERNS } from '../../src/deploy/patterns';
import { runCli, tempDir, type CliResult } from './helpers';

const CENTRAL = '111111111111';
const MEMBER = '222222222222';
const REGION = 'us-east-1';
const names = stageNames('prod', {});
const DESTINATION = `arn:aws:logs:${REGION}:${CENTRAL}:destination:${names.memberDestination}`;
const BUS = `arn:aws:events:eu-west-1:${CENTRAL}:event-bus/${names.memberEventBus}`;
const CONFIG = `
slack: { channel: "#sec" }
organization:
  centralAccount: "${CENTRAL}"
  homeRegion: eu-west-1
  id: o-a1b2c3d4e5
  memberRegions: [eu-west-1, ${REGION}]
  memberRoleName: AWSControlTowerExecution
  logGroups: { ssh: [/org/auth.log], waf: [aws-waf-logs-org] }
`;

const clients: MemberClients = {
  logs: new CloudWatchLogsClient({ region: REGION }),
  events: new EventBridgeClient({ region: REGION }),
  centralLogs: new CloudWatchLogsClient({ region: REGION }),
};
const memberLogs = mockClient(clients.logs);
const memberEvents = mockClient(clients.events);
const centralLogs = mockClient(clients.centralLogs);
let deployDir: string;

beforeAll(() => {
  deployDir = tempDir();
  writeFileSync(join(deployDir, 'prod.yml'), CONFIG);
  writeFileSync(join(deployDir, 'single.yml'), 'slack: { channel: "#sec" }\n');
});
afterAll(() => rmSync(deployDir, { recursive: true, force: true }));

function filter(logGroupName: string, over: Partial<SubscriptionFilter> = {}): SubscriptionFilter {
  const source = logGroupName.startsWith('aws-waf-logs-') ? 'waf' : 'ssh';
  return { filterName: `klaxon-prod-${source}@${REGION}`, logGroupName, filterPattern: SUBSCRIPTION_PATTERNS[source], destinationArn: DESTINATION, ...over };
}

/** The member wired as the member template wires it, and the central destination deployed in its region. */
function wired(): void {
  for (const m of [memberLogs, memberEvents, centralLogs]) m.reset();
  memberLogs.on(DescribeSubscriptionFiltersCommand).callsFake((input: { logGroupName: string }) => ({ subscriptionFilters: [filter(input.logGroupName)] }));
  memberEvents.on(DescribeRuleCommand).resolves({ Name: names.memberForwardRule, State: 'ENABLED', EventPattern: JSON.stringify(securityGroupEventPattern()) });
  memberEvents.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'central-bus', Arn: BUS, RoleArn: `arn:aws:iam::${MEMBER}:role/klaxon-prod-member-ForwardRole-ABC` }] });
  centralLogs.on(DescribeDestinationsCommand).resolves({
    destinations: [{ destinationName: names.memberDestination, targetArn: `arn:aws:kinesis:eu-west-1:${CENTRAL}:stream/klaxon-prod-members`, accessPolicy: '{"Statement":[{"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}' }],
  });
}

async function runMember(args: string[] = []): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  const code = await doctor(['--stage', 'prod', '--member-account', MEMBER, '--member-region', REGION, ...args], { stdin: Readable.from([]), stdout, stderr, env: { KLAXON_DEPLOY_DIR: deployDir } }, undefined, clients);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: '' };
}

describe('klaxon doctor --member-account', () => {
  beforeEach(wired);

  it("a member wired as the member template wires it: each log group's filter, the forwarding rule and its target, the region's central destination", async () => {
    const r = await runMember();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`member account ${MEMBER} in ${REGION} of stage prod (central account ${CENTRAL}, eu-west-1)`);
    expect(r.stdout).toContain(`/org/auth.log (ssh) in ${MEMBER} → ${DESTINATION} (filter klaxon-prod-ssh@${REGION})`);
    expect(r.stdout).toContain(`aws-waf-logs-org (waf) in ${MEMBER} → ${DESTINATION}`);
    expect(r.stdout).toContain(`rule ${names.memberForwardRule} in ${MEMBER} ${REGION}: ENABLED, pattern as deployed`);
    expect(r.stdout).toContain(`rule ${names.memberForwardRule} → ${BUS}`);
    expect(r.stdout).toContain(`${names.memberDestination} in ${REGION} → arn:aws:kinesis:eu-west-1:${CENTRAL}:stream/klaxon-prod-members`);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('doctor: 7 checks ok, 0 failed, 0 warnings');
    expect(memberLogs.commandCalls(DescribeSubscriptionFiltersCommand).map((c) => c.args[0].input.logGroupName).sort()).toEqual(['/org/auth.log', 'aws-waf-logs-org']);
  });

  it('a log group sending elsewhere, a missing one, a rule without the central target and a missing destination each fail with their fix', async () => {
    memberLogs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/org/auth.log' }).resolves({ subscriptionFilters: [filter('/org/auth.log', { filterName: 'other', destinationArn: 'arn:aws:lambda:us-east-1:222222222222:function:someone-else' })] });
    memberLogs.on(DescribeSubscriptionFiltersCommand, { logGroupName: 'aws-waf-logs-org' }).rejects(Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException', $metadata: {} }));
    memberEvents.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'x', Arn: 'arn:aws:events:us-east-1:222222222222:event-bus/default' }] });
    centralLogs.on(DescribeDestinationsCommand).resolves({ destinations: [] });

    const r = await runMember();

    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`/org/auth.log (ssh) in ${MEMBER}: no subscription filter sends it to the central destination`);
    expect(r.stdout).toContain('present: other → arn:aws:lambda:us-east-1:222222222222:function:someone-else');
    expect(r.stdout).toContain('fix: npx klaxon member-template --stage prod');
    expect(r.stdout).toContain(`aws-waf-logs-org (waf) in ${MEMBER}: the log group does not exist in ${REGION}`);
    expect(r.stdout).toContain(`aws logs create-log-group --log-group-name aws-waf-logs-org --region ${REGION}`);
    expect(r.stdout).toContain(`the central bus ${names.memberEventBus} (${CENTRAL}, eu-west-1) is not a target`);
    expect(r.stdout).toContain(`${names.memberDestination}: missing in ${REGION}`);
    expect(r.stdout).toContain(`deploy .klaxon/prod/klaxon-prod-destination.json in the central account in ${REGION}`);
  });

  it('a filter to the destination under another name is a warning: the central account cannot tell its region', async () => {
    memberLogs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/org/auth.log' }).resolves({ subscriptionFilters: [filter('/org/auth.log', { filterName: 'hand-made' })] });
    const r = await runMember();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('it is named hand-made, not klaxon-prod-ssh@us-east-1');
  });

  it('AccessDenied in the member names the action to grant; the other checks still run', async () => {
    memberEvents.on(DescribeRuleCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: {} }));
    const r = await runMember();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('allow events:DescribeRule to the AWS identity doctor runs as');
    expect(r.stdout).toContain(`${names.memberDestination} in ${REGION} →`);
  });
});

describe('klaxon doctor --member-account: usage', () => {
  it('a stage without organization: is no central account', async () => {
    const r = await runCli(['doctor', '--stage', 'single', '--member-account', MEMBER], { env: { KLAXON_DEPLOY_DIR: deployDir } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('has no organization: section: stage single is not a central account');
  });

  it('an account id that is not one, and member options without --member-account, are usage errors', async () => {
    expect((await runCli(['doctor', '--stage', 'prod', '--member-account', '12345'], { env: { KLAXON_DEPLOY_DIR: deployDir } })).code).toBe(2);
    const r = await runCli(['doctor', '--stage', 'prod', '--member-profile', 'x'], { env: { KLAXON_DEPLOY_DIR: deployDir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--member-region and --member-profile go with --member-account');
  });

  it('the role to assume comes from organization.memberRoleName; without it nor a profile, nothing is checked', async () => {
    writeFileSync(join(deployDir, 'norole.yml'), CONFIG.replace('  memberRoleName: AWSControlTowerExecution\n', ''));
    const r = await runCli(['doctor', '--stage', 'norole', '--member-account', MEMBER], { env: { KLAXON_DEPLOY_DIR: deployDir } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`no way into ${MEMBER}: nothing was checked`);
    expect(r.stdout).toContain('pass --member-profile PROFILE');
  });
});

test('a profile wins over the role; the role is assumed in the member account by name', () => {
  const organization = parseStageConfig('deploy/prod.yml', CONFIG).organization;
  if (organization === undefined) throw new Error('no organization');
  expect(memberCredentials(MEMBER, REGION, organization, 'member-admin')?.reachedAs).toBe('profile member-admin');
  expect(memberCredentials(MEMBER, REGION, organization)?.reachedAs).toBe(`role arn:aws:iam::${MEMBER}:role/AWSControlTowerExecution`);
  expect(memberCredentials(MEMBER, REGION, { ...organization, memberRoleName: undefined })).toBeUndefined();
});
