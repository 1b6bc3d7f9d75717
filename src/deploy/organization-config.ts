/**
 * The stage config's `organization:` and `accounts:` sections: a central security account
 * that receives the log groups and security-group calls of member accounts (through a
 * CloudWatch Logs destination backed by a Kinesis data stream, and an EventBridge bus), and
 * where each account's alerts go.
 */
import { z } from 'zod';
import { accountIdSchema, channelSchema, logGroupsSchema, regionSchema } from './config-parts';

/**
 * The stream and the `kinesis` function's event source mapping. One shard takes 1 MB/s or
 * 1,000 records/s in and gives 2 MB/s out; Lambda runs `shards × parallelizationFactor`
 * invocations at once (README, "Many accounts": sizing).
 */
const kinesisSchema = z
  .strictObject({
    /** Provisioned shards of the stream. */
    shards: z.number().int().min(1).max(500).default(1),
    /** How long the stream keeps a record: a failed batch can be read again within this time. */
    retentionHours: z.number().int().min(24).max(8760).default(24),
    /** Records (CloudWatch Logs deliveries, each many log events) per invocation at most. */
    batchSize: z.number().int().min(1).max(10_000).default(100),
    /** Seconds Lambda gathers records before invoking, unless the batch fills first. */
    batchWindowSeconds: z.number().int().min(0).max(300).default(5),
    /** Invocations per shard at once (records of one log stream stay in order). */
    parallelizationFactor: z.number().int().min(1).max(10).default(1),
    /** Retries of a failed batch before its description goes to the dead-letter queue; never unbounded, which would stall a shard. */
    maximumRetryAttempts: z.number().int().min(0).max(10_000).default(10),
  })
  .prefault({});

export const organizationSchema = z.strictObject({
  /** The central (security) account: where this stage is deployed. */
  centralAccount: accountIdSchema,
  /** The central stack's region: the stream, the bus and the functions are here. */
  homeRegion: regionSchema,
  /** The AWS Organizations id: every account of the organisation may send. Without it, only the accounts listed under `accounts:`. */
  id: z.string().regex(/^o-[a-z0-9]{10,32}$/, { error: 'an AWS Organizations id such as o-a1b2c3d4e5' }).optional(),
  /** The regions member stacks are deployed in (a destination must be in its log groups' region); default: the home region. */
  memberRegions: z.array(regionSchema).min(1).optional(),
  /** The log groups the member stack subscribes in each member account and region. */
  logGroups: logGroupsSchema,
  /** A role `klaxon doctor --member-account` assumes in a member (OrganizationAccountAccessRole, AWSControlTowerExecution…), unless --member-profile is given. */
  memberRoleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, { error: 'an IAM role name' })
    .optional(),
  kinesis: kinesisSchema,
});
export type OrganizationConfig = z.output<typeof organizationSchema>;
export type KinesisConfig = OrganizationConfig['kinesis'];

/** One account's routing: a friendly name for messages, and its channel (per region if need be). */
const accountRouteSchema = z.strictObject({
  /** Shown in messages as `cloud.account.name`; rules may match on it. */
  name: z.string().min(1).max(64).optional(),
  /** Where this account's alerts go when their rule names no channel (instead of slack.channel). */
  channel: channelSchema.optional(),
  /** A channel per region, over the account's. */
  regions: z.record(regionSchema, z.strictObject({ channel: channelSchema })).default({}),
});

export const accountsSchema = z.record(accountIdSchema, accountRouteSchema).default({});
export type AccountsConfig = z.output<typeof accountsSchema>;

/** The regions that need a destination: the members' and the home region. */
export function destinationRegions(organization: OrganizationConfig): string[] {
  return [...new Set([organization.homeRegion, ...(organization.memberRegions ?? [])])];
}

/** Who may send: the organisation, or the listed accounts. */
export type Senders = { organizationId: string } | { accounts: string[] };

export function sendersOf(organization: OrganizationConfig, accounts: AccountsConfig): Senders {
  return organization.id !== undefined ? { organizationId: organization.id } : { accounts: Object.keys(accounts).sort() };
}
