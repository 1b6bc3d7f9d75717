/**
 * One IAM role per function, each statement scoped to this stage's own resources. No
 * statement needs a wildcard resource: metrics go out as CloudWatch EMF log lines (no
 * cloudwatch:PutMetricData, which accepts no resource), and the SecureString parameters
 * decrypt under the AWS-managed aws/ssm key, whose key policy already allows use through SSM
 * by the account's principals (a customer-managed key is granted by ARN, through SSM only).
 */
import type { StageConfig } from './config';
import { ASYNC_FUNCTIONS, FUNCTIONS, logicalId, type FunctionKey, type StageNames } from './names';

interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, unknown>;
}

/** `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<resource>` for this stack's account and region. */
function arn(service: string, resource: string): { 'Fn::Sub': string } {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}` };
}

/** An SSM parameter's ARN: the name's leading slash is not repeated after `parameter`. */
function parameterArn(name: string): { 'Fn::Sub': string } {
  return arn('ssm', `parameter/${name.replace(/^\//, '')}`);
}

/** What each function may do: the state table for all; the bot token for all; the signing secret for `slack` only; the dead-letter queue for the asynchronous ones. */
export function statementsFor(fn: FunctionKey, config: StageConfig, names: StageNames): Statement[] {
  const statements: Statement[] = [
    {
      Sid: 'OwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [arn('logs', `log-group:/aws/lambda/${names.functionName(fn)}:*`)],
    },
    {
      Sid: 'StateTable',
      Effect: 'Allow',
      // Only the slack function deletes (a lifted silence); the others never do.
      Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', ...(fn === 'slack' ? ['dynamodb:DeleteItem'] : []), 'dynamodb:PutItem', 'dynamodb:Query'],
      Resource: [{ 'Fn::GetAtt': ['StateTable', 'Arn'] }, { 'Fn::Sub': '${StateTable.Arn}/index/*' }],
    },
  ];
  const parameters = fn === 'slack' ? [names.botTokenParameter, names.signingSecretParameter] : [names.botTokenParameter];
  statements.push({ Sid: 'SlackSecrets', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: parameters.map(parameterArn) });
  if (config.kmsKeyArn !== undefined) {
    statements.push({
      Sid: 'SlackSecretsKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [config.kmsKeyArn],
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } },
    });
  }
  if (ASYNC_FUNCTIONS.includes(fn)) {
    statements.push({ Sid: 'DeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }] });
  }
  return statements;
}

/** The roles as CloudFormation resources, `LogsRole` etc., each assumable by Lambda only. */
export function functionRoles(config: StageConfig, names: StageNames): Record<string, { Type: string; Properties: Record<string, unknown> }> {
  const roles: Record<string, { Type: string; Properties: Record<string, unknown> }> = {};
  for (const fn of FUNCTIONS) {
    roles[roleId(fn)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [{ PolicyName: `${names.functionName(fn)}`, PolicyDocument: { Version: '2012-10-17', Statement: statementsFor(fn, config, names) } }],
        ...(config.permissionsBoundary === undefined ? {} : { PermissionsBoundary: config.permissionsBoundary }),
      },
    };
  }
  return roles;
}

/** The logical id of a function's role, which `serverless.yml` names as the function's `role`. */
export function roleId(fn: FunctionKey): string {
  return `${logicalId(fn)}Role`;
}
