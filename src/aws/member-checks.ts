/**
 * `klaxon doctor --member-account ID`: a member account's wiring to the central stage, as
 * `klaxon member-template` describes it (src/deploy/member.ts). In the member account and
 * region: a subscription filter on each of `organization.logGroups` to the central
 * destination of that region, and the EventBridge rule that forwards security-group calls to
 * the central bus (with a role). In the central account: the destination of that region. It
 * only reads; the member is reached with a profile (`--member-profile`) or by assuming the
 * role `organization.memberRoleName` names.
 */
import { CloudWatchLogsClient, DescribeDestinationsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { logGroupRoutes } from '../deploy/config-parts';
import type { StageNames } from '../deploy/names';
import type { OrganizationConfig } from '../deploy/organization-config';
import { SUBSCRIPTION_PATTERNS } from '../deploy/patterns';
import { FILTER_REGION_SEPARATOR } from '../sources/awslogs';
import { awsFailure, checkResult as result, errorName, ruleTargets, securityGroupPatternProblems, subscriptionFilters, type CheckResult } from './doctor-checks';

export interface MemberClients {
  /** In the member account, in the member region. */
  logs: CloudWatchLogsClient;
  events: EventBridgeClient;
  /** In the central account (the doctor's own credentials), in the member region: its destination. */
  centralLogs: CloudWatchLogsClient;
}

export interface MemberContext {
  stage: string;
  account: string;
  region: string;
  names: StageNames;
  organization: OrganizationConfig;
  clients: MemberClients;
  /** How the member was reached, for the report. */
  reachedAs: string;
}

/** How to reach the member: a named profile, else the organisation's role, else nothing. */
export function memberCredentials(account: string, region: string, organization: OrganizationConfig, profile?: string): { credentials: ReturnType<typeof fromIni>; reachedAs: string } | undefined {
  if (profile !== undefined) return { credentials: fromIni({ profile }), reachedAs: `profile ${profile}` };
  if (organization.memberRoleName === undefined) return undefined;
  const roleArn = `arn:aws:iam::${account}:role/${organization.memberRoleName}`;
  return { credentials: fromTemporaryCredentials({ params: { RoleArn: roleArn, RoleSessionName: 'klaxon-doctor' }, clientConfig: { region } }), reachedAs: `role ${roleArn}` };
}

/** Clients in the member (with `credentials`) and in the central account, both in `region`. */
export function memberClients(region: string, credentials: ReturnType<typeof fromIni>): MemberClients {
  return { logs: new CloudWatchLogsClient({ region, credentials }), events: new EventBridgeClient({ region, credentials }), centralLogs: new CloudWatchLogsClient({ region }) };
}

const MEMBER_TEMPLATE = (ctx: MemberContext) =>
  `npx klaxon member-template --stage ${ctx.stage}, then deploy .klaxon/${ctx.stage}/klaxon-${ctx.stage}-member.json in ${ctx.account} ${ctx.region} (README, "Many accounts")`;

/** The destination a member's filter must name: `…:logs:REGION:CENTRAL:destination:NAME`, in any partition. */
function isCentralDestination(arn: string | undefined, ctx: MemberContext): boolean {
  return arn !== undefined && /^arn:aws[a-z-]*:logs:/.test(arn) && arn.endsWith(`:logs:${ctx.region}:${ctx.organization.centralAccount}:destination:${ctx.names.memberDestination}`);
}

async function checkMemberLogGroup(ctx: MemberContext, logGroup: string, source: 'ssh' | 'waf' | 'cloudtrail'): Promise<CheckResult> {
  const section = 'Member subscription filters';
  const title = `${logGroup} (${source}) in ${ctx.account}`;
  try {
    const filters = await subscriptionFilters(ctx.clients.logs, logGroup);
    const ours = filters.find((f) => isCentralDestination(f.destinationArn, ctx));
    if (ours === undefined) {
      const present = filters.map((f) => `present: ${f.filterName ?? '?'} → ${f.destinationArn ?? '?'}`);
      return result(section, 'fail', `${title}: no subscription filter sends it to the central destination ${ctx.names.memberDestination}`, [...present, 'the central account receives nothing from this log group'], [MEMBER_TEMPLATE(ctx)]);
    }
    const problems: string[] = [];
    if ((ours.filterPattern ?? '') !== SUBSCRIPTION_PATTERNS[source]) problems.push(`its pattern is ${JSON.stringify(ours.filterPattern ?? '')}, expected ${JSON.stringify(SUBSCRIPTION_PATTERNS[source])}`);
    const expectedName = `${ctx.names.memberSubscriptionFilter(source)}${FILTER_REGION_SEPARATOR}${ctx.region}`;
    if (ours.filterName !== expectedName) problems.push(`it is named ${ours.filterName ?? '?'}, not ${expectedName}: the central account cannot tell its region (cloud.region), so region channels do not apply`);
    if (problems.length > 0) return result(section, 'warn', `${title} → the central destination, not as the member template writes it`, problems, [MEMBER_TEMPLATE(ctx)]);
    return result(section, 'ok', `${title} → ${ours.destinationArn ?? ''} (filter ${ours.filterName ?? '?'})`);
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') {
      return result(section, 'fail', `${title}: the log group does not exist in ${ctx.region}`, ['a member stack cannot subscribe to it (its deployment fails there)'], [`create it in the member: aws logs create-log-group --log-group-name ${logGroup} --region ${ctx.region}`]);
    }
    return awsFailure(section, title, err, 'logs:DescribeSubscriptionFilters', ctx.region, `log group "${logGroup}"`);
  }
}

