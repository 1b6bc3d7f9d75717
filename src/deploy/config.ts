/**
 * The deployment config: one YAML file per stage (`deploy/<stage>.yml`) that says which log
 * groups Klaxon watches in the user's account, where alerts go and how the alarms are set.
 * `serverless.yml` reads it through `deploy/stack.js`; `klaxon doctor` reads the same file to
 * know what should exist. Errors are located (`file:line:col: message`) as in rule files.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../rules/duration';
import { formatProblem, Problems } from '../yaml/problems';
import { readYamlFile } from '../yaml/read-file';
import { readYaml, type YamlReadCode } from '../yaml/read-yaml';
import { reportZodIssues, type ShapeProblemCode } from '../yaml/zod-issues';
import { logGroupRoutes, logGroupsSchema, type LogGroups } from './config-parts';
import { accountsSchema, organizationSchema } from './organization-config';

/** Where the per-stage config files live, next to the example that `serverless package` falls back to. */
export const DEPLOY_DIR = resolve(__dirname, '..', '..', 'deploy');
export const EXAMPLE_CONFIG = 'example.yml';

/** The retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const duration = z.string().refine((text) => (parseDuration(text) ?? 0) >= 60_000 && (parseDuration(text) ?? 0) % 60_000 === 0, {
  error: 'a whole number of minutes, at least 1m (for example 5m, 1h)',
});

const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, { error: 'a KMS key ARN' });

function iamArn(kind: 'policy' | 'role') {
  return z.string().regex(new RegExp(`^arn:aws[a-z-]*:iam::(\\d{12}|aws):${kind}/[\\w+=,.@/-]+$`), { error: `an IAM ${kind} ARN` });
}

/** Reserved concurrent executions of one function, or false for none. */
function reservation(executions: number) {
  return z.union([z.number().int().min(1).max(1000), z.literal(false)]).default(executions);
}

/** One signal's alarm, alarming by default at `threshold` events in 5 minutes. */
function alarm(threshold: number) {
  return z
    .strictObject({
      /** Alarm when the count over `period` reaches this. */
      threshold: z.number().int().min(1).default(threshold),
      period: duration.default('5m'),
      /** false: no metric filter and no alarm for this signal. */
      enabled: z.boolean().default(true),
    })
    .prefault({});
}

const stageConfigSchema = z.strictObject({
  slack: z
    .strictObject({
      /** The channel for rules that name none (SLACK_CHANNEL). */
      channel: z.string().min(1),
      /** Slack user ids allowed to press the buttons and use `/klaxon`; empty: everyone in the channel. */
      allowedUsers: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'a Slack user id such as U012ABCDEF' })).default([]),
    }),
  logGroups: logGroupsSchema,
  alarms: z
    .strictObject({
      /** Also send alarm notifications to this address (an SNS email subscription to confirm once). */
      email: z.email().optional(),
      failedSshLogins: alarm(20),
      successfulSshLogins: alarm(1),
      wafBlockedRequests: alarm(100),
      securityGroupChanges: alarm(1),
      /**
       * A customer-managed KMS key for the alarm topic. Its key policy must let
       * cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*): CloudWatch cannot
       * publish to a topic under the AWS-managed aws/sns key.
       */
      topicKmsKeyArn: kmsKeyArn.optional(),
    })
    .prefault({}),
  /** Days CloudWatch keeps Klaxon's own logs; one year by default, as Control Tower's CT.CLOUDWATCH.PR.2 asks. */
  logRetentionDays: z
    .number()
    .refine((days) => RETENTION_DAYS.includes(days), { error: `CloudWatch keeps logs for one of these numbers of days: ${RETENTION_DAYS.join(', ')}` })
    .default(365),
  /** SSM parameter names hold the Slack secrets under this prefix (default `/klaxon/<stage>`). */
  parameterPrefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9_.-]+)+$/, { error: 'an SSM path such as /klaxon/prod' })
    .optional(),
  /** A customer-managed KMS key that encrypts the SecureString parameters; omit for the default aws/ssm key. */
  kmsKeyArn: kmsKeyArn.optional(),
  /**
   * Concurrent executions reserved for (and capping) the functions a flood reaches: bounds the
   * cost and the rate of Slack calls. false: no reservation (accounts at the default limit of 10).
   */
  reservedConcurrency: z
    .strictObject({ logs: reservation(10), cloudtrail: reservation(5) })
    .prefault({}),
  /** Tags on the stack, and through it on every resource that takes tags. */
  tags: z.record(z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, { error: 'a tag key: 1-128 letters, digits, spaces and _.:/=+-@' }).refine((key) => !key.startsWith('aws:'), { error: 'tag keys starting with "aws:" are reserved' }), z.string().max(256)).default({}),
  /** The IAM policy every role of the stack is bounded by (an organisation's guardrail). */
  permissionsBoundary: iamArn('policy').optional(),
  /** The role CloudFormation assumes to deploy the stack (osls `cfnRole`), instead of the deployer's own credentials. */
  cfnRole: iamArn('role').optional(),
  /** An existing S3 bucket for the deployment artifacts; omitted, the stack creates one (versioned, encrypted, public access blocked). */
  deploymentBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'an S3 bucket name' }).optional(),
  /** A customer-managed KMS key for Klaxon's own log groups (the functions' and the HTTP API's access log). */
  logKmsKeyArn: kmsKeyArn.optional(),
  /**
   * EventBridge sees security-group calls only while a CloudTrail trail logs management events
   * in the region. `createTrail`: the stack creates a multi-region trail and its bucket, for
   * accounts that have none (an organisation trail is the usual way).
   */
  cloudtrail: z
    .strictObject({
      createTrail: z.boolean().default(false),
      /** A KMS key for the trail's log files; its key policy must let cloudtrail.amazonaws.com use it. */
      kmsKeyArn: kmsKeyArn.optional(),
    })
    .prefault({}),
  /** Many accounts: this stage is the central account that member accounts send to (README, "Many accounts"). */
  organization: organizationSchema.optional(),
  /** Per account id: a friendly name shown in messages, and the channel its alerts go to. */
  accounts: accountsSchema,
});

