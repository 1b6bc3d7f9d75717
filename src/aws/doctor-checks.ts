/**
 * What `klaxon doctor` checks in the account: that what `serverless.yml` creates for a stage
 * (by the names of `stageNames`, from the stage's `deploy/<stage>.yml`) exists and is wired
 * as Klaxon expects. Every check runs on its own: one that fails, even on AccessDenied,
 * reports which IAM action is missing and never stops the others. Nothing here writes to the
 * account, and no secret value is ever put into a result.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  type SubscriptionFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, type Target } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mapConcurrently } from '../concurrency';
import { createSlackClient, deliveryError } from '../slack/client';
import type { AlarmName, StageConfig } from '../deploy/config';
import { logGroupRoutes } from '../deploy/config-parts';
import type { StageNames } from '../deploy/names';
import { METRIC_FILTERS, SUBSCRIPTION_PATTERNS, securityGroupEventPattern } from '../deploy/patterns';
import { metricLogGroups } from '../deploy/stack';
import type { EventSource } from '../events/event';
import { describeAwsError, isAccessDenied, isSessionError } from './errors';
import { lambdaFunctionName, queueUrl } from './redrive';
import { describeTrail, trailStandings, type TrailStanding } from './trail-check';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** The sections of the report, in the order they are printed. */
export const SECTIONS = [
  'Stage config',
  'AWS access',
  'Log groups',
  'Subscription filters',
  'Metric filters',
  'Alarms',
  'CloudTrail',
  'EventBridge',
  'Dead-letter queue',
  'SSM parameters',
  'Slack',
  // klaxon doctor --member-account
  'Member account',
  'Member subscription filters',
  'Member EventBridge rule',
  'Central destination',
] as const;
export type Section = (typeof SECTIONS)[number];

export interface CheckResult {
  section: Section;
  status: CheckStatus;
  /** One line: what was checked and how it stands. */
  title: string;
  /** More about what is wrong. */
  details: string[];
  /** The commands or edits that fix it. */
  fix: string[];
}

export interface DoctorClients {
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  events: EventBridgeClient;
  sqs: SQSClient;
  ssm: SSMClient;
  cloudtrail: CloudTrailClient;
}

/** Clients built from the standard AWS settings (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL…); `region` overrides. */
export function doctorClients(region?: string): DoctorClients {
  const config = region === undefined ? {} : { region };
  return {
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    ssm: new SSMClient(config),
    cloudtrail: new CloudTrailClient(config),
  };
}

export interface DoctorContext {
  stage: string;
  region: string;
  names: StageNames;
  /** The stage's config; undefined when it could not be read (the checks that need it are left out). */
  config?: StageConfig;
  /** The config file, as shown to the user (for "edit …" fixes). */
  configFile?: string;
  clients: DoctorClients;
  /** Slack Web API base URL (SLACK_API_URL), default Slack's. */
  slackApiUrl?: string;
}

const configFileOf = (ctx: DoctorContext): string => ctx.configFile ?? `deploy/${ctx.stage}.yml`;

const DEPLOY = (stage: string): string => `npx serverless deploy --stage ${stage}`;

export function checkResult(section: Section, status: CheckStatus, title: string, details: string[] = [], fix: string[] = []): CheckResult {
  return { section, status, title, details, fix };
}
const result = checkResult;

