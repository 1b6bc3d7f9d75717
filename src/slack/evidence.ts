/**
 * The evidence part of an alert: one sample log line in a code block, and links to where the
 * rest of the evidence lives in the AWS console (log group, CloudTrail event, alarm, web ACL).
 */
import type { Alert } from '../engine/alert';
import { escapeCodeBlock, escapeMrkdwn } from './escape';
import { truncate } from './limits';
import { cloudTrailEventUrl, cloudWatchAlarmUrl, cloudWatchLogsUrl, safeLinkUrl, wafWebAclUrl } from './console-links';
import type { FieldLookup } from './placeholders';

/** How much of the sample log line to show: enough to recognise it, short enough to read. */
export const SAMPLE_MAX_LENGTH = 1500;
export const SAMPLE_HEADING = '*Sample event*';

/** The first sample event's `event.original` as a mrkdwn code block, or undefined when there is none. */
export function sampleCodeBlock(alert: Alert, lookup: FieldLookup): string | undefined {
  if (alert.samples.length === 0) return undefined;
  const original = lookup('event.original');
  if (original.trim() === '') return undefined;
  return `${SAMPLE_HEADING}\n\`\`\`\n${truncate(escapeCodeBlock(original), SAMPLE_MAX_LENGTH)}\n\`\`\``;
}

export interface EvidenceLink {
  label: string;
  url: string;
}

/** Console links for the alert's evidence, plus the rule's runbook; only those that can be built. */
export function evidenceLinks(alert: Alert, lookup: FieldLookup, defaultRegion = ''): EvidenceLink[] {
  const links: EvidenceLink[] = [];
  const add = (label: string, url: string | undefined): void => {
    if (url !== undefined) links.push({ label, url });
  };
  const region = lookup('cloud.region') || lookup('awsRegion') || defaultRegion;
  const logGroup = lookup('aws.cloudwatch.log_group');
  if (logGroup !== '') add('CloudWatch Logs', cloudWatchLogsUrl(region, logGroup, lookup('aws.cloudwatch.log_stream')));
  if (alert.sources.includes('cloudtrail') || alert.samples[0]?.source === 'cloudtrail') {
    add('CloudTrail event', cloudTrailEventUrl(region, lookup('event.id') || lookup('eventID')));
  }
  if (alert.sources.includes('alarm') || alert.samples[0]?.source === 'alarm') {
    add('CloudWatch alarm', cloudWatchAlarmUrl(region, lookup('rule.name')));
  }
  const webAcl = lookup('aws.waf.web_acl.id') || lookup('webaclId');
  if (webAcl !== '') add('WAF web ACL', wafWebAclUrl(webAcl));
  if (alert.runbook !== undefined) add('Runbook', safeLinkUrl(alert.runbook));
  return links;
}

/** A link as Slack markup. The URL is one Klaxon built (or checked), so only `&` needs escaping. */
export function linkMarkup(link: EvidenceLink): string {
  return `<${escapeMrkdwn(link.url)}|${escapeMrkdwn(link.label)}>`;
}

/** The runbook as plain (escaped) text when it is not a link Klaxon can vouch for. */
export function runbookText(alert: Alert): string | undefined {
  if (alert.runbook === undefined || alert.runbook.trim() === '' || safeLinkUrl(alert.runbook) !== undefined) return undefined;
  return `Runbook: ${escapeMrkdwn(alert.runbook.trim())}`;
}
