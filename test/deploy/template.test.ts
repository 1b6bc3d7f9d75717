/**
 * The deployment as CloudFormation: runs the real `serverless package` (osls +
 * serverless-esbuild, offline, no AWS credentials) and checks the generated template.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { securityGroupEventPattern, METRIC_FILTERS, SUBSCRIPTION_PATTERNS } from '../../src/deploy/patterns';
import { SECURITY_GROUP_EVENTS } from '../../src/sources/security-group';
import { EVENT_BRIDGE_RETRY_POLICY, HTTP_API_ACCESS_LOG_GROUP, SLACK_API_THROTTLE } from '../../src/deploy/stack';
import { serverlessPackage } from '../helpers/lambda-package';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

const FULL_CONFIG = `
slack:
  channel: "#sec-alerts"
  allowedUsers: [U012ABCDEF]
logGroups:
  ssh: [/prod/bastion/auth.log, { name: /prod/web/secure, timezone: Europe/Berlin }]
  waf: [aws-waf-logs-edge]
  cloudtrail: aws-cloudtrail-logs-123456789012
alarms:
  email: ops@example.com
  failedSshLogins: { threshold: 30, period: 10m }
  topicKmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-3333-4444-555555555555
logRetentionDays: 14
kmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555
reservedConcurrency: { logs: 20, cloudtrail: false }
tags: { team: security, cost-center: "1234" }
permissionsBoundary: arn:aws:iam::123456789012:policy/OrgBoundary
cfnRole: arn:aws:iam::123456789012:role/klaxon-cloudformation
deploymentBucket: org-deployments-eu-west-1
logKmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/33333333-2222-3333-4444-555555555555
cloudtrail: { createTrail: true }
`;
const LOG_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/33333333-2222-3333-4444-555555555555';

/** The provider settings osls resolved (stack tags, deployment bucket, IAM), which live outside the template. */
type Provider = { stackTags: Record<string, string>; deploymentBucket?: string; deploymentBucketObject?: Record<string, unknown>; iam: Record<string, unknown> };

async function packageStage(stage: string, deployDir: string, out: string): Promise<{ template: Template; stderr: string; provider: Provider; created?: Template }> {
  const { stderr } = await serverlessPackage({ stage, out, deployDir, region: 'eu-west-1' });
  const json = (file: string): unknown => JSON.parse(readFileSync(join(out, file), 'utf8'));
  return {
    template: json('cloudformation-template-update-stack.json') as Template,
    // osls writes the template that creates the stack (and its deployment bucket) only when it would create the bucket.
    created: existsSync(join(out, 'cloudformation-template-create-stack.json')) ? (json('cloudformation-template-create-stack.json') as Template) : undefined,
    provider: (json('serverless-state.json') as { service: { provider: Provider } }).service.provider,
    stderr,
  };
}

function ofType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function props(template: Template, id: string): Record<string, unknown> {
  const resource = template.Resources[id];
  if (resource === undefined) throw new Error(`no resource ${id}; have ${Object.keys(template.Resources).join(', ')}`);
  return resource.Properties;
}

