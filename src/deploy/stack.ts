/**
 * The parts of `serverless.yml` that depend on the stage's config: the settings the
 * functions read, the logs function's subscription filters, and the CloudFormation
 * resources (state table, dead-letter queue, alarm topic, metric filters and alarms,
 * per-function IAM roles). `deploy/stack.js` hands these to the Serverless Framework.
 */
import { parseDuration } from '../rules/duration';
import { tableDefinition, TTL_ATTRIBUTE } from '../store/dynamodb';
import type { Resource } from './cfn';
import { logGroupRoutes, logGroupTimeZonesVariable, sshLogGroupNames } from './config-parts';
import type { AlarmName, StageConfig } from './config';
import { functionRoles } from './iam';
import { ASYNC_FUNCTIONS, deployedFunctions, logicalId, type StageNames } from './names';
import { organizationResources } from './organization';
import { METRIC_FILTERS, SUBSCRIPTION_PATTERNS } from './patterns';
import { trailResources } from './trail';

type Extensions = Record<string, { Properties?: Record<string, unknown>; DependsOn?: string[] }>;

/** Retries Lambda makes of a failed asynchronous invocation before the event goes to the dead-letter queue. */
export const ASYNC_RETRIES = 2;
/** Dead letters are kept as long as the processed-input keys, so a redrive within that time stays idempotent. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/**
 * Requests per second (steady, burst) the HTTP API passes to the `slack` function. A team's
 * clicks and commands stay far below; a flood of junk at the public URL stops here instead of
 * scaling the function.
 */
export const SLACK_API_THROTTLE = { rateLimit: 10, burstLimit: 20 };
/**
 * How EventBridge retries delivering a security-group call to the `cloudtrail` function
 * (throttled, or the function unavailable) before the event goes to the dead-letter queue;
 * as long as Lambda's own retries of a failed invocation last.
 */
export const EVENT_BRIDGE_RETRY_POLICY = { maximumEventAge: 6 * 3600, maximumRetryAttempts: 20 };

export interface StageSettings {
  stage: string;
  channel: string;
  allowedUsers: string;
  logRetentionDays: number;
  botTokenParameter: string;
  signingSecretParameter: string;
  metricNamespace: string;
  /** KLAXON_LOG_GROUP_SOURCES: each configured log group routed to its parser by name. */
  logGroupSources: string;
  /** KLAXON_LOG_GROUP_TIMEZONES: the zone of each SSH log group that names one. */
  logGroupTimeZones: string;
  tableName: string;
}

export function stageSettings(config: StageConfig, names: StageNames): StageSettings {
  const routes = logGroupRoutes(config.logGroups).map((r) => `${r.logGroup}=${r.source}`);
  return {
    stage: names.stage,
    channel: config.slack.channel,
    allowedUsers: config.slack.allowedUsers.join(','),
    logRetentionDays: config.logRetentionDays,
    botTokenParameter: names.botTokenParameter,
    signingSecretParameter: names.signingSecretParameter,
    metricNamespace: names.metricNamespace,
    logGroupSources: routes.join(','),
    logGroupTimeZones: logGroupTimeZonesVariable(config.logGroups),
    tableName: names.table,
  };
}

/** The HTTP API's access log group, which osls creates for `provider.logs.httpApi`. */
export const HTTP_API_ACCESS_LOG_GROUP = 'HttpApiLogGroup';

/**
 * Provider settings from the stage config's guardrails: tags on the stack (CloudFormation
 * passes them on to every resource that takes tags), the deployment bucket (the named one, or
 * one the stack creates versioned with public access blocked; osls encrypts it), and the IAM
 * settings (the role CloudFormation deploys with, the boundary of any role osls would create).
 */
export function providerGuardrails(config: StageConfig): { stackTags: Record<string, string>; deploymentBucket: Record<string, unknown>; iam: Record<string, unknown> } {
  return {
    stackTags: config.tags,
    deploymentBucket:
      config.deploymentBucket === undefined ? { blockPublicAccess: true, versioning: true } : { name: config.deploymentBucket, serverSideEncryption: 'AES256' },
    iam: {
      ...(config.cfnRole === undefined ? {} : { deploymentRole: config.cfnRole }),
      ...(config.permissionsBoundary === undefined ? {} : { role: { permissionsBoundary: config.permissionsBoundary } }),
    },
  };
}

/** The logs function's events: one subscription filter per configured log group, filtering at the source. */
export function logsEvents(config: StageConfig): Array<{ cloudwatchLog: { logGroup: string; filter: string } }> {
  return logGroupRoutes(config.logGroups).map(({ logGroup, source }) => ({ cloudwatchLog: { logGroup, filter: SUBSCRIPTION_PATTERNS[source] } }));
}

