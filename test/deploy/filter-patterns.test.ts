/**
 * Issue 11, part 8: the deployed CloudWatch filter patterns see the lines the rules count.
 * Each pattern is evaluated with src/deploy/filter-pattern.ts (written from AWS's documented
 * syntax) over lines as OpenSSH writes them, next to what Klaxon's parser and rules make of
 * the same lines.
 */
import { join } from 'node:path';
import { matchesFilterPattern } from '../../src/deploy/filter-pattern';
import { METRIC_FILTERS, SUBSCRIPTION_PATTERNS } from '../../src/deploy/patterns';
import { loadRulesFromDir } from '../../src/rules/load';
import { parseAuthLine } from '../../src/sources/sshd';
import type { KlaxonEvent } from '../../src/events/event';

const rules = loadRulesFromDir(join(__dirname, '..', '..', 'rules'), { knownTemplates: ['ssh', 'waf', 'cloudtrail', 'alarm', 'default'] }).rules;
const rule = (id: string) => {
  const found = rules.find((r) => r.id === id);
  if (found === undefined) throw new Error(`no rule ${id}`);
  return found;
};

const PREFIX = 'Nov  2 10:00:00 bastion sshd[4242]: ';
/** sshd's own messages (auth.c, auth2.c, sshd.c), and neighbours that must not count. */
const LINES = [
  'Failed password for root from 203.0.113.5 port 22 ssh2',
  'Failed password for invalid user admin from 203.0.113.5 port 22 ssh2',
  'Failed publickey for root from 203.0.113.5 port 22 ssh2: ECDSA SHA256:q1w2e3',
  'Failed keyboard-interactive/pam for invalid user pi from 203.0.113.5 port 22 ssh2',
  'Failed none for invalid user test from 203.0.113.5 port 22 ssh2',
  'Failed hostbased for root from 203.0.113.5 port 22 ssh2: ED25519 SHA256:abc',
  'Failed gssapi-with-mic for alice from 203.0.113.5 port 22 ssh2',
  'Invalid user oracle from 203.0.113.9 port 41414',
  'User root from 203.0.113.9 not allowed because not listed in AllowUsers',
  'User bob from 203.0.113.9 not allowed because listed in DenyUsers',
  'Accepted password for alice from 198.51.100.10 port 52114 ssh2',
  'Accepted publickey for alice from 198.51.100.10 port 52114 ssh2: RSA SHA256:Zk3c',
  'Accepted keyboard-interactive/pam for alice from 198.51.100.10 port 52114 ssh2',
  'Accepted hostbased for alice from 198.51.100.10 port 52114 ssh2: ED25519 SHA256:abc',
  'Accepted gssapi-with-mic for alice from 198.51.100.10 port 52114 ssh2',
  'Did not receive identification string from 192.0.2.200 port 61000',
  'Connection closed by 203.0.113.5 port 22 [preauth]',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root',
  'Received disconnect from 203.0.113.5 port 22:11: Bye Bye [preauth]',
].map((m) => PREFIX + m);

function eventsOf(line: string): KlaxonEvent[] {
  const result = parseAuthLine(line, { year: 2024, now: Date.UTC(2024, 11, 1) });
  return result.status === 'ok' ? result.events : [];
}

/** The lines on which `counts` holds for some event. */
function countedBy(counts: (e: KlaxonEvent) => boolean): string[] {
  return LINES.filter((line) => eventsOf(line).some(counts));
}