/** A failed result for an AWS call that threw: what AWS said, and for AccessDenied the IAM action to grant. */
export function awsFailure(section: Section, title: string, err: unknown, action: string, region: string, resource?: string): CheckResult {
  const described = describeAwsError(err, { action, region, resource }) ?? `unexpected error from ${action}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  const denied = isAccessDenied(err);
  return result(section, 'fail', `${title}: could not check`, [described], denied ? [`allow ${action} to the AWS identity doctor runs as`] : []);
}

export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

// ---------------------------------------------------------------------------------------------
// Log groups, their subscription filters and metric filters

interface WatchedGroup {
  name: string;
  source: Exclude<EventSource, 'alarm'>;
}

/** Every log group the config lists, with the parser it is routed to. */
export function watchedGroups(config: StageConfig): WatchedGroup[] {
  return logGroupRoutes(config.logGroups).map(({ logGroup, source }) => ({ name: logGroup, source }));
}

/** How to get logs into a group that does not exist yet. */
function shipLogsFix(group: WatchedGroup, configFile: string): string[] {
  switch (group.source) {
    case 'ssh':
      return [
        `ship the hosts' auth log to it with the CloudWatch agent: deploy/cloudwatch-agent.json, with "log_group_name": "${group.name}" (README: "Ship SSH auth logs")`,
        `or, if the name is wrong, fix logGroups.ssh in ${configFile}`,
      ];
    case 'waf':
      return [
        `enable WAF logging to CloudWatch Logs with this log group as the destination: aws logs create-log-group --log-group-name ${group.name}, then aws wafv2 put-logging-configuration (README: "Send AWS WAF logs to CloudWatch Logs")`,
        `or, if the name is wrong, fix logGroups.waf in ${configFile}`,
      ];
    default:
      return [
        `have your CloudTrail trail deliver to CloudWatch Logs in this group: aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn … --cloud-watch-logs-role-arn …`,
        `or, if the name is wrong, fix logGroups.cloudtrail in ${configFile} (or remove it: it is optional)`,
      ];
  }
}

/** DescribeLogGroups by prefix, paging until the exact name shows up. */
async function logGroupExists(client: CloudWatchLogsClient, name: string): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken }));
    if ((page.logGroups ?? []).some((g) => g.logGroupName === name)) return true;
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return false;
}