let dir: string;
let full: Template;
let fullPackage: Awaited<ReturnType<typeof packageStage>>;
let example: Awaited<ReturnType<typeof packageStage>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klaxon-template-'));
  writeFileSync(join(dir, 'prod.yml'), FULL_CONFIG);
  fullPackage = await packageStage('prod', dir, join(dir, 'out-prod'));
  full = fullPackage.template;
  // No deploy/ex.yml: `serverless package` on a fresh clone falls back to the shipped example.
  example = await packageStage('ex', dir, join(dir, 'out-ex'));
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('functions', () => {
  const functions = () => Object.fromEntries(ofType(full, 'AWS::Lambda::Function').map(([id, r]) => [id, r.Properties]));

  test('five functions on nodejs24.x, each with its own role', () => {
    const fns = functions();
    expect(Object.keys(fns).sort()).toEqual(['AlarmLambdaFunction', 'CloudtrailLambdaFunction', 'DrainLambdaFunction', 'LogsLambdaFunction', 'SlackLambdaFunction']);
    for (const [id, p] of Object.entries(fns)) {
      expect(p.Runtime).toBe('nodejs24.x');
      expect(p.Role).toEqual({ 'Fn::GetAtt': [`${id.replace('LambdaFunction', '')}Role`, 'Arn'] });
    }
    expect(full.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  test('esbuild targets the Node major of the Lambda runtime', () => {
    const yml = readFileSync(join(__dirname, '..', '..', 'serverless.yml'), 'utf8');
    expect(/^ {4}target: node(\d+)$/m.exec(yml)?.[1]).toBe(/^ {2}runtime: nodejs(\d+)\.x$/m.exec(yml)?.[1]);
    expect(props(full, 'LogsLambdaFunction').Runtime).toBe(`nodejs${/^ {4}target: node(\d+)$/m.exec(yml)?.[1]}.x`);
  });

  test('the environment names the SSM parameters and never holds a secret', () => {
    for (const p of Object.values(functions())) {
      const vars = (p.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(vars.KLAXON_BOT_TOKEN_PARAMETER).toBe('/klaxon/prod/slack-bot-token');
      expect(vars.KLAXON_SIGNING_SECRET_PARAMETER).toBe('/klaxon/prod/slack-signing-secret');
      expect(vars).not.toHaveProperty('SLACK_BOT_TOKEN');
      expect(vars).not.toHaveProperty('SLACK_SIGNING_SECRET');
      expect(vars.KLAXON_TABLE).toBe('klaxon-prod-state');
      expect(vars.SLACK_CHANNEL).toBe('#sec-alerts');
      expect(vars.KLAXON_ALLOWED_USERS).toBe('U012ABCDEF');
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe('Klaxon/prod');
      expect(vars.KLAXON_LOG_GROUP_SOURCES).toBe('/prod/bastion/auth.log=ssh,/prod/web/secure=ssh,aws-waf-logs-edge=waf,aws-cloudtrail-logs-123456789012=cloudtrail');
      expect(vars.KLAXON_LOG_GROUP_TIMEZONES).toBe('/prod/web/secure=Europe/Berlin');
    }
    expect(JSON.stringify(full)).not.toMatch(/xox[abp]-/);
  });

  test('every function log group has the configured retention', () => {
    const groups = ofType(full, 'AWS::Logs::LogGroup').map(([, r]) => r.Properties);
    expect(groups.map((g) => g.LogGroupName).sort()).toEqual([
      '/aws/http-api/klaxon-prod',
      '/aws/lambda/klaxon-prod-alarm',
      '/aws/lambda/klaxon-prod-cloudtrail',
      '/aws/lambda/klaxon-prod-drain',
      '/aws/lambda/klaxon-prod-logs',
      '/aws/lambda/klaxon-prod-slack',
    ]);
    for (const g of groups) expect(g.RetentionInDays).toBe(14);
  });

  test('the slack function sits behind POST /slack/events on an HTTP API', () => {
    const routes = ofType(full, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes).toEqual(['POST /slack/events']);
    expect(props(full, 'SlackLambdaFunction').Timeout).toBeLessThanOrEqual(29);
    // Throttled at the API: a flood at the public URL stops there instead of scaling the function.
    const stages = ofType(full, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    expect(stages[0]?.[1].Properties).toMatchObject({
      ApiId: { Ref: 'HttpApi' },
      DefaultRouteSettings: { ThrottlingRateLimit: SLACK_API_THROTTLE.rateLimit, ThrottlingBurstLimit: SLACK_API_THROTTLE.burstLimit },
    });
  });
});

describe('subscription filters', () => {
  const filters = () => ofType(full, 'AWS::Logs::SubscriptionFilter').map(([, r]) => r.Properties);

  test('the logs function may be invoked by the configured log groups only, each by its own ARN; each filter waits for its permission (issue 10)', () => {
    const logsPermissions = ofType(full, 'AWS::Lambda::Permission').filter(([, r]) => JSON.stringify(r.Properties.Principal).includes('logs.'));
    const arns = logsPermissions.map(([, r]) => JSON.stringify(r.Properties.SourceArn));
    expect(arns.map((a) => /log-group:(.*):\*/.exec(a)?.[1]).sort()).toEqual(['/prod/bastion/auth.log', '/prod/web/secure', 'aws-cloudtrail-logs-123456789012', 'aws-waf-logs-edge']);
    for (const arn of arns) expect(arn).not.toContain('log-group:*');
    for (const [id, filter] of ofType(full, 'AWS::Logs::SubscriptionFilter') as Array<[string, Resource & { DependsOn?: string[] }]>) {
      const permission = logsPermissions.find(([, p]) => JSON.stringify(p.Properties.SourceArn).includes(`log-group:${String(filter.Properties.LogGroupName)}:*`));
      expect({ id, dependsOn: filter.DependsOn ?? [] }).toEqual({ id, dependsOn: expect.arrayContaining([permission?.[0]]) });
    }
  });

  test('one per configured log group, filtering at the source, all to the logs function', () => {
    const byGroup = Object.fromEntries(filters().map((f) => [f.LogGroupName as string, f]));
    expect(Object.keys(byGroup).sort()).toEqual(['/prod/bastion/auth.log', '/prod/web/secure', 'aws-cloudtrail-logs-123456789012', 'aws-waf-logs-edge']);
    expect(byGroup['/prod/bastion/auth.log']?.FilterPattern).toBe('?sshd ?sudo');
    expect(byGroup['aws-waf-logs-edge']?.FilterPattern).toBe('{ $.action != "ALLOW" }');
    expect(byGroup['aws-cloudtrail-logs-123456789012']?.FilterPattern).toBe(SUBSCRIPTION_PATTERNS.cloudtrail);
    for (const f of filters()) expect(f.DestinationArn).toEqual({ 'Fn::GetAtt': ['LogsLambdaFunction', 'Arn'] });
  });

  test('the CloudTrail subscription pattern names every security-group call', () => {
    for (const name of SECURITY_GROUP_EVENTS) expect(SUBSCRIPTION_PATTERNS.cloudtrail).toContain(`($.eventName = "${name}")`);
    expect(SUBSCRIPTION_PATTERNS.cloudtrail.length).toBeLessThanOrEqual(1024);
  });

  test("Klaxon adds one filter per log group, leaving room under AWS's two-per-group limit", () => {
    const counts = new Map<string, number>();
    for (const f of filters()) counts.set(f.LogGroupName as string, (counts.get(f.LogGroupName as string) ?? 0) + 1);
    for (const n of counts.values()) expect(n).toBe(1);
  });
});

describe('metric filters and alarms', () => {
  test('metric filters on the right log groups with the right patterns', () => {
    const filters = ofType(full, 'AWS::Logs::MetricFilter').map(([, r]) => r.Properties);
    const summary = filters.map((f) => `${f.FilterName} ${f.LogGroupName}`).sort();
    expect(summary).toEqual([
      'klaxon-prod-failed-ssh-logins /prod/bastion/auth.log',
      'klaxon-prod-failed-ssh-logins /prod/web/secure',
      'klaxon-prod-security-group-changes aws-cloudtrail-logs-123456789012',
      'klaxon-prod-successful-ssh-logins /prod/bastion/auth.log',
      'klaxon-prod-successful-ssh-logins /prod/web/secure',
      'klaxon-prod-waf-blocked-requests aws-waf-logs-edge',
    ]);
    const cis = filters.find((f) => f.FilterName === 'klaxon-prod-security-group-changes');
    expect(cis?.FilterPattern).toBe(METRIC_FILTERS.securityGroupChanges.pattern);
    for (const name of ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup']) {
      expect(cis?.FilterPattern).toContain(`($.eventName = ${name})`);
    }
    for (const f of filters) expect((f.MetricTransformations as Array<{ MetricNamespace: string }>)[0]?.MetricNamespace).toBe('Klaxon/prod');
  });

  test('alarms notify the alarm topic, which the alarm function reads', () => {
    const alarms = Object.fromEntries(ofType(full, 'AWS::CloudWatch::Alarm').map(([, r]) => [r.Properties.AlarmName as string, r.Properties]));
    expect(Object.keys(alarms).sort()).toEqual([
      'klaxon-prod-dead-letters',
      'klaxon-prod-failed-ssh-logins',
      'klaxon-prod-outbox',
      'klaxon-prod-security-group-changes',
      'klaxon-prod-successful-ssh-logins',
      'klaxon-prod-waf-blocked-requests',
    ]);
    // The outbox alarm watches the age of the oldest alert waiting for Slack, published by the drain function.
    expect(alarms['klaxon-prod-outbox']).toMatchObject({ MetricName: 'OutboxOldestAgeSeconds', Namespace: 'Klaxon/prod', Threshold: 600, Statistic: 'Maximum' });
    expect(alarms['klaxon-prod-failed-ssh-logins']).toMatchObject({ Threshold: 30, Period: 600, Statistic: 'Sum', MetricName: 'SshFailedLogins', Namespace: 'Klaxon/prod' });
    expect(alarms['klaxon-prod-waf-blocked-requests']).toMatchObject({ Threshold: 100, Period: 300 });
    for (const a of Object.values(alarms)) {
      expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
      // Back to OK is told too, so Slack hears that the alarm resolved.
      expect(a.OKActions).toEqual([{ Ref: 'AlarmTopic' }]);
    }
    const subscriptions = ofType(full, 'AWS::SNS::Subscription').map(([, r]) => r.Properties);
    expect(subscriptions).toContainEqual(expect.objectContaining({ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': ['AlarmLambdaFunction', 'Arn'] } }));
    expect(subscriptions).toContainEqual({ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

test('an EventBridge schedule runs the drain function every minute', () => {
  const rules = ofType(full, 'AWS::Events::Rule').map(([, r]) => r.Properties);
  const schedule = rules.find((r) => r.ScheduleExpression !== undefined);
  expect(schedule).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
  expect(JSON.stringify(schedule?.Targets)).toContain('DrainLambdaFunction');
});

test('an EventBridge rule sends every security-group call to the cloudtrail function', () => {
  const rules = ofType(full, 'AWS::Events::Rule')
    .map(([, r]) => r.Properties)
    .filter((r) => r.ScheduleExpression === undefined);
  expect(rules).toHaveLength(1);
  const rule = rules[0] as Record<string, unknown>;
  expect(rule.Name).toBe('klaxon-prod-security-group-changes');
  expect(rule.EventPattern).toEqual(securityGroupEventPattern());
  expect((rule.EventPattern as { detail: { eventName: string[] } }).detail.eventName.sort()).toEqual([...SECURITY_GROUP_EVENTS].sort());
  expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': ['CloudtrailLambdaFunction', 'Arn'] } })]);
});

test('the state table has TTL on expiresAt, point-in-time recovery and the three indexes (open alerts, audit, outbox)', () => {
  const table = props(full, 'StateTable');
  expect(table.TableName).toBe('klaxon-prod-state');
  expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  expect(table.BillingMode).toBe('PAY_PER_REQUEST');
  expect((table.GlobalSecondaryIndexes as Array<{ IndexName: string }>).map((i) => i.IndexName).sort()).toEqual(['active', 'audit', 'pending']);
});

test('asynchronous failures go to the dead-letter queue after two retries; the depth alarm watches it', () => {
  expect(props(full, 'DeadLetterQueue')).toMatchObject({ QueueName: 'klaxon-prod-dead-letters', MessageRetentionPeriod: 14 * 24 * 3600 });
  const configs = ofType(full, 'AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
  expect(configs.map((c) => (c.FunctionName as { Ref: string }).Ref).sort()).toEqual(['AlarmLambdaFunction', 'CloudtrailLambdaFunction', 'LogsLambdaFunction']);
  for (const c of configs) {
    expect(c.MaximumRetryAttempts).toBe(2);
    expect(c.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } });
  }
  const depth = ofType(full, 'AWS::CloudWatch::Alarm').find(([, r]) => r.Properties.AlarmName === 'klaxon-prod-dead-letters')?.[1].Properties;
  expect(depth).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  expect(depth?.AlarmDescription).toContain('npx klaxon redrive --stage prod');
});

describe('IAM: least privilege', () => {
  type Statement = { Sid: string; Action: string[]; Resource: unknown[]; Condition?: unknown };
  const statements = (role: string): Statement[] =>
    (props(full, role).Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement);

  test('no statement has a wildcard action or resource', () => {
    for (const role of ['LogsRole', 'CloudtrailRole', 'AlarmRole', 'SlackRole']) {
      for (const s of statements(role)) {
        for (const action of s.Action) expect(action).not.toMatch(/\*/);
        for (const resource of s.Resource) {
          const text = JSON.stringify(resource);
          expect(text).not.toBe('"*"');
          // Only a log group's streams (`…:log-group:NAME:*`) and the table's indexes (`…/index/*`) end in a wildcard.
          if (text.includes('*')) expect(text).toMatch(/log-group:\/aws\/lambda\/klaxon-prod-[a-z]+:\*"|\/index\/\*"/);
        }
      }
    }
  });

  test('each function writes only its own logs', () => {
    for (const [role, fn] of [['LogsRole', 'logs'], ['SlackRole', 'slack']] as const) {
      const own = statements(role).find((s) => s.Sid === 'OwnLogs');
      expect(JSON.stringify(own?.Resource)).toContain(`log-group:/aws/lambda/klaxon-prod-${fn}:*`);
      expect(own?.Resource).toHaveLength(1);
    }
  });

  test('only the slack function may read the signing secret; all read the bot token', () => {
    const secrets = (role: string) => JSON.stringify(statements(role).find((s) => s.Sid === 'SlackSecrets')?.Resource);
    expect(secrets('SlackRole')).toContain('parameter/klaxon/prod/slack-signing-secret');
    for (const role of ['LogsRole', 'CloudtrailRole', 'AlarmRole', 'SlackRole']) expect(secrets(role)).toContain('parameter/klaxon/prod/slack-bot-token');
    for (const role of ['LogsRole', 'CloudtrailRole', 'AlarmRole']) expect(secrets(role)).not.toContain('signing-secret');
  });

  test('the customer-managed key decrypts through SSM only; the queue is written by the asynchronous functions only', () => {
    const kms = statements('LogsRole').find((s) => s.Sid === 'SlackSecretsKey');
    expect(kms?.Resource).toEqual(['arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555']);
    expect(JSON.stringify(kms?.Condition)).toContain('kms:ViaService');
    for (const role of ['LogsRole', 'CloudtrailRole', 'AlarmRole']) expect(statements(role).map((s) => s.Sid)).toContain('DeadLetters');
    expect(statements('SlackRole').map((s) => s.Sid)).not.toContain('DeadLetters');
  });

  test('only the slack function may delete from the state table (a lifted silence); the others read and write (issue 10)', () => {
    const actions = (role: string) => statements(role).find((s) => s.Sid === 'StateTable')?.Action ?? [];
    expect(actions('SlackRole')).toContain('dynamodb:DeleteItem');
    for (const role of ['LogsRole', 'CloudtrailRole', 'AlarmRole', 'DrainRole']) {
      expect(actions(role)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    }
  });
});

describe('the shipped example (a fresh clone without a stage config)', () => {
  test('packages, saying that the example stands in', () => {
    expect(example.stderr).toContain('no deploy/ex.yml, so the example config stands in');
    expect(props(example.template, 'StateTable').TableName).toBe('klaxon-ex-state');
  });

  test('without a CloudTrail log group, email or KMS key there is no CIS filter, email subscription or key grant', () => {
    const t = example.template;
    expect(ofType(t, 'AWS::Logs::MetricFilter').map(([, r]) => r.Properties.FilterName)).not.toContain('klaxon-ex-security-group-changes');
    expect(ofType(t, 'AWS::SNS::Subscription').map(([, r]) => r.Properties.Protocol)).toEqual(['lambda']);
    expect(JSON.stringify(t)).not.toContain('kms:Decrypt');
    expect(ofType(t, 'AWS::Logs::SubscriptionFilter')).toHaveLength(2);
  });
});

describe('hardening (issue 14, part 2)', () => {
  test('the state table, which holds the audit, survives stack removal and replacement and is protected from deletion', () => {
    const table = full.Resources.StateTable as Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string };
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });

  test('reserved concurrency comes from the stage config: 10 and 5 by default, false for none', () => {
    expect(props(example.template, 'LogsLambdaFunction').ReservedConcurrentExecutions).toBe(10);
    expect(props(example.template, 'CloudtrailLambdaFunction').ReservedConcurrentExecutions).toBe(5);
    expect(props(full, 'LogsLambdaFunction').ReservedConcurrentExecutions).toBe(20);
    expect(props(full, 'CloudtrailLambdaFunction')).not.toHaveProperty('ReservedConcurrentExecutions');
    for (const fn of ['AlarmLambdaFunction', 'SlackLambdaFunction']) expect(props(full, fn)).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  test('EventBridge retries the cloudtrail target, then puts the event in the dead-letter queue, which admits that rule only', () => {
    // The security-group rule, not the drain function's schedule.
    const [[ruleId, rule]] = (ofType(full, 'AWS::Events::Rule') as Array<[string, Resource]>).filter(([, r]) => r.Properties.EventPattern !== undefined) as [[string, Resource]];
    const [target] = rule.Properties.Targets as Array<Record<string, unknown>>;
    expect(target).toMatchObject({
      RetryPolicy: { MaximumEventAgeInSeconds: EVENT_BRIDGE_RETRY_POLICY.maximumEventAge, MaximumRetryAttempts: EVENT_BRIDGE_RETRY_POLICY.maximumRetryAttempts },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
    });
    const policy = props(full, 'DeadLetterQueuePolicy');
    expect(policy.Queues).toEqual([{ Ref: 'DeadLetterQueue' }]);
    expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': [{ 'Fn::GetAtt': [ruleId, 'Arn'] }] } } }),
    ]);
    // The invoke permission names the same rule, by reference.
    expect(props(full, 'CloudtrailEventBridgeLambdaPermission1').SourceArn).toEqual({ 'Fn::GetAtt': [ruleId, 'Arn'] });
  });

  test('the alarm topic is encrypted with the configured key, and only then', () => {
    expect(props(full, 'AlarmTopic').KmsMasterKeyId).toBe('arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-3333-4444-555555555555');
    expect(props(example.template, 'AlarmTopic')).not.toHaveProperty('KmsMasterKeyId');
  });

  test('stack tags, the CloudFormation role and the deployment bucket come from the stage config', () => {
    expect(fullPackage.provider.stackTags).toEqual({ team: 'security', 'cost-center': '1234' });
    expect(fullPackage.provider.iam).toMatchObject({ deploymentRole: 'arn:aws:iam::123456789012:role/klaxon-cloudformation' });
    expect(fullPackage.provider.deploymentBucket).toBe('org-deployments-eu-west-1');
    // A named bucket is the organisation's: neither template creates one.
    expect(full.Resources.ServerlessDeploymentBucket).toBeUndefined();
    expect(fullPackage.created).toBeUndefined();
  });

  test('without a named bucket, the stack creates one versioned, encrypted, with public access blocked', () => {
    expect(example.created).toBeDefined();
    for (const template of [example.template, example.created as Template]) {
      expect(props(template, 'ServerlessDeploymentBucket')).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      });
    }
  });

  test('every role is bounded by the permissions boundary', () => {
    const roles = ofType(full, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const [, role] of roles) expect(role.Properties.PermissionsBoundary).toBe('arn:aws:iam::123456789012:policy/OrgBoundary');
    for (const [, role] of ofType(example.template, 'AWS::IAM::Role')) expect(role.Properties).not.toHaveProperty('PermissionsBoundary');
  });

  test('the HTTP API writes an access log; every Klaxon log group has the retention and the KMS key configured', () => {
    expect(props(full, 'HttpApiStage').AccessLogSettings).toMatchObject({ DestinationArn: { 'Fn::GetAtt': [HTTP_API_ACCESS_LOG_GROUP, 'Arn'] } });
    const groups = ofType(full, 'AWS::Logs::LogGroup').map(([, r]) => r.Properties);
    expect(groups.map((g) => g.LogGroupName)).toContain('/aws/http-api/klaxon-prod');
    for (const g of groups) expect(g).toMatchObject({ RetentionInDays: 14, KmsKeyId: LOG_KEY });
    for (const [, g] of ofType(example.template, 'AWS::Logs::LogGroup')) {
      expect(g.Properties.RetentionInDays).toBe(365);
      expect(g.Properties).not.toHaveProperty('KmsKeyId');
    }
  });
});

describe('cloudtrail.createTrail', () => {
  test('a multi-region trail logging write management events into a retained, private, TLS-only bucket only it may write', () => {
    const trail = full.Resources.Trail as Resource;
    expect(trail.DependsOn).toEqual(['TrailBucketPolicy']);
    expect(trail.Properties).toMatchObject({
      TrailName: 'klaxon-prod-trail',
      S3BucketName: { Ref: 'TrailBucket' },
      IsLogging: true,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
    });
    const bucket = full.Resources.TrailBucket as Resource & { DeletionPolicy?: string };
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({ VersioningConfiguration: { Status: 'Enabled' }, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } });
    type Statement = { Sid: string; Effect: string; Principal: unknown; Condition: unknown };
    const statements = (props(full, 'TrailBucketPolicy').PolicyDocument as { Statement: Statement[] }).Statement;
    const trailArn = { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/klaxon-prod-trail' };
    for (const s of statements.filter((x) => x.Effect === 'Allow')) {
      expect(s.Principal).toEqual({ Service: 'cloudtrail.amazonaws.com' });
      expect(s.Condition).toEqual({ StringEquals: { 'aws:SourceArn': trailArn } });
    }
    expect(statements.find((x) => x.Effect === 'Deny')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  test('off by default', () => {
    expect(example.template.Resources.Trail).toBeUndefined();
    expect(example.template.Resources.TrailBucket).toBeUndefined();
  });
});
