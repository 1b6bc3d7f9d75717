/** CloudFormation shapes and ARNs the deploy modules build. */

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  Condition?: string;
  DeletionPolicy?: 'Retain' | 'Delete';
  UpdateReplacePolicy?: 'Retain' | 'Delete';
}

export interface Template {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Description?: string; Value: unknown }>;
}

export type Sub = { 'Fn::Sub': string };

/** `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<resource>` for the stack's own account and region. */
export function ownArn(service: string, resource: string): Sub {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}` };
}

/** An ARN in a named account and region (`region` may itself be `${AWS::Region}`); IAM ARNs have no region. */
export function arnIn(service: string, region: string, account: string, resource: string): Sub {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:${service}:${region}:${account}:${resource}` };
}

/** An IAM role's trust policy: `principal` may assume it, on `condition` when given. */
export function trustPolicy(principal: Record<string, unknown>, condition?: Record<string, unknown>): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(condition === undefined ? {} : { Condition: condition }) }],
  };
}