/** Every subscription filter on a log group (DescribeSubscriptionFilters, paged). */
export async function subscriptionFilters(client: CloudWatchLogsClient, logGroupName: string): Promise<SubscriptionFilter[]> {
  const filters: SubscriptionFilter[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeSubscriptionFiltersCommand({ logGroupName, nextToken }));
    filters.push(...(page.subscriptionFilters ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return filters;
}

/** CloudWatch Logs allows this many subscription filters per log group. */
export const SUBSCRIPTION_FILTER_LIMIT = 2;

/** One log group: it exists, Klaxon's subscription is on it, and the metric filters of the enabled alarms. */
export async function checkLogGroup(ctx: DoctorContext, group: WatchedGroup): Promise<CheckResult[]> {
  const { region } = ctx;
  const config = ctx.config as StageConfig;
  const configFile = configFileOf(ctx);
  const label = `${group.name} (${group.source})`;
  const out: CheckResult[] = [];
  try {
    if (await logGroupExists(ctx.clients.logs, group.name)) out.push(result('Log groups', 'ok', `${label} exists`));
    else {
      out.push(
        result(
          'Log groups',
          'fail',
          `${label} does not exist in ${region}`,
          ['so Klaxon receives nothing from it; its subscription and metric filters cannot exist either'],
          shipLogsFix(group, configFile),
        ),
      );
      return out;
    }
  } catch (err) {
    // Unknown: the subscription and metric-filter checks still run and say what they find.
    out.push(awsFailure('Log groups', label, err, 'logs:DescribeLogGroups', region, `log group "${group.name}"`));
  }

  out.push(await checkSubscription(ctx, group));
  for (const alarm of Object.keys(METRIC_FILTERS) as AlarmName[]) {
    if (metricLogGroups(config, alarm).includes(group.name)) out.push(await checkMetricFilter(ctx, group, alarm));
  }
  return out;
}

async function checkSubscription(ctx: DoctorContext, group: WatchedGroup): Promise<CheckResult> {
  const { region, names, stage } = ctx;
  const fn = names.functionName('logs');
  const title = `${group.name}`;
  let filters: SubscriptionFilter[];
  try {
    filters = await subscriptionFilters(ctx.clients.logs, group.name);
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return result('Subscription filters', 'fail', `${title}: the log group does not exist`, [], shipLogsFix(group, configFileOf(ctx)));
    return awsFailure('Subscription filters', title, err, 'logs:DescribeSubscriptionFilters', region, `log group "${group.name}"`);
  }
  const ours = filters.find((f) => f.destinationArn !== undefined && lambdaFunctionName(f.destinationArn) === fn);
  const expected = SUBSCRIPTION_PATTERNS[group.source];
  if (ours !== undefined) {
    if ((ours.filterPattern ?? '') === expected) return result('Subscription filters', 'ok', `${title} → ${fn} (filter ${ours.filterName ?? '?'}, pattern as deployed)`);
    return result(
      'Subscription filters',
      'fail',
      `${title} → ${fn}: the filter pattern is not Klaxon's ${group.source} pattern`,
      [`found:    ${JSON.stringify(ours.filterPattern ?? '')}`, `expected: ${JSON.stringify(expected)}`, 'events the rules read may be dropped at the source (or ones no rule reads let through)'],
      [`${DEPLOY(stage)} (it puts the pattern back)`],
    );
  }
  const others = filters.map((f) => `${f.filterName ?? '?'} → ${f.destinationArn ?? '?'}`);
  if (filters.length >= SUBSCRIPTION_FILTER_LIMIT) {
    const first = filters[0]?.filterName ?? 'NAME';
    return result(
      'Subscription filters',
      'fail',
      `${title}: no subscription to ${fn}, and the log group already has ${filters.length} subscription filters (the CloudWatch Logs limit is ${SUBSCRIPTION_FILTER_LIMIT})`,
      [...others.map((o) => `present: ${o}`), 'Klaxon receives nothing from this log group, and a deploy fails on it, until one of them is removed'],
      [`remove one: aws logs delete-subscription-filter --log-group-name ${group.name} --filter-name ${first}`, `then: ${DEPLOY(stage)}`],
    );
  }
  return result(
    'Subscription filters',
    'fail',
    `${title}: no subscription filter sends it to ${fn}`,
    [...others.map((o) => `present: ${o}`), 'Klaxon receives nothing from this log group'],
    [`${DEPLOY(stage)} (it adds the subscription for every log group in the stage config)`],
  );
}

async function checkMetricFilter(ctx: DoctorContext, group: WatchedGroup, alarm: AlarmName): Promise<CheckResult> {
  const { region, names, stage } = ctx;
  const logGroupName = group.name;
  const filterName = names.metricFilterName(alarm);
  const title = `${filterName} on ${logGroupName}`;
  try {
    const { metricFilters } = await ctx.clients.logs.send(new DescribeMetricFiltersCommand({ logGroupName, filterNamePrefix: filterName }));
    const filter = (metricFilters ?? []).find((f) => f.filterName === filterName);
    if (filter === undefined) return result('Metric filters', 'fail', `${title}: missing`, [`so the alarm ${names.alarmName(alarm)} never counts ${names.metricName(alarm)} from this log group`], [DEPLOY(stage)]);
    const problems: string[] = [];
    const feeds = (filter.metricTransformations ?? []).some((t) => t.metricNamespace === names.metricNamespace && t.metricName === names.metricName(alarm));
    if (!feeds) {
      const found = (filter.metricTransformations ?? []).map((t) => `${t.metricNamespace ?? '?'}/${t.metricName ?? '?'}`).join(', ') || 'no metric';
      problems.push(`it feeds ${found}, not ${names.metricNamespace}/${names.metricName(alarm)}`);
    }
    if ((filter.filterPattern ?? '') !== METRIC_FILTERS[alarm].pattern) problems.push(`its pattern is ${JSON.stringify(filter.filterPattern ?? '')}, expected ${JSON.stringify(METRIC_FILTERS[alarm].pattern)}`);
    if (problems.length > 0) return result('Metric filters', 'fail', `${title}: not as deployed`, problems, [DEPLOY(stage)]);
    return result('Metric filters', 'ok', `${title} → ${names.metricNamespace}/${names.metricName(alarm)}`);
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return result('Metric filters', 'fail', `${title}: the log group does not exist`, [], shipLogsFix(group, configFileOf(ctx)));
    return awsFailure('Metric filters', title, err, 'logs:DescribeMetricFilters', region, `log group "${logGroupName}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Alarms

/** The alarms the stage should have: one per enabled signal with log groups, and the dead-letter alarm. */
export function expectedAlarms(config: StageConfig | undefined): Array<AlarmName | 'deadLetters'> {
  const signals = config === undefined ? [] : (Object.keys(METRIC_FILTERS) as AlarmName[]).filter((alarm) => metricLogGroups(config, alarm).length > 0);
  return [...signals, 'deadLetters'];
}

export async function checkAlarms(ctx: DoctorContext): Promise<CheckResult[]> {
  const { region, names, stage } = ctx;
  const wanted = expectedAlarms(ctx.config);
  const alarmNames = wanted.map((a) => names.alarmName(a));
  let found: MetricAlarm[];
  try {
    found = [];
    let NextToken: string | undefined;
    do {
      const page = await ctx.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames, AlarmTypes: ['MetricAlarm'], NextToken }));
      found.push(...(page.MetricAlarms ?? []));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
  } catch (err) {
    return [awsFailure('Alarms', `alarms ${alarmNames.join(', ')}`, err, 'cloudwatch:DescribeAlarms', region)];
  }
  return wanted.map((alarm) => {
    const name = names.alarmName(alarm);
    const a = found.find((f) => f.AlarmName === name);
    if (a === undefined) return result('Alarms', 'fail', `${name}: missing`, [], [DEPLOY(stage)]);
    const notifies = (a.AlarmActions ?? []).some((arn) => arn.endsWith(`:${names.alarmTopic}`));
    const state = a.StateValue ?? 'UNKNOWN';
    if (!notifies) {
      return result(
        'Alarms',
        'fail',
        `${name} (${state}): does not notify the topic ${names.alarmTopic}`,
        [`its alarm actions: ${(a.AlarmActions ?? []).join(', ') || 'none'}`, "so neither Klaxon's alarm function nor the alarm e-mail hears of it"],
        [DEPLOY(stage)],
      );
    }
    if (state === 'ALARM') {
      const reason = a.StateReason ?? 'no reason given';
      const since = a.StateUpdatedTimestamp === undefined ? '' : ` since ${a.StateUpdatedTimestamp.toISOString()}`;
      if (alarm === 'deadLetters') {
        return result('Alarms', 'warn', `${name} is in ALARM${since}: events wait in ${names.deadLetterQueue}`, [reason], [
          `find and fix the cause in the functions' logs, then: npx klaxon redrive --stage ${stage}`,
        ]);
      }
      return result('Alarms', 'warn', `${name} is in ALARM${since}`, [reason, 'not a wiring problem: the signal crossed its threshold; it returns to OK when the count drops']);
    }
    if (state === 'INSUFFICIENT_DATA') return result('Alarms', 'ok', `${name}: INSUFFICIENT_DATA (no data yet), notifies ${names.alarmTopic}`);
    return result('Alarms', 'ok', `${name}: ${state}, notifies ${names.alarmTopic}`);
  });
}