describe('deployed filter patterns agree with the rules', () => {
  it('the failed-SSH metric filter counts exactly the lines ssh-brute-force counts', () => {
    const brute = rule('ssh-brute-force');
    expect(LINES.filter((l) => matchesFilterPattern(METRIC_FILTERS.failedSshLogins.pattern, l))).toEqual(countedBy((e) => brute.match(e)));
    expect(countedBy((e) => brute.match(e))).toHaveLength(10);
  });

  it('the successful-SSH metric filter counts every successful login, whatever the method (trusted networks included: a filter cannot test an address range)', () => {
    const success = (e: KlaxonEvent) => e.fields['event.action'] === 'ssh_login' && e.fields['event.outcome'] === 'success';
    expect(LINES.filter((l) => matchesFilterPattern(METRIC_FILTERS.successfulSshLogins.pattern, l))).toEqual(countedBy(success));
    expect(countedBy(success)).toHaveLength(5);
  });

  it('the SSH subscription passes every line an SSH rule can match', () => {
    const sshRules = rules.filter((r) => r.sources.includes('ssh'));
    for (const line of countedBy((e) => sshRules.some((r) => r.match(e)))) expect(matchesFilterPattern(SUBSCRIPTION_PATTERNS.ssh, line)).toBe(true);
  });

  it('the WAF patterns: every record but ALLOW reaches Klaxon; the metric counts BLOCK', () => {
    const record = (action: string) => JSON.stringify({ action, httpRequest: { clientIp: '192.0.2.1' } });
    expect(['BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE', 'ALLOW'].filter((a) => matchesFilterPattern(SUBSCRIPTION_PATTERNS.waf, record(a)))).toEqual(['BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE']);
    expect(matchesFilterPattern(METRIC_FILTERS.wafBlockedRequests.pattern, record('BLOCK'))).toBe(true);
    expect(matchesFilterPattern(METRIC_FILTERS.wafBlockedRequests.pattern, record('COUNT'))).toBe(false);
  });

  it('the CloudTrail patterns select the security-group calls', () => {
    const call = (eventName: string) => JSON.stringify({ eventSource: 'ec2.amazonaws.com', eventName });
    expect(matchesFilterPattern(SUBSCRIPTION_PATTERNS.cloudtrail, call('AuthorizeSecurityGroupIngress'))).toBe(true);
    expect(matchesFilterPattern(SUBSCRIPTION_PATTERNS.cloudtrail, call('DescribeInstances'))).toBe(false);
    expect(matchesFilterPattern(METRIC_FILTERS.securityGroupChanges.pattern, call('DeleteSecurityGroup'))).toBe(true);
    expect(matchesFilterPattern(METRIC_FILTERS.securityGroupChanges.pattern, call('RunInstances'))).toBe(false);
  });
});

describe('the filter-pattern evaluator', () => {
  it('reads terms, phrases, ? and - as AWS documents them', () => {
    expect(matchesFilterPattern('ERROR', '[ERROR 400] BAD REQUEST')).toBe(true);
    expect(matchesFilterPattern('ERROR Exception', 'ERROR only')).toBe(false);
    expect(matchesFilterPattern('?ERROR ?Exception', 'an Exception')).toBe(true);
    expect(matchesFilterPattern('"ERROR 400"', '[ERROR 400] BAD REQUEST')).toBe(true);
    expect(matchesFilterPattern('"error 400"', '[ERROR 400] BAD REQUEST')).toBe(false);
    expect(matchesFilterPattern('-ERROR', '[ERROR 400]')).toBe(false);
    expect(matchesFilterPattern('', 'anything')).toBe(true);
  });

  it('reads JSON patterns with &&, ||, parentheses, wildcards and numbers; refuses what it does not know', () => {
    const m = JSON.stringify({ eventType: 'UpdateTrail', user: { id: 1 }, users: [{ email: 'a@example.com' }] });
    expect(matchesFilterPattern('{ ($.user.id = 1) && ($.users[0].email = "a@example.com") }', m)).toBe(true);
    expect(matchesFilterPattern('{ $.eventType = Update* }', m)).toBe(true);
    expect(matchesFilterPattern('{ ($.eventType = "X") || ($.user.id > 0) }', m)).toBe(true);
    expect(matchesFilterPattern('{ $.user.id >= 2 }', m)).toBe(false);
    expect(matchesFilterPattern('{ $.eventType = "UpdateTrail" }', 'not json')).toBe(false);
    expect(() => matchesFilterPattern('[ip, user, ...]', 'x')).toThrow(/not supported/);
  });
});
