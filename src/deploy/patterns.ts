/**
 * CloudWatch Logs filter patterns and the EventBridge pattern: what reaches Klaxon is
 * filtered at the source, so a busy log group costs no Lambda time for lines no rule reads.
 */
import type { EventSource } from '../events/event';
import { SECURITY_GROUP_EVENTS } from '../sources/security-group';
import type { AlarmName } from './config';

/**
 * Subscription filters, one per log group. sshd and sudo lines only (terms match the
 * `sshd[123]:` and `sshd-session[123]:` program names as tokens); WAF records whose action
 * is not ALLOW; for a CloudTrail log group, the security-group calls.
 */
export const SUBSCRIPTION_PATTERNS: Record<Exclude<EventSource, 'alarm'>, string> = {
  ssh: '?sshd ?sudo',
  waf: '{ $.action != "ALLOW" }',
  cloudtrail: `{ ($.eventSource = "ec2.amazonaws.com") && (${[...SECURITY_GROUP_EVENTS].map((name) => `($.eventName = "${name}")`).join(' || ')}) }`,
};

/** Which log groups each alarm's metric filter goes on, and its pattern. */
export const METRIC_FILTERS: Record<AlarmName, { source: Exclude<EventSource, 'alarm'>; pattern: string }> = {
  failedSshLogins: { source: 'ssh', pattern: '?"Failed password" ?"Failed publickey" ?"Failed keyboard-interactive"' },
  successfulSshLogins: { source: 'ssh', pattern: '?"Accepted password" ?"Accepted publickey" ?"Accepted keyboard-interactive"' },
  wafBlockedRequests: { source: 'waf', pattern: '{ $.action = "BLOCK" }' },
  // CIS AWS Foundations Benchmark, "security group changes" (CloudWatch.10 / 4.10).
  securityGroupChanges: {
    source: 'cloudtrail',
    pattern:
      '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }',
  },
};

/** EventBridge: every security-group call CloudTrail records, management events through the default bus. */
export function securityGroupEventPattern(): Record<string, unknown> {
  return {
    source: ['aws.ec2'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      eventName: [...SECURITY_GROUP_EVENTS],
    },
  };
}