// ---------------------------------------------------------------------------------------------
// CloudTrail: without a logging trail, EventBridge never sees a security-group call

const TRAIL_ACTIONS = 'cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors';

export async function checkTrail(ctx: DoctorContext): Promise<CheckResult> {
  const { region, stage } = ctx;
  let trails: TrailStanding[];
  try {
    trails = await trailStandings(ctx.clients.cloudtrail, region);
  } catch (err) {
    return awsFailure('CloudTrail', `trails covering ${region}`, err, TRAIL_ACTIONS, region);
  }
  const effect = 'so EventBridge receives no security-group API call made here, and Klaxon alerts on none';
  if (trails.length === 0) {
    return result('CloudTrail', 'fail', `no CloudTrail trail covers ${region}`, [effect], [
      `set cloudtrail: { createTrail: true } in ${configFileOf(ctx)}, then: ${DEPLOY(stage)}`,
      'or create a multi-region trail yourself: aws cloudtrail create-trail --name NAME --s3-bucket-name BUCKET --is-multi-region-trail, then: aws cloudtrail start-logging --name NAME',
    ]);
  }
  const good = trails.find((t) => t.logging && t.managementWrites);
  if (good !== undefined) return result('CloudTrail', 'ok', `${describeTrail(good)}: logging write management events in ${region}`);
  const details = trails.map((t) => `${describeTrail(t)}: ${t.logging ? 'logging' : 'not logging'}, ${t.managementWrites ? 'write management events selected' : 'no write management events selected'}`);
  const stopped = trails.find((t) => !t.logging);
  const fix =
    stopped !== undefined && stopped.managementWrites
      ? [`aws cloudtrail start-logging --name ${stopped.arn}`]
      : [
          `select write management events on a trail (put-event-selectors replaces its selectors: keep the ones it has): aws cloudtrail put-event-selectors --trail-name ${trails[0]?.arn ?? 'NAME'} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`,
          ...trails.filter((t) => !t.logging).map((t) => `aws cloudtrail start-logging --name ${t.arn}`),
        ];
  return result('CloudTrail', 'fail', `no trail covering ${region} is logging write management events`, [...details, effect], fix);
}

