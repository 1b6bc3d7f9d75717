/**
 * The parts of `serverless.yml` that depend on the stage's config: the settings the
 * functions read, the logs function's subscription filters, and the CloudFormation
 * resources (state table, dead-letter queue, alarm topic, metric filters and alarms,
 * per-function IAM roles). `deploy/stack.js` hands these to the Serverless Framework.
 */
import { parseDuration } from '../rules/duration';
import { tableDefinition, TTL_ATTRIBUTE } from '../store/dynamodb';
import type { AlarmName, StageConfig } from './config';
import { functionRoles } from './iam';
import { ASYNC_FUNCTIONS, logicalId, type StageNames } from './names';
import { METRIC_FILTERS, SUBSCRIPTION_PATTERNS } from './patterns';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; Condition?: string };

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
  tableName: string;
}

export function stageSettings(config: StageConfig, names: StageNames): StageSettings {
  const { ssh, waf, cloudtrail } = config.logGroups;
  const routes = [...ssh.map((g) => `${g}=ssh`), ...waf.map((g) => `${g}=waf`), ...(cloudtrail === undefined ? [] : [`${cloudtrail}=cloudtrail`])];
  return {
    stage: names.stage,
    channel: config.slack.channel,
    allowedUsers: config.slack.allowedUsers.join(','),
    logRetentionDays: config.logRetentionDays,
    botTokenParameter: names.botTokenParameter,
    signingSecretParameter: names.signingSecretParameter,
    metricNamespace: names.metricNamespace,
    logGroupSources: routes.join(','),
    tableName: names.table,
  };
}

/** The logs function's events: one subscription filter per configured log group, filtering at the source. */
export function logsEvents(config: StageConfig): Array<{ cloudwatchLog: { logGroup: string; filter: string } }> {
  const { ssh, waf, cloudtrail } = config.logGroups;
  return [
    ...ssh.map((logGroup) => ({ cloudwatchLog: { logGroup, filter: SUBSCRIPTION_PATTERNS.ssh } })),
    ...waf.map((logGroup) => ({ cloudwatchLog: { logGroup, filter: SUBSCRIPTION_PATTERNS.waf } })),
    ...(cloudtrail === undefined ? [] : [{ cloudwatchLog: { logGroup: cloudtrail, filter: SUBSCRIPTION_PATTERNS.cloudtrail } }]),
  ];
}

/** The log groups an alarm's metric filter goes on. */
export function metricLogGroups(config: StageConfig, alarm: AlarmName): string[] {
  if (!config.alarms[alarm].enabled) return [];
  const { ssh, waf, cloudtrail } = config.logGroups;
  switch (METRIC_FILTERS[alarm].source) {
    case 'ssh':
      return ssh;
    case 'waf':
      return waf;
    default:
      return cloudtrail === undefined ? [] : [cloudtrail];
  }
}

export function stackResources(
  config: StageConfig,
  names: StageNames,
): { Resources: Record<string, Resource>; Outputs: Record<string, unknown>; extensions: Record<string, { Properties: Record<string, unknown> }> } {
  const resources: Record<string, Resource> = {
    StateTable: stateTable(names),
    DeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: names.deadLetterQueue, MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS, SqsManagedSseEnabled: true },
    },
    // Not KMS-encrypted: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key, and the messages hold no secrets.
    AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: names.alarmTopic } },
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
        AlarmActions: [{ Ref: 'AlarmTopic' }],
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
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      },
    },
    ...metricResources(config, names),
    ...invokeConfigs(),
    ...functionRoles(config, names),
  };
  if (config.alarms.email !== undefined) {
    resources.AlarmEmailSubscription = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: config.alarms.email } };
  }
  return {
    Resources: resources,
    // Merged into the HTTP API stage osls generates (its DefaultRouteSettings are replaced whole).
    extensions: {
      HttpApiStage: {
        Properties: {
          DefaultRouteSettings: { DetailedMetricsEnabled: false, ThrottlingRateLimit: SLACK_API_THROTTLE.rateLimit, ThrottlingBurstLimit: SLACK_API_THROTTLE.burstLimit },
        },
      },
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

/** The state table as the store defines it, with TTL on `expiresAt` and point-in-time recovery. */
function stateTable(names: StageNames): Resource {
  return {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      ...tableDefinition(names.table),
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    },
  };
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
        AlarmActions: [{ Ref: 'AlarmTopic' }],
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
