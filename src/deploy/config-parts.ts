/**
 * Schema pieces the stage config and its `organization:` section share: log group lists,
 * account ids, regions, Slack channels.
 */
import { z } from 'zod';

/** AWS log group names: 1-512 characters of `[.\-_/#A-Za-z0-9]`. */
const logGroupName = z
  .string()
  .regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, { error: 'a log group name is 1-512 characters of letters, digits and . - _ / #' });
const wafLogGroupName = logGroupName.refine((name) => name.startsWith('aws-waf-logs-'), {
  error: 'AWS WAF only logs to log groups whose name starts with "aws-waf-logs-"',
});

/** The log groups Klaxon subscribes to, by the parser that reads them. */
export const logGroupsSchema = z
  .strictObject({
    ssh: z.array(logGroupName).default([]),
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

/** Each log group with its parser, in the order the stage config lists them. */
export function logGroupRoutes(groups: LogGroups): Array<{ logGroup: string; source: 'ssh' | 'waf' | 'cloudtrail' }> {
  return [
    ...groups.ssh.map((logGroup) => ({ logGroup, source: 'ssh' as const })),
    ...groups.waf.map((logGroup) => ({ logGroup, source: 'waf' as const })),
    ...(groups.cloudtrail === undefined ? [] : [{ logGroup: groups.cloudtrail, source: 'cloudtrail' as const }]),
  ];
}