// ---------------------------------------------------------------------------------------------
// EventBridge

/** JSON with object keys sorted and arrays in a fixed order, so two patterns compare by meaning. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).sort().join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What is wrong with a rule's event pattern (as DescribeRule gives it) for Klaxon's security-group pattern: nothing, or the found and expected patterns. */
export function securityGroupPatternProblems(eventPattern: string | undefined): string[] {
  let pattern: unknown;
  try {
    pattern = JSON.parse(eventPattern ?? '');
  } catch {
    pattern = eventPattern;
  }
  const expected = securityGroupEventPattern();
  if (canonicalJson(pattern) === canonicalJson(expected)) return [];
  return [`its event pattern is not Klaxon's:`, `found:    ${eventPattern ?? '(none)'}`, `expected: ${JSON.stringify(expected)}`];
}

/** Every target of a rule (ListTargetsByRule, paged). */
export async function ruleTargets(client: EventBridgeClient, rule: string): Promise<Target[]> {
  const targets: Target[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListTargetsByRuleCommand({ Rule: rule, NextToken }));
    targets.push(...(page.Targets ?? []));
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return targets;
}

export async function checkEventBridge(ctx: DoctorContext): Promise<CheckResult[]> {
  const { region, names, stage } = ctx;
  const ruleName = names.securityGroupRule;
  const out: CheckResult[] = [];
  let exists = true;
  try {
    const rule = await ctx.clients.events.send(new DescribeRuleCommand({ Name: ruleName }));
    const problems: string[] = [];
    const fix: string[] = [];
    if (rule.State !== 'ENABLED') {
      problems.push(`the rule is ${rule.State ?? 'in no state'}, so no security-group change reaches Klaxon`);
      fix.push(`aws events enable-rule --name ${ruleName}`);
    }
    const patternProblems = securityGroupPatternProblems(rule.EventPattern);
    if (patternProblems.length > 0) {
      problems.push(...patternProblems);
      fix.push(`${DEPLOY(stage)} (it puts the pattern back)`);
    }
    if (problems.length > 0) out.push(result('EventBridge', 'fail', `rule ${ruleName}: not as deployed`, problems, [...new Set(fix)]));
    else out.push(result('EventBridge', 'ok', `rule ${ruleName}: ENABLED, pattern as deployed`));
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') {
      exists = false;
      out.push(result('EventBridge', 'fail', `rule ${ruleName}: missing in ${region}`, ['so no security-group change made in this region reaches Klaxon'], [DEPLOY(stage)]));
    } else out.push(awsFailure('EventBridge', `rule ${ruleName}`, err, 'events:DescribeRule', region));
  }
  if (!exists) return out;

  const fn = names.functionName('cloudtrail');
  try {
    const targets = await ruleTargets(ctx.clients.events, ruleName);
    if (targets.some((t) => t.Arn !== undefined && lambdaFunctionName(t.Arn) === fn)) out.push(result('EventBridge', 'ok', `rule ${ruleName} → ${fn}`));
    else {
      out.push(
        result('EventBridge', 'fail', `rule ${ruleName}: ${fn} is not a target`, [`targets: ${targets.map((t) => t.Arn ?? t.Id ?? '?').join(', ') || 'none'}`], [DEPLOY(stage)]),
      );
    }
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') out.push(result('EventBridge', 'fail', `rule ${ruleName}: missing in ${region}`, [], [DEPLOY(stage)]));
    else out.push(awsFailure('EventBridge', `targets of rule ${ruleName}`, err, 'events:ListTargetsByRule', region));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dead-letter queue

const QUEUE_MISSING = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

/** The dead-letter queue. Throws session errors (no credentials…): the caller stops there. */
export async function checkDeadLetters(ctx: DoctorContext): Promise<CheckResult> {
  const { region, names, stage } = ctx;
  const queue = names.deadLetterQueue;
  let url: string;
  try {
    url = await queueUrl(ctx.clients.sqs, queue);
  } catch (err) {
    if (isSessionError(err)) throw err;
    if (QUEUE_MISSING.has(errorName(err) ?? '')) return result('Dead-letter queue', 'fail', `${queue}: missing in ${region}`, ['is the stage deployed in this region?'], [DEPLOY(stage)]);
    return awsFailure('Dead-letter queue', queue, err, 'sqs:GetQueueUrl', region);
  }
  try {
    const { Attributes } = await ctx.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    const flight = inFlight > 0 ? ` (and ${inFlight} in flight)` : '';
    if (waiting > 0) {
      return result('Dead-letter queue', 'warn', `${queue}: ${waiting} failed event${waiting === 1 ? '' : 's'} waiting${flight}`, ['events Klaxon could not process after its retries'], [
        `find and fix the cause in the functions' logs, then: npx klaxon redrive --stage ${stage}`,
      ]);
    }
    return result('Dead-letter queue', 'ok', `${queue}: empty${flight}`);
  } catch (err) {
    return awsFailure('Dead-letter queue', queue, err, 'sqs:GetQueueAttributes', region);
  }
}

// ---------------------------------------------------------------------------------------------
// SSM parameters and Slack

function putParameterFix(name: string, example: string, overwrite = false): string {
  return `aws ssm put-parameter ${overwrite ? '--overwrite ' : ''}--type SecureString --name ${name} --value '${example}'`;
}

/**
 * One SecureString parameter. With `decrypt`, returns its value for the caller's own use
 * (the Slack check); the value never goes into a result.
 */
async function checkParameter(ctx: DoctorContext, name: string, example: string, what: string, decrypt: boolean): Promise<{ result: CheckResult; value?: string }> {
  const { region } = ctx;
  try {
    const { Parameter } = await ctx.clients.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: decrypt }));
    const type = Parameter?.Type ?? 'unknown';
    const value = decrypt ? Parameter?.Value : undefined;
    if (type !== 'SecureString') {
      return {
        value,
        result: result(
          'SSM parameters',
          'fail',
          `${name} (${what}) is a ${type}, not a SecureString`,
          ['the secret is stored unencrypted, readable by anyone allowed to read parameters'],
          [`aws ssm delete-parameter --name ${name}`, `then: ${putParameterFix(name, example)}`],
        ),
      };
    }
    const version = Parameter?.Version === undefined ? '' : `, version ${Parameter.Version}`;
    return { value, result: result('SSM parameters', 'ok', `${name} (${what}): SecureString${version}`) };
  } catch (err) {
    if (errorName(err) === 'ParameterNotFound') {
      return { result: result('SSM parameters', 'fail', `${name} (${what}): missing in ${region}`, [], [putParameterFix(name, example)]) };
    }
    const action = decrypt ? 'ssm:GetParameter (and kms:Decrypt on the key of the parameter, for a customer-managed key)' : 'ssm:GetParameter';
    return { result: awsFailure('SSM parameters', name, err, action, region, `parameter ${name}`) };
  }
}

