/**
 * The central account's side of "many accounts" (stage config `organization:`): the Kinesis
 * data stream the members' log groups reach through a CloudWatch Logs destination (Lambda
 * cannot be a cross-account destination), the role CloudWatch Logs assumes to put records
 * into it, the destination of the home region, the event bus the members' EventBridge rules
 * forward security-group calls to (its policy scoped to the organisation), and the `kinesis`
 * function that consumes the stream. The member side is in member.ts.
 */
import { arnIn, type Resource, type Sub } from './cfn';
import { logGroupRoutes, logGroupTimeZonesVariable } from './config-parts';
import type { StageConfig } from './config';
import { serviceRole, roleId } from './iam';
import type { StageNames } from './names';
import { destinationRegions, sendersOf, type OrganizationConfig } from './organization-config';
import { securityGroupEventPattern } from './patterns';
import { GEOIP_PACKAGE_PATTERNS } from './geoip-files';

/** The logical ids of the central resources, which member.ts and the tests name too. */
export const MEMBER_STREAM = 'MemberStream';
export const MEMBER_DESTINATION = 'MemberDestination';
export const MEMBER_DESTINATION_ROLE = 'MemberDestinationRole';
export const MEMBER_EVENT_BUS = 'MemberEventBus';
export const MEMBER_EVENT_BUS_POLICY = 'MemberEventBusPolicy';

/** The stream's ARN in the home region, as a member region's destination names it. */
export function memberStreamArn(organization: OrganizationConfig, names: StageNames): Sub {
  return arnIn('kinesis', organization.homeRegion, organization.centralAccount, `stream/${names.memberStream}`);
}

/** The destination role's ARN (IAM is global: the destinations of every region share it). */
export function memberDestinationRoleArn(organization: OrganizationConfig, names: StageNames): Sub {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${organization.centralAccount}:role/${names.memberDestinationRole}` };
}

/** The central bus's ARN, as the members' rules target it. */
export function memberEventBusArn(organization: OrganizationConfig, names: StageNames): Sub {
  return arnIn('events', organization.homeRegion, organization.centralAccount, `event-bus/${names.memberEventBus}`);
}

/**
 * Who may subscribe a log group to the destination (its access policy, a JSON string):
 * any account of the organisation, or the listed accounts, on the destination of the
 * stack's own region.
 */
export function destinationPolicy(config: StageConfig, names: StageNames): Sub {
  const organization = config.organization as OrganizationConfig;
  const senders = sendersOf(organization, config.accounts);
  const statement = {
    Sid: 'MemberSubscriptions',
    Effect: 'Allow',
    Principal: 'organizationId' in senders ? { AWS: '*' } : { AWS: senders.accounts },
    Action: 'logs:PutSubscriptionFilter',
    Resource: `arn:\${AWS::Partition}:logs:\${AWS::Region}:${organization.centralAccount}:destination:${names.memberDestination}`,
    ...('organizationId' in senders ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': senders.organizationId } } } : {}),
  };
  return { 'Fn::Sub': JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) };
}

/** A destination in the stack's region that puts into the home region's stream. */
export function destinationResource(config: StageConfig, names: StageNames, roleArn: unknown, streamArn: unknown): Resource {
  return {
    Type: 'AWS::Logs::Destination',
    Properties: { DestinationName: names.memberDestination, RoleArn: roleArn, TargetArn: streamArn, DestinationPolicy: destinationPolicy(config, names) },
  };
}

/**
 * CloudWatch Logs may assume the destination role only on behalf of the senders' log groups
 * in the destination regions (and of this account: it checks a new destination with a test
 * record of its own); with an organisation, any account's, since the destination's policy
 * already admits its accounts only.
 */
function destinationTrust(config: StageConfig): Record<string, unknown> {
  const organization = config.organization as OrganizationConfig;
  const senders = sendersOf(organization, config.accounts);
  const accounts = 'organizationId' in senders ? ['*'] : [...new Set([organization.centralAccount, ...senders.accounts])];
  const sources = destinationRegions(organization).flatMap((region) => accounts.map((account) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:${region}:${account}:*` })));
  return { StringLike: { 'aws:SourceArn': sources } };
}

/**
 * The central stack's resources for member accounts: the stream (encrypted with the
 * AWS-managed key, which needs no grant), the destination role and the home region's
 * destination, the members' bus and its policy.
 */
