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

/** sshd's authentication methods (auth2.c), as they appear in its Failed/Accepted lines. */
const SSH_METHODS = ['password', 'publickey', 'keyboard-interactive', 'hostbased', 'gssapi-with-mic', 'none'];

/**
 * Which log groups each alarm's metric filter goes on, and its pattern. The SSH ones count
 * the same sshd message families as the rules (test/deploy/filter-patterns.test.ts checks it):
 * failures as ssh-brute-force counts them (Failed by any method, Invalid user, not allowed
 * because AllowUsers/DenyUsers), logins by any method. A filter cannot test an address
 * range, so the login alarm counts logins from ssh-login's trusted networks too.
 */
export const METRIC_FILTERS: Record<AlarmName, { source: Exclude<EventSource, 'alarm'>; pattern: string }> = {
  failedSshLogins: { source: 'ssh', pattern: [...SSH_METHODS.map((m) => `?"Failed ${m}"`), '?"Invalid user"', '?"not allowed because"'].join(' ') },
  successfulSshLogins: { source: 'ssh', pattern: SSH_METHODS.filter((m) => m !== 'none').map((m) => `?"Accepted ${m}"`).join(' ') },
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