async function checkForwardRule(ctx: MemberContext): Promise<CheckResult[]> {
  const section = 'Member EventBridge rule';
  const rule = ctx.names.memberForwardRule;
  const busSuffix = `:events:${ctx.organization.homeRegion}:${ctx.organization.centralAccount}:event-bus/${ctx.names.memberEventBus}`;
  const out: CheckResult[] = [];
  try {
    const described = await ctx.clients.events.send(new DescribeRuleCommand({ Name: rule }));
    const problems: string[] = [];
    if (described.State !== 'ENABLED') problems.push(`it is ${described.State ?? 'in no state'}`);
    problems.push(...securityGroupPatternProblems(described.EventPattern));
    out.push(problems.length > 0 ? result(section, 'fail', `rule ${rule} in ${ctx.account} ${ctx.region}: not as deployed`, problems, [MEMBER_TEMPLATE(ctx)]) : result(section, 'ok', `rule ${rule} in ${ctx.account} ${ctx.region}: ENABLED, pattern as deployed`));
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return [result(section, 'fail', `rule ${rule}: missing in ${ctx.account} ${ctx.region}`, ['no security-group call made there reaches the central account'], [MEMBER_TEMPLATE(ctx)])];
    return [awsFailure(section, `rule ${rule}`, err, 'events:DescribeRule', ctx.region)];
  }
  try {
    const targets = await ruleTargets(ctx.clients.events, rule);
    const central = targets.find((t) => t.Arn?.endsWith(busSuffix) === true);
    if (central === undefined) {
      out.push(result(section, 'fail', `rule ${rule}: the central bus ${ctx.names.memberEventBus} (${ctx.organization.centralAccount}, ${ctx.organization.homeRegion}) is not a target`, [`targets: ${targets.map((t) => t.Arn ?? '?').join(', ') || 'none'}`], [MEMBER_TEMPLATE(ctx)]));
    } else if (central.RoleArn === undefined) {
      out.push(result(section, 'fail', `rule ${rule} → ${central.Arn ?? ''}: without a role`, ['EventBridge needs a role to put events on a bus of another account or region'], [MEMBER_TEMPLATE(ctx)]));
    } else out.push(result(section, 'ok', `rule ${rule} → ${central.Arn ?? ''} (role ${central.RoleArn})`));
  } catch (err) {
    out.push(awsFailure(section, `targets of rule ${rule}`, err, 'events:ListTargetsByRule', ctx.region));
  }
  return out;
}

async function checkDestination(ctx: MemberContext): Promise<CheckResult> {
  const section = 'Central destination';
  const name = ctx.names.memberDestination;
  try {
    const { destinations } = await ctx.clients.centralLogs.send(new DescribeDestinationsCommand({ DestinationNamePrefix: name }));
    const found = (destinations ?? []).find((d) => d.destinationName === name);
    const home = ctx.organization.homeRegion;
    if (found === undefined) {
      const fix =
        ctx.region === home
          ? `deploy the central stage: npx serverless deploy --stage ${ctx.stage} --region ${home}`
          : `deploy .klaxon/${ctx.stage}/klaxon-${ctx.stage}-destination.json in the central account in ${ctx.region} (npx klaxon member-template --stage ${ctx.stage} writes it)`;
      return result(section, 'fail', `${name}: missing in ${ctx.region}`, ["a log group can only send to a destination in its own region: this region's members send nowhere"], [fix]);
    }
    const policy = found.accessPolicy ?? '';
    const admits = policy.includes(ctx.account) || (ctx.organization.id !== undefined && policy.includes(ctx.organization.id));
    if (!admits) {
      return result(section, 'fail', `${name} in ${ctx.region}: its access policy admits neither ${ctx.account} nor the organisation`, [policy || 'no access policy'], [`list ${ctx.account} under accounts: (or set organization.id), then redeploy the central stage and the destination stacks`]);
    }
    return result(section, 'ok', `${name} in ${ctx.region} → ${found.targetArn ?? '?'}`);
  } catch (err) {
    return awsFailure(section, `destination ${name}`, err, 'logs:DescribeDestinations (in the central account)', ctx.region);
  }
}

/** Every member check, in report order. */
export async function runMemberChecks(ctx: MemberContext): Promise<CheckResult[]> {
  const routes = logGroupRoutes(ctx.organization.logGroups);
  const [filters, rule, destination] = await Promise.all([
    Promise.all(routes.map((r) => checkMemberLogGroup(ctx, r.logGroup, r.source))),
    checkForwardRule(ctx),
    checkDestination(ctx),
  ]);
  return [result('Member account', 'ok', `${ctx.account} in ${ctx.region}, reached as ${ctx.reachedAs}`), ...filters, ...rule, destination];
}