export function organizationResources(config: StageConfig, names: StageNames): Record<string, Resource> {
  const organization = config.organization;
  if (organization === undefined) return {};
  const senders = sendersOf(organization, config.accounts);
  const busArn = { 'Fn::GetAtt': [MEMBER_EVENT_BUS, 'Arn'] };
  return {
    [MEMBER_STREAM]: {
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        Name: names.memberStream,
        ShardCount: organization.kinesis.shards,
        RetentionPeriodHours: organization.kinesis.retentionHours,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      },
    },
    [MEMBER_DESTINATION_ROLE]: serviceRole(
      config,
      'logs.amazonaws.com',
      names.memberDestinationRole,
      [{ Sid: 'PutIntoStream', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: [{ 'Fn::GetAtt': [MEMBER_STREAM, 'Arn'] }] }],
      { roleName: names.memberDestinationRole, condition: destinationTrust(config) },
    ),
    [MEMBER_DESTINATION]: destinationResource(config, names, { 'Fn::GetAtt': [MEMBER_DESTINATION_ROLE, 'Arn'] }, { 'Fn::GetAtt': [MEMBER_STREAM, 'Arn'] }),
    [MEMBER_EVENT_BUS]: { Type: 'AWS::Events::EventBus', Properties: { Name: names.memberEventBus } },
    [MEMBER_EVENT_BUS_POLICY]: {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: { Ref: MEMBER_EVENT_BUS },
        StatementId: 'MemberSecurityGroupCalls',
        Statement: {
          Effect: 'Allow',
          Principal: 'organizationId' in senders ? '*' : { AWS: senders.accounts },
          Action: 'events:PutEvents',
          Resource: busArn,
          ...('organizationId' in senders ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': senders.organizationId } } } : {}),
        },
      },
    },
  };
}

/** The `kinesis` function for serverless.yml (functions are merged from a list), or none without `organization:`. */
export function organizationFunctions(config: StageConfig): Record<string, unknown> {
  const organization = config.organization;
  if (organization === undefined) return {};
  const { kinesis } = organization;
  return {
    kinesis: {
      handler: 'handlers/kinesis.handler',
      description: "Member accounts' log groups (a CloudWatch Logs destination's Kinesis stream) through the rules to Slack",
      role: roleId('kinesis'),
      package: { patterns: GEOIP_PACKAGE_PATTERNS },
      environment: {
        KLAXON_LOG_GROUP_SOURCES: logGroupRoutes(organization.logGroups).map((r) => `${r.logGroup}=${r.source}`).join(','),
        KLAXON_LOG_GROUP_TIMEZONES: logGroupTimeZonesVariable(organization.logGroups),
      },
      events: [
        {
          stream: {
            type: 'kinesis',
            arn: { 'Fn::GetAtt': [MEMBER_STREAM, 'Arn'] },
            startingPosition: 'LATEST',
            batchSize: kinesis.batchSize,
            batchWindow: kinesis.batchWindowSeconds,
            parallelizationFactor: kinesis.parallelizationFactor,
            maximumRetryAttempts: kinesis.maximumRetryAttempts,
            bisectBatchOnFunctionError: true,
            functionResponseType: 'ReportBatchItemFailures',
            // A batch given up on is described (shard, sequence numbers) in the dead-letter queue; its records stay in the stream for retentionHours.
            destinations: { onFailure: { arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, type: 'sqs' } },
          },
        },
      ],
    },
  };
}

/**
 * The `cloudtrail` function's EventBridge rules: security-group calls on this account's
 * default bus, and with `organization:` the members' calls on their bus. EventBridge retries
 * each target, then puts the event in the dead-letter queue.
 */
export function cloudtrailEvents(config: StageConfig, names: StageNames, retryPolicy: Record<string, number>): Array<{ eventBridge: Record<string, unknown> }> {
  const rule = (name: string, bus?: unknown) => ({
    eventBridge: {
      name,
      ...(bus === undefined ? {} : { eventBus: bus }),
      pattern: securityGroupEventPattern(),
      retryPolicy,
      deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
    },
  });
  return [rule(names.securityGroupRule), ...(config.organization === undefined ? [] : [rule(names.memberSecurityGroupRule, { 'Fn::GetAtt': [MEMBER_EVENT_BUS, 'Name'] })])];
}
