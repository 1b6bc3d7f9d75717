/**
 * The names of what one Klaxon stage creates in an account. `serverless.yml` (through
 * `deploy/stack.js`) creates them under these names and `klaxon doctor` and `klaxon redrive`
 * look them up by the same names, so the two can never disagree.
 */
import type { AlarmName, StageConfig } from './config';

export const SERVICE = 'klaxon';
export const FUNCTIONS = ['logs', 'cloudtrail', 'alarm', 'slack', 'drain', 'kinesis'] as const;
export type FunctionKey = (typeof FUNCTIONS)[number];

/** The functions a stage deploys: `kinesis` (the member accounts' stream) only in a central account. */
export function deployedFunctions(config: Pick<StageConfig, 'organization'>): FunctionKey[] {
  return FUNCTIONS.filter((fn) => fn !== 'kinesis' || config.organization !== undefined);
}
/** The functions invoked asynchronously (subscription filter, EventBridge, SNS): their failures go to the dead-letter queue. */
export const ASYNC_FUNCTIONS: readonly FunctionKey[] = ['logs', 'cloudtrail', 'alarm'];

export interface StageNames {
  stage: string;
  /** The CloudFormation stack (`serverless` names it so). */
  stack: string;
  functionName(fn: FunctionKey): string;
  table: string;
  deadLetterQueue: string;
  alarmTopic: string;
  securityGroupRule: string;
  /** The trail the stack creates with `cloudtrail.createTrail`. */
  trail: string;
  /** CloudWatch namespace of the metric filters and of the functions' EMF metrics. */
  metricNamespace: string;
  alarmName(alarm: AlarmName | 'deadLetters' | 'outbox'): string;
  /** The metric-filter name (unique within a log group) and metric name for a signal. */
  metricFilterName(alarm: AlarmName): string;
  metricName(alarm: AlarmName): string;
  botTokenParameter: string;
  signingSecretParameter: string;
  /** Many accounts: the stream the member accounts' log groups reach through the destination. */
  memberStream: string;
  /** The CloudWatch Logs destination (one per region, all of the same name) the members' subscription filters name. */
  memberDestination: string;
  /** The role CloudWatch Logs assumes to put the members' log events into the stream. */
  memberDestinationRole: string;
  /** The central account's event bus the members' EventBridge rules forward security-group calls to. */
  memberEventBus: string;
  /** The rule on that bus that sends them to the `cloudtrail` function. */
  memberSecurityGroupRule: string;
  /** The member stack's EventBridge rule and its subscription filters (`NAME@REGION`). */
  memberForwardRule: string;
  memberSubscriptionFilter(source: string): string;
}

/** The logical id prefix the Serverless Framework gives a function's resources (`logs` -> `LogsLambdaFunction`, `LogsLogGroup`). */
export function logicalId(fn: FunctionKey): string {
  return fn.charAt(0).toUpperCase() + fn.slice(1);
}

const METRIC_NAMES: Record<AlarmName, string> = {
  failedSshLogins: 'SshFailedLogins',
  successfulSshLogins: 'SshSuccessfulLogins',
  wafBlockedRequests: 'WafBlockedRequests',
  securityGroupChanges: 'SecurityGroupChanges',
};

/** `failedSshLogins` -> `failed-ssh-logins`. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function stageNames(stage: string, config: Pick<StageConfig, 'parameterPrefix'>): StageNames {
  const prefix = `${SERVICE}-${stage}`;
  const parameters = config.parameterPrefix ?? `/${SERVICE}/${stage}`;
  return {
    stage,
    stack: prefix,
    functionName: (fn) => `${prefix}-${fn}`,
    table: `${prefix}-state`,
    deadLetterQueue: `${prefix}-dead-letters`,
    alarmTopic: `${prefix}-alarms`,
    securityGroupRule: `${prefix}-security-group-changes`,
    trail: `${prefix}-trail`,
    metricNamespace: `Klaxon/${stage}`,
    alarmName: (alarm) => `${prefix}-${kebab(alarm)}`,
    metricFilterName: (alarm) => `${prefix}-${kebab(alarm)}`,
    metricName: (alarm) => METRIC_NAMES[alarm],
    botTokenParameter: `${parameters}/slack-bot-token`,
    signingSecretParameter: `${parameters}/slack-signing-secret`,
    memberStream: `${prefix}-members`,
    memberDestination: `${prefix}-members`,
    memberDestinationRole: `${prefix}-members-to-stream`,
    memberEventBus: `${prefix}-members`,
    memberSecurityGroupRule: `${prefix}-members-security-group-changes`,
    memberForwardRule: `${prefix}-forward-security-group-changes`,
    memberSubscriptionFilter: (source) => `${prefix}-${source}`,
  };
}
