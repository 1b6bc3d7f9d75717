/**
 * Schema pieces the stage config and its `organization:` section share: log group lists,
 * account ids, regions, Slack channels.
 */
import { z } from 'zod';
import { canonicalTimeZone } from '../sources/time-zone';

/** AWS log group names: 1-512 characters of `[.\-_/#A-Za-z0-9]`. */
const logGroupName = z
  .string()
  .regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, { error: 'a log group name is 1-512 characters of letters, digits and . - _ / #' });
const wafLogGroupName = logGroupName.refine((name) => name.startsWith('aws-waf-logs-'), {
  error: 'AWS WAF only logs to log groups whose name starts with "aws-waf-logs-"',
});

/** An IANA zone name, as Intl (the Lambda's and the CLI's Node) knows it. */
const timeZoneName = z.string().refine((name) => canonicalTimeZone(name) !== undefined, {
  error: 'an IANA time zone name such as UTC, Europe/Berlin or America/New_York',
});

/**
 * An SSH log group: its name, or its name and the zone its hosts write timestamps without an
 * offset in (RFC3164 `Mar  3 06:47:42`); UTC when not given.
 */
const sshLogGroup = z.union([logGroupName, z.strictObject({ name: logGroupName, timezone: timeZoneName })]);
type SshLogGroup = z.output<typeof sshLogGroup>;

/** The log groups Klaxon subscribes to, by the parser that reads them. */
export const logGroupsSchema = z
  .strictObject({
    ssh: z.array(sshLogGroup).default([]),
    waf: z.array(wafLogGroupName).default([]),
    /** The log group a CloudTrail trail delivers to: gets the CIS security-group metric filter and a subscription. */
    cloudtrail: logGroupName.optional(),
  })
  .prefault({});
export type LogGroups = z.output<typeof logGroupsSchema>;

/** An AWS region name, as `--region` takes it. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
export const regionSchema = z.string().regex(REGION_PATTERN, { error: 'an AWS region such as eu-west-1' });

/** Twelve digits; YAML reads an unquoted id with a leading zero as a shorter number, hence the hint. */
export const accountIdSchema = z
  .string()
  .regex(/^\d{12}$/, { error: 'an AWS account id: 12 digits (quote it, "012345678901", when it starts with 0)' });

/** A Slack channel name (`#security-alerts`) or id (`C0123456789`). */
export const channelSchema = z.string().min(1);

function sshName(group: SshLogGroup): string {
  return typeof group === 'string' ? group : group.name;
}

/** The names of the SSH log groups, zoned or not. */
export function sshLogGroupNames(groups: LogGroups): string[] {
  return groups.ssh.map(sshName);
}

/** The SSH log groups that name a zone, with it (KLAXON_LOG_GROUP_TIMEZONES). */
export function logGroupTimeZones(groups: LogGroups): Array<{ logGroup: string; timeZone: string }> {
  return groups.ssh.flatMap((group) => (typeof group === 'string' ? [] : [{ logGroup: group.name, timeZone: group.timezone }]));
}

/** KLAXON_LOG_GROUP_TIMEZONES for the functions: `GROUP=Zone` pairs, comma-separated. */
export function logGroupTimeZonesVariable(groups: LogGroups): string {
  return logGroupTimeZones(groups)
    .map((z) => `${z.logGroup}=${z.timeZone}`)
    .join(',');
}

/** Each log group with its parser, in the order the stage config lists them. */
export function logGroupRoutes(groups: LogGroups): Array<{ logGroup: string; source: 'ssh' | 'waf' | 'cloudtrail' }> {
  return [
    ...sshLogGroupNames(groups).map((logGroup) => ({ logGroup, source: 'ssh' as const })),
    ...groups.waf.map((logGroup) => ({ logGroup, source: 'waf' as const })),
    ...(groups.cloudtrail === undefined ? [] : [{ logGroup: groups.cloudtrail, source: 'cloudtrail' as const }]),
  ];
}