/** The log groups an alarm's metric filter goes on. */
export function metricLogGroups(config: StageConfig, alarm: AlarmName): string[] {
  if (!config.alarms[alarm].enabled) return [];
  const { waf, cloudtrail } = config.logGroups;
  switch (METRIC_FILTERS[alarm].source) {
    case 'ssh':
      return sshLogGroupNames(config.logGroups);
    case 'waf':
      return waf;
    default:
      return cloudtrail === undefined ? [] : [cloudtrail];
  }
}

export function stackResources(
  config: StageConfig,
  names: StageNames,
): { Resources: Record<string, Resource>; Outputs: Record<string, unknown>; extensions: Extensions } {
  const resources: Record<string, Resource> = {
    StateTable: stateTable(names),
    DeadLetterQueuePolicy: eventBridgeDeadLetters(config, names),
    DeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: names.deadLetterQueue, MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS, SqsManagedSseEnabled: true },
    },
    // Not KMS-encrypted unless a customer-managed key is configured: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key.
    AlarmTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: names.alarmTopic, ...(config.alarms.topicKmsKeyArn === undefined ? {} : { KmsMasterKeyId: config.alarms.topicKmsKeyArn }) },
    },
    DeadLettersAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: names.alarmName('deadLetters'),
        AlarmDescription: `Klaxon (${names.stage}) could not process some events after ${ASYNC_RETRIES} retries: they wait in ${names.deadLetterQueue}. Fix the cause (see the functions' logs), then run: npx klaxon redrive --stage ${names.stage}`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ...ALARM_ACTIONS,
      },
    },
    // Slack is what is down when the outbox backs up: this alarm reaches people through the alarm topic's email subscription.
    OutboxAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: names.alarmName('outbox'),
        AlarmDescription: `Klaxon (${names.stage}) has had alerts waiting for Slack for over ${OUTBOX_ALARM_MINUTES} minutes: Slack refuses or cannot be reached. See the drain function's logs; they go out by themselves once Slack takes them.`,
        Namespace: names.metricNamespace,
        MetricName: 'OutboxOldestAgeSeconds',
        Dimensions: [{ Name: 'service', Value: 'klaxon' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: OUTBOX_ALARM_MINUTES * 60,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        ...ALARM_ACTIONS,
      },
    },
    ...metricResources(config, names),
    ...invokeConfigs(),
    ...functionRoles(config, names),
    ...(config.cloudtrail.createTrail ? trailResources(config, names) : {}),
    ...logGroupInvokePermissions(config).resources,
    ...organizationResources(config, names),
  };
  if (config.alarms.email !== undefined) {
    resources.AlarmEmailSubscription = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: config.alarms.email } };
  }
  return {
    Resources: resources,
    extensions: {
      // Merged into the HTTP API stage osls generates (its DefaultRouteSettings are replaced whole).
      HttpApiStage: {
        Properties: {
          DefaultRouteSettings: { DetailedMetricsEnabled: false, ThrottlingRateLimit: SLACK_API_THROTTLE.rateLimit, ThrottlingBurstLimit: SLACK_API_THROTTLE.burstLimit },
        },
      },
      ...guardrailExtensions(config, names),
      ...logGroupInvokePermissions(config).extensions,
    },
    Outputs: {
      StateTableName: { Value: { Ref: 'StateTable' } },
      DeadLetterQueueUrl: { Value: { Ref: 'DeadLetterQueue' } },
      AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } },
    },
  };
}

/** How long the oldest waiting alert may wait for Slack before the outbox alarm goes off. */
export const OUTBOX_ALARM_MINUTES = 10;

/**
 * Who may invoke the logs function: the configured log groups, each by its own ARN. osls writes
 * one permission for all of a function's log groups, with `log-group:*` when their names share
 * no suffix (any log group in the account could then invoke it); here that permission names
 * the first group, each other group gets a permission of its own, and its subscription filter
 * waits for it.
 */