export type StageConfig = z.output<typeof stageConfigSchema>;
export type AlarmName = keyof Omit<StageConfig['alarms'], 'email' | 'topicKmsKeyArn'>;

type ConfigProblemCode = YamlReadCode | ShapeProblemCode | 'DUPLICATE_LOG_GROUP' | 'NO_SENDERS';

export class DeployConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: the deployment config has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.join('\n')}`);
    this.name = 'DeployConfigError';
  }
}

/** Parses a config file's text; throws DeployConfigError listing every located problem. */
export function parseStageConfig(file: string, text: string): StageConfig {
  const problems = new Problems<ConfigProblemCode>(file);
  const yaml = readYaml(text, problems);
  if (yaml === undefined) throw new DeployConfigError(file, problems.list().map(formatProblem));
  const located = new Problems<ConfigProblemCode>(file, yaml.locator);
  const parsed = stageConfigSchema.safeParse(yaml.data ?? {});
  if (!parsed.success) {
    reportZodIssues(parsed.error.issues, stageConfigSchema, yaml.data, located);
    throw new DeployConfigError(file, located.list().map(formatProblem));
  }
  reportDuplicateLogGroups(parsed.data.logGroups, ['logGroups'], located);
  const { organization } = parsed.data;
  if (organization !== undefined) {
    reportDuplicateLogGroups(organization.logGroups, ['organization', 'logGroups'], located);
    if (organization.id === undefined && Object.keys(parsed.data.accounts).length === 0) {
      located.add('NO_SENDERS', ['organization'], 'name the organisation (id: o-…) or list the member accounts under accounts:, else no account may send');
    }
  }
  if (located.list().length > 0) throw new DeployConfigError(file, located.list().map(formatProblem));
  return parsed.data;
}

/** One log group, one parser: a group listed twice would get two subscription filters of Klaxon's and route ambiguously. */
function reportDuplicateLogGroups(groups: LogGroups, at: readonly string[], problems: Problems<ConfigProblemCode>): void {
  const seen = new Map<string, string>();
  const indexes = new Map<string, number>();
  for (const { logGroup, source } of logGroupRoutes(groups)) {
    const i = indexes.get(source) ?? 0;
    indexes.set(source, i + 1);
    const earlier = seen.get(logGroup);
    const path = source === 'cloudtrail' ? [...at, source] : [...at, source, i];
    if (earlier !== undefined) problems.add('DUPLICATE_LOG_GROUP', path, `log group "${logGroup}" is already listed under ${[...at, earlier].join('.')}; list each log group once`);
    else seen.set(logGroup, source);
  }
}

export interface LoadedStageConfig {
  config: StageConfig;
  file: string;
  /** True when the stage has no file of its own and the example stood in. */
  example: boolean;
}

/** What a stage name may be: it becomes part of AWS resource names. */
export const STAGE_NAME = /^[a-z][a-z0-9-]{0,15}$/;
export const STAGE_NAME_RULE = '1-16 lower-case letters, digits or -, starting with a letter (it becomes part of AWS resource names)';

/** Where the stage configs are: $KLAXON_DEPLOY_DIR, else the repository's deploy/. */
export function stageConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KLAXON_DEPLOY_DIR || DEPLOY_DIR;
}

/**
 * The config for `stage`: `deploy/<stage>.yml` (or in KLAXON_DEPLOY_DIR), else (`allowExample`) the shipped example,
 * so that `serverless package` works on a fresh clone. Deploying on the example would wire
 * Klaxon to log groups that are not the user's, so callers that deploy pass false.
 */
export function loadStageConfig(stage: string, options: { dir?: string; allowExample: boolean }): LoadedStageConfig {
  if (!STAGE_NAME.test(stage)) throw new DeployConfigError(`stage "${stage}"`, [`a stage name is ${STAGE_NAME_RULE}`]);
  const dir = options.dir ?? stageConfigDir();
  const own = join(dir, `${stage}.yml`);
  const example = !existsSync(own);
  if (example && !options.allowExample) {
    throw new DeployConfigError(own, [`${own}: no config for stage "${stage}": copy ${join(DEPLOY_DIR, EXAMPLE_CONFIG)} to it and list your log groups and Slack channel`]);
  }
  const file = example ? join(DEPLOY_DIR, EXAMPLE_CONFIG) : own;
  const text = readYamlFile(file);
  if (typeof text !== 'string') throw new DeployConfigError(file, [formatProblem(text)]);
  return { config: parseStageConfig(file, text), file, example };
}
