/**
 * One IAM role per function, each statement scoped to this stage's own resources. No
 * statement needs a wildcard resource: metrics go out as CloudWatch EMF log lines (no
 * cloudwatch:PutMetricData, which accepts no resource), and the SecureString parameters
 * decrypt under the AWS-managed aws/ssm key, whose key policy already allows use through SSM
 * by the account's principals (a customer-managed key is granted by ARN, through SSM only).
 */
import { ownArn, trustPolicy, type Resource } from './cfn';
import type { StageConfig } from './config';
import { ASYNC_FUNCTIONS, deployedFunctions, logicalId, type FunctionKey, type StageNames } from './names';

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, unknown>;
}

const arn = ownArn;

/** An SSM parameter's ARN: the name's leading slash is not repeated after `parameter`. */
function parameterArn(name: string): { 'Fn::Sub': string } {
  return arn('ssm', `parameter/${name.replace(/^\//, '')}`);
}

/** The functions whose failures go to the dead-letter queue: the asynchronous ones, and `kinesis` (its mapping's on-failure destination). */
export const DEAD_LETTER_FUNCTIONS: readonly FunctionKey[] = [...ASYNC_FUNCTIONS, 'kinesis'];

/**
 * What each function may do: the state table for all; the bot token for all; the signing
 * secret for `slack` only; the dead-letter queue for those that fail there; reading the
 * member accounts' stream for `kinesis` (what Lambda's event source mapping does as the function).
 */
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
  if (DEAD_LETTER_FUNCTIONS.includes(fn)) {
    statements.push({ Sid: 'DeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }] });
  }
  if (fn === 'kinesis') {
    statements.push({
      Sid: 'MemberStream',
      Effect: 'Allow',
      Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      Resource: [{ 'Fn::GetAtt': ['MemberStream', 'Arn'] }],
    });
  }
  return statements;
}

/** An IAM role for `principal` (a service) with one inline policy, under the stage's permissions boundary. */
export function serviceRole(
  config: Pick<StageConfig, 'permissionsBoundary'>,
  principal: string,
  policyName: string,
  statements: readonly Statement[],
  options: { roleName?: string; condition?: Record<string, unknown> } = {},
): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      ...(options.roleName === undefined ? {} : { RoleName: options.roleName }),
      AssumeRolePolicyDocument: trustPolicy({ Service: principal }, options.condition),
      Policies: [{ PolicyName: policyName, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      ...(config.permissionsBoundary === undefined ? {} : { PermissionsBoundary: config.permissionsBoundary }),
    },
  };
}

/** The roles as CloudFormation resources, `LogsRole` etc., each assumable by Lambda only. */
export function functionRoles(config: StageConfig, names: StageNames): Record<string, Resource> {
  const roles: Record<string, Resource> = {};
  for (const fn of deployedFunctions(config)) roles[roleId(fn)] = serviceRole(config, 'lambda.amazonaws.com', names.functionName(fn), statementsFor(fn, config, names));
  return roles;
}

/** The logical id of a function's role, which `serverless.yml` names as the function's `role`. */
export function roleId(fn: FunctionKey): string {
  return `${logicalId(fn)}Role`;
}
