/**
 * The member side of "many accounts", as CloudFormation templates generated from the stage
 * config (`klaxon member-template`), to deploy as a stack or a StackSet over an OU:
 *
 * - `member`: in each member account and region, a subscription filter on each of
 *   `organization.logGroups` to the central destination of that region, and an EventBridge
 *   rule forwarding the security-group calls to the central account's members bus (with the
 *   role EventBridge assumes to put them there).
 * - `destination`: in the central account, in each member region other than the home region
 *   (a log group can only subscribe to a destination of its own region): a destination that
 *   puts into the home region's stream.
 */
import { FILTER_REGION_SEPARATOR } from '../sources/awslogs';
import { arnIn, type Resource, type Template } from './cfn';
import { logGroupRoutes } from './config-parts';
import type { StageConfig } from './config';
import { serviceRole } from './iam';
import type { StageNames } from './names';
import { destinationResource, memberDestinationRoleArn, memberEventBusArn, memberStreamArn } from './organization';
import { EVENT_BRIDGE_RETRY_POLICY } from './stack';
import type { OrganizationConfig } from './organization-config';
import { securityGroupEventPattern, SUBSCRIPTION_PATTERNS } from './patterns';

export class MemberTemplateError extends Error {
  override name = 'MemberTemplateError';
}

function organizationOf(config: StageConfig, file: string): OrganizationConfig {
  if (config.organization === undefined) throw new MemberTemplateError(`${file} has no organization: section, so there is no central account for members to send to (README, "Many accounts")`);
  return config.organization;
}

/** The central destination of the stack's region (a member stack's region), by ARN. */
function destinationArn(organization: OrganizationConfig, names: StageNames): unknown {
  return arnIn('logs', '${AWS::Region}', organization.centralAccount, `destination:${names.memberDestination}`);
}

/** The member stack: subscription filters to the central destination, and the security-group calls forwarded to the central bus. */
export function memberTemplate(config: StageConfig, names: StageNames, file: string): Template {
  const organization = organizationOf(config, file);
  const resources: Record<string, Resource> = {};
  const counts = new Map<string, number>();
  for (const { logGroup, source } of logGroupRoutes(organization.logGroups)) {
    const n = (counts.get(source) ?? 0) + 1;
    counts.set(source, n);
    resources[`${source.charAt(0).toUpperCase()}${source.slice(1)}SubscriptionFilter${n}`] = {
      Type: 'AWS::Logs::SubscriptionFilter',
      Properties: {
        // NAME@REGION: what tells the central account which region a delivery came from.
        FilterName: { 'Fn::Sub': `${names.memberSubscriptionFilter(source)}${FILTER_REGION_SEPARATOR}\${AWS::Region}` },
        LogGroupName: logGroup,
        FilterPattern: SUBSCRIPTION_PATTERNS[source],
        DestinationArn: destinationArn(organization, names),
      },
    };
  }
  const busArn = memberEventBusArn(organization, names);
  resources.ForwardRole = serviceRole(
    config,
    'events.amazonaws.com',
    names.memberForwardRule,
    [{ Sid: 'PutIntoCentralBus', Effect: 'Allow', Action: ['events:PutEvents'], Resource: [busArn] }],
    { condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
  );
  resources.ForwardRule = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: names.memberForwardRule,
      Description: `Klaxon (${names.stage}): security-group calls to the central account's bus ${names.memberEventBus}`,
      EventPattern: securityGroupEventPattern(),
      State: 'ENABLED',
      Targets: [
        {
          Id: 'central-bus',
          Arn: busArn,
          RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: EVENT_BRIDGE_RETRY_POLICY.maximumEventAge, MaximumRetryAttempts: EVENT_BRIDGE_RETRY_POLICY.maximumRetryAttempts },
        },
      ],
    },
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Klaxon (${names.stage}) member account: log groups and security-group calls to the central account ${organization.centralAccount}`,
    Resources: resources,
    Outputs: { ForwardRuleArn: { Value: { 'Fn::GetAtt': ['ForwardRule', 'Arn'] } } },
  };
}

/** The central account's destination in a member region other than the home region. */
export function destinationTemplate(config: StageConfig, names: StageNames, file: string): Template {
  const organization = organizationOf(config, file);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Klaxon (${names.stage}) central account, a member region: the destination that puts into the stream ${names.memberStream} in ${organization.homeRegion}`,
    Resources: {
      MemberDestination: destinationResource(config, names, memberDestinationRoleArn(organization, names), memberStreamArn(organization, names)),
    },
    Outputs: { DestinationArn: { Value: { 'Fn::GetAtt': ['MemberDestination', 'Arn'] } } },
  };
}