/** Slack's answers that mean the token itself is bad. */
const BAD_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type', 'no_permission', 'team_access_not_granted']);

/** auth.test with the bot token from SSM. */
export async function checkSlack(ctx: DoctorContext, token: string | undefined): Promise<CheckResult> {
  const parameter = ctx.names.botTokenParameter;
  if (token === undefined || token.trim() === '') return result('Slack', 'skip', 'auth.test: not run, the bot token could not be read from SSM (see above)');
  const fixToken = [
    `reinstall the Slack app to the workspace (api.slack.com/apps → your app → Install App) and store its Bot User OAuth Token:`,
    putParameterFix(parameter, 'xoxb-…', true),
  ];
  try {
    const client = createSlackClient({ token: token.trim(), retries: 1, logger: { warn: () => undefined, error: () => undefined }, ...(ctx.slackApiUrl === undefined ? {} : { apiUrl: ctx.slackApiUrl }) });
    const answer = await client.auth.test();
    const team = `team "${answer.team ?? '?'}" (${answer.team_id ?? '?'})`;
    const user = `bot user "${answer.user ?? '?'}" (${answer.user_id ?? '?'})`;
    if (answer.bot_id === undefined || answer.bot_id === '') {
      return result('Slack', 'warn', `auth.test: the token in ${parameter} works for ${team}, but it is not a bot token (user "${answer.user ?? '?'}")`, ['Klaxon posts as the app: store the Bot User OAuth Token (xoxb-…)'], fixToken.slice(1));
    }
    return result('Slack', 'ok', `auth.test: ${team}, ${user}`);
  } catch (err) {
    const failure = deliveryError(err, 'auth.test');
    if (BAD_TOKEN.has(failure.code)) return result('Slack', 'fail', `auth.test: Slack refused the bot token in ${parameter}: ${failure.code}`, [], fixToken);
    if (failure.retryable) {
      return result('Slack', 'fail', `auth.test: Slack could not be reached: ${failure.code}`, [failure.message], [
        'check this machine can reach slack.com (or SLACK_API_URL), then run doctor again',
      ]);
    }
    return result('Slack', 'fail', `auth.test: ${failure.code}`, [failure.message], fixToken);
  }
}

