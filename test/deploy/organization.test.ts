/**
 * Many accounts as CloudFormation: the central stack as the real `serverless package` builds
 * it (offline) from a stage config with `organization:`, and the member and destination
 * templates as `klaxon member-template` writes them from the same file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStageConfig } from '../../src/deploy/config';
import { stageNames } from '../../src/deploy/names';
import { organizationResources } from '../../src/deploy/organization';
import { securityGroupEventPattern, SUBSCRIPTION_PATTERNS } from '../../src/deploy/patterns';
import { runCli } from '../cli/helpers';
import { serverlessPackage } from '../helpers/lambda-package';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };
type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

const CENTRAL = '111111111111';
const ORG = 'o-a1b2c3d4e5';
const BOUNDARY = 'arn:aws:iam::111111111111:policy/OrgBoundary';
const CENTRAL_CONFIG = `
slack: { channel: "#sec-alerts" }
logGroups: { ssh: [/central/auth.log] }
permissionsBoundary: ${BOUNDARY}
organization:
  centralAccount: "${CENTRAL}"
  homeRegion: eu-west-1
  id: ${ORG}
  memberRegions: [eu-west-1, us-east-1]
  logGroups:
    ssh: [/org/bastion/auth.log, /org/web/secure]
    waf: [aws-waf-logs-org-edge]
    cloudtrail: aws-cloudtrail-logs-org
  kinesis: { shards: 4, retentionHours: 48, batchSize: 200, batchWindowSeconds: 3, parallelizationFactor: 2, maximumRetryAttempts: 6 }
accounts:
  "222222222222": { name: shop-prod, channel: "#shop-alerts", regions: { us-east-1: { channel: "#shop-us" } } }
  "333333333333": { name: data-lake }
`;

let dir: string;
let central: Template;
let state: { service: { custom: { esbuild: { define: Record<string, string> } } } };
let member: Template;
let destination: Template;

function props(template: Template, id: string): Record<string, unknown> {
  const resource = template.Resources[id];
  if (resource === undefined) throw new Error(`no resource ${id}; have ${Object.keys(template.Resources).join(', ')}`);
  return resource.Properties;
}

function ofType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function statements(role: Record<string, unknown>): Statement[] {
  return (role.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement);
}

function trust(role: Record<string, unknown>): Statement {
  return (role.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement[0] as Statement;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klaxon-org-'));
  writeFileSync(join(dir, 'central.yml'), CENTRAL_CONFIG);
  const out = join(dir, 'out');
  await serverlessPackage({ stage: 'central', out, deployDir: dir, region: 'eu-west-1' });
  central = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  state = JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8')) as typeof state;
  const written = await runCli(['member-template', '--stage', 'central', '--out', join(dir, 'member')], { env: { KLAXON_DEPLOY_DIR: dir } });
  expect(written).toMatchObject({ code: 0, stderr: '' });
  member = JSON.parse(readFileSync(join(dir, 'member', 'klaxon-central-member.json'), 'utf8')) as Template;
  destination = JSON.parse(readFileSync(join(dir, 'member', 'klaxon-central-destination.json'), 'utf8')) as Template;
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the central stack', () => {
  test('a Kinesis stream sized from the stage config, encrypted', () => {
    expect(props(central, 'MemberStream')).toEqual({
      Name: 'klaxon-central-members',
      ShardCount: 4,
      RetentionPeriodHours: 48,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  test('the kinesis function consumes it: batch size and window, partial batch responses, bisection, retries, parallelization, failures to the dead-letter queue', () => {
    const [[, mapping]] = ofType(central, 'AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': ['MemberStream', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['KinesisLambdaFunction', 'Arn'] },
      Enabled: true,
      StartingPosition: 'LATEST',
      BatchSize: 200,
      MaximumBatchingWindowInSeconds: 3,
      ParallelizationFactor: 2,
      MaximumRetryAttempts: 6,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
    });
    const fn = props(central, 'KinesisLambdaFunction');
    expect(fn).toMatchObject({ Handler: 'handlers/kinesis.handler', Role: { 'Fn::GetAtt': ['KinesisRole', 'Arn'] } });
    // The member accounts' log groups are routed to their parsers by name.
    expect((fn.Environment as { Variables: Record<string, string> }).Variables.KLAXON_LOG_GROUP_SOURCES).toBe(
      '/org/bastion/auth.log=ssh,/org/web/secure=ssh,aws-waf-logs-org-edge=waf,aws-cloudtrail-logs-org=cloudtrail',
    );
  });

  test("the kinesis function's role reads that stream only, and writes to the dead-letter queue", () => {
    const role = props(central, 'KinesisRole');
    const stream = statements(role).find((s) => s.Sid === 'MemberStream');
    expect(stream).toEqual({
      Sid: 'MemberStream',
      Effect: 'Allow',
      Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      Resource: [{ 'Fn::GetAtt': ['MemberStream', 'Arn'] }],
    });
    expect(statements(role).find((s) => s.Sid === 'DeadLetters')?.Resource).toEqual([{ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }]);
    for (const s of statements(role)) expect(JSON.stringify(s.Resource)).not.toBe('["*"]');
    expect(role.PermissionsBoundary).toBe(BOUNDARY);
    // No other function may read the stream.
    for (const [id, r] of ofType(central, 'AWS::IAM::Role').filter(([id]) => id !== 'KinesisRole')) expect({ id, text: JSON.stringify(r) }).toEqual({ id, text: expect.not.stringContaining('kinesis:GetRecords') });
  });

  test("the home region's destination puts into the stream; its policy admits the organisation's accounts only", () => {
    const dest = props(central, 'MemberDestination');
    expect(dest).toMatchObject({ DestinationName: 'klaxon-central-members', RoleArn: { 'Fn::GetAtt': ['MemberDestinationRole', 'Arn'] }, TargetArn: { 'Fn::GetAtt': ['MemberStream', 'Arn'] } });
    const policy = JSON.parse((dest.DestinationPolicy as { 'Fn::Sub': string })['Fn::Sub']) as { Statement: Statement[] };
    expect(policy.Statement).toEqual([
      {
        Sid: 'MemberSubscriptions',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'logs:PutSubscriptionFilter',
        Resource: `arn:\${AWS::Partition}:logs:\${AWS::Region}:${CENTRAL}:destination:klaxon-central-members`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]);
  });

  test('CloudWatch Logs may assume the destination role from the member regions only, to put records into that stream only', () => {
    const role = props(central, 'MemberDestinationRole');
    expect(role.RoleName).toBe('klaxon-central-members-to-stream');
    expect(trust(role)).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'logs.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringLike: { 'aws:SourceArn': [{ 'Fn::Sub': 'arn:${AWS::Partition}:logs:eu-west-1:*:*' }, { 'Fn::Sub': 'arn:${AWS::Partition}:logs:us-east-1:*:*' }] } },
    });
    expect(statements(role)).toEqual([{ Sid: 'PutIntoStream', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: [{ 'Fn::GetAtt': ['MemberStream', 'Arn'] }] }]);
    expect(role.PermissionsBoundary).toBe(BOUNDARY);
  });

  test("the members' bus admits PutEvents from the organisation only, and its rule sends security-group calls to the cloudtrail function", () => {
    expect(props(central, 'MemberEventBus')).toEqual({ Name: 'klaxon-central-members' });
    expect(props(central, 'MemberEventBusPolicy')).toEqual({
      EventBusName: { Ref: 'MemberEventBus' },
      StatementId: 'MemberSecurityGroupCalls',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': ['MemberEventBus', 'Arn'] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    });
    const rules = ofType(central, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern !== undefined);
    const onBus = rules.find(([, r]) => r.Properties.EventBusName !== undefined);
    expect(onBus?.[1].Properties).toMatchObject({
      Name: 'klaxon-central-members-security-group-changes',
      EventBusName: { 'Fn::GetAtt': ['MemberEventBus', 'Name'] },
      EventPattern: securityGroupEventPattern(),
      Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': ['CloudtrailLambdaFunction', 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } })],
    });
    // Both rules may invoke the function and fill the dead-letter queue, each named by reference.
    const ruleIds = rules.map(([id]) => id).sort();
    expect(ruleIds).toHaveLength(2);
    expect([1, 2].map((n) => props(central, `CloudtrailEventBridgeLambdaPermission${n}`).SourceArn)).toEqual(expect.arrayContaining(ruleIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
    const queue = props(central, 'DeadLetterQueuePolicy').PolicyDocument as { Statement: Statement[] };
    expect((queue.Statement[0]?.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } }).ArnEquals['aws:SourceArn']).toEqual(ruleIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
  });

  test("the account directory is built into the bundles (Lambda's environment holds 4 KB)", () => {
    expect(JSON.parse(state.service.custom.esbuild.define.KLAXON_ACCOUNT_DIRECTORY as string)).toEqual({
      '222222222222': { name: 'shop-prod', channel: '#shop-alerts', regions: { 'us-east-1': { channel: '#shop-us' } } },
      '333333333333': { name: 'data-lake', regions: {} },
    });
  });

  test('a central stack is refused in another region than its home region', async () => {
    await expect(serverlessPackage({ stage: 'central', out: join(dir, 'out-wrong'), deployDir: dir, region: 'us-east-1' })).rejects.toThrow(
      /organization\.homeRegion is eu-west-1, but this is us-east-1/,
    );
  }, 120_000);
});

describe('listed accounts instead of an organisation', () => {
  const config = parseStageConfig('deploy/c.yml', `slack: { channel: "#s" }\norganization: { centralAccount: "${CENTRAL}", homeRegion: eu-west-1 }\naccounts: { "222222222222": {}, "333333333333": {} }\n`);
  const resources = organizationResources(config, stageNames('c', config));

  test('the destination and the bus admit those accounts by id, without a condition', () => {
    const policy = JSON.parse((resources.MemberDestination?.Properties.DestinationPolicy as { 'Fn::Sub': string })['Fn::Sub']) as { Statement: Statement[] };
    expect(policy.Statement[0]).toMatchObject({ Principal: { AWS: ['222222222222', '333333333333'] } });
    expect(policy.Statement[0]).not.toHaveProperty('Condition');
    expect(resources.MemberEventBusPolicy?.Properties.Statement).toMatchObject({ Principal: { AWS: ['222222222222', '333333333333'] } });
  });

  test('CloudWatch Logs may assume the role on behalf of those accounts (and the central one, which tests a new destination)', () => {
    const condition = trust(resources.MemberDestinationRole?.Properties as Record<string, unknown>).Condition as { StringLike: { 'aws:SourceArn': Array<{ 'Fn::Sub': string }> } };
    expect(condition.StringLike['aws:SourceArn'].map((a) => a['Fn::Sub'])).toEqual([
      `arn:\${AWS::Partition}:logs:eu-west-1:${CENTRAL}:*`,
      'arn:${AWS::Partition}:logs:eu-west-1:222222222222:*',
      'arn:${AWS::Partition}:logs:eu-west-1:333333333333:*',
    ]);
  });
});

describe('the member template', () => {
  const destinationArn = { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:${CENTRAL}:destination:klaxon-central-members` };

  test("a subscription filter on each member log group, to its region's central destination, named NAME@REGION", () => {
    const filters = ofType(member, 'AWS::Logs::SubscriptionFilter').map(([, r]) => r.Properties);
    expect(filters).toEqual([
      { FilterName: { 'Fn::Sub': 'klaxon-central-ssh@${AWS::Region}' }, LogGroupName: '/org/bastion/auth.log', FilterPattern: SUBSCRIPTION_PATTERNS.ssh, DestinationArn: destinationArn },
      { FilterName: { 'Fn::Sub': 'klaxon-central-ssh@${AWS::Region}' }, LogGroupName: '/org/web/secure', FilterPattern: SUBSCRIPTION_PATTERNS.ssh, DestinationArn: destinationArn },
      { FilterName: { 'Fn::Sub': 'klaxon-central-waf@${AWS::Region}' }, LogGroupName: 'aws-waf-logs-org-edge', FilterPattern: SUBSCRIPTION_PATTERNS.waf, DestinationArn: destinationArn },
      { FilterName: { 'Fn::Sub': 'klaxon-central-cloudtrail@${AWS::Region}' }, LogGroupName: 'aws-cloudtrail-logs-org', FilterPattern: SUBSCRIPTION_PATTERNS.cloudtrail, DestinationArn: destinationArn },
    ]);
  });

  test("an EventBridge rule forwards the security-group calls to the central members' bus, with a role that may put there only", () => {
    const busArn = { 'Fn::Sub': `arn:\${AWS::Partition}:events:eu-west-1:${CENTRAL}:event-bus/klaxon-central-members` };
    expect(props(member, 'ForwardRule')).toMatchObject({
      Name: 'klaxon-central-forward-security-group-changes',
      EventPattern: securityGroupEventPattern(),
      State: 'ENABLED',
      Targets: [{ Id: 'central-bus', Arn: busArn, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] }, RetryPolicy: expect.any(Object) }],
    });
    const role = props(member, 'ForwardRole');
    expect(trust(role)).toEqual({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(statements(role)).toEqual([{ Sid: 'PutIntoCentralBus', Effect: 'Allow', Action: ['events:PutEvents'], Resource: [busArn] }]);
    expect(role.PermissionsBoundary).toBe(BOUNDARY);
    // Named by CloudFormation: a StackSet puts the template in several regions of one account.
    expect(role).not.toHaveProperty('RoleName');
  });

  test("the destination template: the central account's destination in another region, into the home region's stream", () => {
    expect(Object.keys(destination.Resources)).toEqual(['MemberDestination']);
    expect(props(destination, 'MemberDestination')).toMatchObject({
      DestinationName: 'klaxon-central-members',
      RoleArn: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${CENTRAL}:role/klaxon-central-members-to-stream` },
      TargetArn: { 'Fn::Sub': `arn:\${AWS::Partition}:kinesis:eu-west-1:${CENTRAL}:stream/klaxon-central-members` },
      DestinationPolicy: props(central, 'MemberDestination').DestinationPolicy,
    });
  });

  test('member-template refuses a stage without organization:, and names the file', async () => {
    writeFileSync(join(dir, 'single.yml'), 'slack: { channel: "#s" }\n');
    const result = await runCli(['member-template', '--stage', 'single', '--out', join(dir, 'none')], { env: { KLAXON_DEPLOY_DIR: dir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/single\.yml has no organization: section/);
  });
});