export function logGroupInvokePermissions(config: StageConfig): { resources: Record<string, Resource>; extensions: Extensions } {
  const groups = logsEvents(config).map((event) => event.cloudwatchLog.logGroup);
  const [first, ...others] = groups;
  if (first === undefined) return { resources: {}, extensions: {} };
  const sourceArn = (group: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${group}:*` });
  const resources: Record<string, Resource> = {};
  const extensions: Extensions = { [`${logicalId('logs')}LambdaPermissionLogsSubscriptionFilterCloudWatchLog`]: { Properties: { SourceArn: sourceArn(first) } } };
  others.forEach((group, i) => {
    // osls numbers a function's subscription filters from 1, in the order of its events.
    const n = i + 2;
    const id = `${logicalId('logs')}LogGroupInvokePermission${n}`;
    resources[id] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: { 'Fn::GetAtt': [`${logicalId('logs')}LambdaFunction`, 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' },
        SourceArn: sourceArn(group),
        SourceAccount: { Ref: 'AWS::AccountId' },
      },
    };
    extensions[`${logicalId('logs')}LogsSubscriptionFilterCloudWatchLog${n}`] = { DependsOn: [id] };
  });
  return { resources, extensions };
}

/** Alarms say when they fire and when they clear, so Slack hears "resolved" too. */
const ALARM_ACTIONS = { AlarmActions: [{ Ref: 'AlarmTopic' }], OKActions: [{ Ref: 'AlarmTopic' }] };

/**
 * The state table as the store defines it, with TTL on `expiresAt` and point-in-time recovery.
 * It holds the audit of every acknowledgement and silence: removing the stack, or a change
 * that would replace the table, leaves it in place, and deleting it takes turning deletion
 * protection off first.
 */
function stateTable(names: StageNames): Resource {
  return {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      ...tableDefinition(names.table),
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    },
  };
}

/**
 * The logical ids osls gives the `cloudtrail` function's EventBridge rules (the default bus's,
 * then with `organization:` the members' bus's): the function name plus `-rule-N`, stripped of
 * everything but letters and digits, first letter upper-cased.
 */
export function securityGroupRuleIds(config: Pick<StageConfig, 'organization'>, names: StageNames): string[] {
  const count = config.organization === undefined ? 1 : 2;
  return Array.from({ length: count }, (_, i) => {
    const normalized = `${names.functionName('cloudtrail')}rule${i + 1}`.replace(/[^A-Za-z0-9]/g, '');
    return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}EventBridgeRule`;
  });
}

/** EventBridge may put the security-group calls it could not deliver into the dead-letter queue (its rules only). */
function eventBridgeDeadLetters(config: StageConfig, names: StageNames): Resource {
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: 'DeadLetterQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'SecurityGroupRuleDeadLetters',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
            Condition: { ArnEquals: { 'aws:SourceArn': securityGroupRuleIds(config, names).map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) } },
          },
        ],
      },
    },
  };
}

/**
 * What the review's guardrails add to the resources osls generates: reserved concurrency on
 * the functions a flood reaches, the log groups' KMS key, and the EventBridge permission's
 * source named by reference (Control Tower's CT.LAMBDA.PR.2 reads only literal ARNs or
 * references, not the `Fn::Join` osls writes).
 */
function guardrailExtensions(config: StageConfig, names: StageNames): Extensions {
  const out: Extensions = {};
  securityGroupRuleIds(config, names).forEach((rule, i) => {
    out[`CloudtrailEventBridgeLambdaPermission${i + 1}`] = { Properties: { SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] } } };
  });
  for (const fn of ['logs', 'cloudtrail'] as const) {
    const reserved = config.reservedConcurrency[fn];
    if (reserved !== false) out[`${logicalId(fn)}LambdaFunction`] = { Properties: { ReservedConcurrentExecutions: reserved } };
  }
  if (config.logKmsKeyArn !== undefined) {
    for (const group of [...deployedFunctions(config).map((fn) => `${logicalId(fn)}LogGroup`), HTTP_API_ACCESS_LOG_GROUP]) {
      out[group] = { Properties: { KmsKeyId: config.logKmsKeyArn } };
    }
  }
  return out;
}

/** A metric filter per log group and signal, and one alarm per signal over the sum of them. */
function metricResources(config: StageConfig, names: StageNames): Record<string, Resource> {
  const out: Record<string, Resource> = {};
  for (const alarm of Object.keys(METRIC_FILTERS) as AlarmName[]) {
    const groups = metricLogGroups(config, alarm);
    if (groups.length === 0) continue;
    const id = alarm.charAt(0).toUpperCase() + alarm.slice(1);
    groups.forEach((logGroup, i) => {
      out[`${id}MetricFilter${i + 1}`] = {
        Type: 'AWS::Logs::MetricFilter',
        Properties: {
          FilterName: names.metricFilterName(alarm),
          LogGroupName: logGroup,
          FilterPattern: METRIC_FILTERS[alarm].pattern,
          MetricTransformations: [{ MetricNamespace: names.metricNamespace, MetricName: names.metricName(alarm), MetricValue: '1', Unit: 'Count' }],
        },
      };
    });
    const { threshold, period } = config.alarms[alarm];
    out[`${id}Alarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: names.alarmName(alarm),
        AlarmDescription: `Klaxon (${names.stage}): ${names.metricName(alarm)} reached ${threshold} in ${period} (metric filter on ${groups.join(', ')})`,
        Namespace: names.metricNamespace,
        MetricName: names.metricName(alarm),
        Statistic: 'Sum',
        Period: (parseDuration(period) ?? 300_000) / 1000,
        EvaluationPeriods: 1,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ...ALARM_ACTIONS,
      },
    };
  }
  return out;
}

/** Retries and the on-failure destination of the asynchronously invoked functions. */
function invokeConfigs(): Record<string, Resource> {
  const out: Record<string, Resource> = {};
  for (const fn of ASYNC_FUNCTIONS) {
    out[`${logicalId(fn)}InvokeConfig`] = {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        FunctionName: { Ref: `${logicalId(fn)}LambdaFunction` },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: ASYNC_RETRIES,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
      },
    };
  }
  return out;
}