export async function checkSecrets(ctx: DoctorContext): Promise<CheckResult[]> {
  const [token, signing] = await Promise.all([
    checkParameter(ctx, ctx.names.botTokenParameter, 'xoxb-…', 'Slack bot token', true),
    checkParameter(ctx, ctx.names.signingSecretParameter, 'SIGNING_SECRET', 'Slack signing secret', false),
  ]);
  const slack = await checkSlack(ctx, token.value);
  return [token.result, signing.result, slack];
}

// ---------------------------------------------------------------------------------------------

/** Log groups checked at the same time. */
const LOG_GROUP_CONCURRENCY = 2;

/**
 * Every check for the stage, in report order. Throws only a session error (no credentials,
 * credentials refused, AWS unreachable), found by the first call, before any other is made.
 */
export async function runChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const deadLetters = await checkDeadLetters(ctx);
  const groups = ctx.config === undefined ? [] : watchedGroups(ctx.config);
  const batches = await Promise.all([
    // A few log groups at a time: CloudWatch Logs' Describe* calls allow only a few calls a second.
    mapConcurrently(groups, LOG_GROUP_CONCURRENCY, (g) => checkLogGroup(ctx, g)).then((r) => r.flat()),
    checkAlarms(ctx),
    checkTrail(ctx),
    checkEventBridge(ctx),
    checkSecrets(ctx),
  ]);
  const all = [...batches.flat(), deadLetters];
  return SECTIONS.flatMap((section) => all.filter((r) => r.section === section));
}
