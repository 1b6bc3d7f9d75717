import { formatProblem, loadRuleText } from '../../src/rules/load';
import { HEADER, problemsOf } from './helpers';

/** A rule over `source` with the given match lines (indented under `match:`, from line 6). */
function rule(match: string[], source = 'ssh'): string {
  return `${HEADER}title: Test rule\nsource: ${source}\nseverity: high\nmatch:\n${match.map((l) => `  ${l}\n`).join('')}`;
}

function messages(text: string): string[] {
  return loadRuleText(text, 'rules/r.yml').problems.map(formatProblem);
}

describe('operator values are checked against the field type', () => {
  it('a comparison on a number field needs a number', () => {
    expect(problemsOf(rule(['source.port: { lt: low }']))).toEqual([['BAD_VALUE', 6, 22]]);
    expect(messages(rule(['source.port: { lt: low }']))[0]).toBe(
      'rules/r.yml:6:22: match["source.port"].lt: source.port is a number: compare it with a number, not "low" [BAD_VALUE]',
    );
    expect(problemsOf(rule(['source.port: { lt: 1024, gte: "22" }']))).toEqual([]);
  });

  it('equality on a number field needs a number', () => {
    expect(messages(rule(['source.port: ssh']))).toEqual(['rules/r.yml:6:16: match["source.port"]: source.port is a number: compare it with a number, not "ssh" [BAD_VALUE]']);
    expect(problemsOf(rule(['source.port: [22, "2222"]']))).toEqual([]);
  });

  it('a comparison on a timestamp needs a time, not a number', () => {
    expect(messages(rule(['"@timestamp": { gt: 5 }']))[0]).toContain('@timestamp is a timestamp: compare it with an ISO 8601 time such as 2024-05-01T00:00:00Z');
    expect(problemsOf(rule(['"@timestamp": { gt: "2024-05-01T00:00:00Z" }']))).toEqual([]);
  });

  it('cidr needs an address field', () => {
    expect(messages(rule(['user.name: { cidr: 10.0.0.0/8 }']))).toEqual([
      'rules/r.yml:6:22: match["user.name"].cidr: cidr needs an IP address field, and user.name is not one; address fields: source.ip, source.address, related.ip [BAD_VALUE]',
    ]);
    expect(problemsOf(rule(['source.ip: { cidr: 10.0.0.0/8 }', 'related.ip: { not: { cidr: [192.0.2.0/24] } }']))).toEqual([]);
    // Raw CloudTrail fields have no known type: not checked.
    expect(problemsOf(rule(['sourceIPAddress: { cidr: 10.0.0.0/8 }'], 'cloudtrail'))).toEqual([]);
  });

  it('an address field compared with a network or a non-address is pointed to cidr', () => {
    expect(messages(rule(['source.ip: 10.0.0.0/8']))[0]).toContain('match["source.ip"]: "10.0.0.0/8" is a network: write { cidr: "10.0.0.0/8" }');
    expect(messages(rule(['source.ip: { in: [192.0.2.1, bastion] } ']))[0]).toContain('match["source.ip"].in[1]: source.ip holds IP addresses, and "bastion" is not one');
  });
});

describe('source.geo.country_iso_code (GeoIP) holds ISO 3166-1 alpha-2 codes', () => {
  it('is a field of ssh, cloudtrail and waf rules, compared with upper-case codes', () => {
    for (const source of ['ssh', 'cloudtrail', 'waf']) {
      expect(problemsOf(rule(['source.geo.country_iso_code: { exists: true, not: { in: [DE, FR] } }'], source))).toEqual([]);
    }
    // ignore_case lets lower case through
    expect(problemsOf(rule(['source.geo.country_iso_code: { in: [de], ignore_case: true }']))).toEqual([]);
  });

  it('a name, lower case or UK is located, with the code meant', () => {
    expect(messages(rule(['source.geo.country_iso_code: { not: { in: [DE, Germany, fr, UK] } }']))).toEqual([
      'rules/r.yml:6:50: match["source.geo.country_iso_code"].not.in[1]: source.geo.country_iso_code holds ISO 3166-1 alpha-2 country codes, two upper-case letters such as DE, and "Germany" is not one [BAD_VALUE]',
      'rules/r.yml:6:59: match["source.geo.country_iso_code"].not.in[2]: source.geo.country_iso_code holds ISO 3166-1 alpha-2 country codes, two upper-case letters such as DE, and "fr" is not one: write FR [BAD_VALUE]',
      'rules/r.yml:6:63: match["source.geo.country_iso_code"].not.in[3]: source.geo.country_iso_code holds ISO 3166-1 alpha-2 country codes, two upper-case letters such as DE, and "UK" is not one: the United Kingdom is GB [BAD_VALUE]',
    ]);
  });

  it('is unknown to alarm rules (alarms carry no address)', () => {
    expect(problemsOf(rule(['source.geo.country_iso_code: DE'], 'alarm')).map(([code]) => code)).toEqual(['UNKNOWN_FIELD']);
  });
});

describe('values are checked against what the parsers emit', () => {
  it('event.outcome: a misspelt value, with a hint', () => {
    expect(messages(rule(['event.outcome: sucess']))).toEqual([
      'rules/r.yml:6:18: match["event.outcome"]: "sucess" is not an event.outcome of ssh events (did you mean "success"?); values: success, failure [UNKNOWN_VALUE]',
    ]);
  });

  it('event.action: only what the ssh parser emits', () => {
    const [message] = messages(rule(['event.action: sudo_cmd']));
    expect(message).toContain('"sudo_cmd" is not an event.action of ssh events (did you mean "sudo"?)');
    expect(message).toContain('ssh_login');
    expect(message).toContain('user-created');
    expect(problemsOf(rule(['event.action: [ssh_login, sudo, su, user-added-to-group]']))).toEqual([]);
  });

  it('checks in, equals and not, honours ignore_case, and leaves contains and regex alone', () => {
    expect(problemsOf(rule(['event.action: { in: [ssh_login, ssh_logn] }']))).toEqual([['UNKNOWN_VALUE', 6, 35]]);
    expect(problemsOf(rule(['event.action: { not: { equals: sudoo } }']))).toEqual([['UNKNOWN_VALUE', 6, 34]]);
    expect(problemsOf(rule(['event.action: { equals: SSH_LOGIN, ignore_case: true }']))).toEqual([]);
    expect(problemsOf(rule(['event.action: { equals: SSH_LOGIN }']))).toEqual([['UNKNOWN_VALUE', 6, 27]]);
    expect(problemsOf(rule(['event.action: { startswith: ssh_, regex: "^su" }']))).toEqual([]);
  });

  it('event.category and event.type, per source; a rule over several sources takes any of theirs', () => {
    expect(messages(rule(['event.category: web']))[0]).toContain('"web" is not an event.category of ssh events');
    expect(problemsOf(rule(['event.category: web'], '[ssh, waf]'))).toEqual([]);
    expect(messages(rule(['event.type: denid'], 'waf'))[0]).toContain('(did you mean "denied"?)');
    expect(problemsOf(rule(['event.type: [denied, allowed]', 'event.action: [BLOCK, CAPTCHA]'], 'waf'))).toEqual([]);
    expect(messages(rule(['event.action: ALARMED'], 'alarm'))[0]).toContain('(did you mean "ALARM"?)');
  });

  it('event.action of CloudTrail is the eventName: any value', () => {
    expect(problemsOf(rule(['event.action: AuthorizeSecurityGroupIngress', 'event.category: configuration'], 'cloudtrail'))).toEqual([]);
    expect(problemsOf(rule(['event.action: BLOCK'], '[waf, cloudtrail]'))).toEqual([]);
  });

  it('escalate conditions are checked too', () => {
    const text = `${rule(['event.outcome: failure'])}escalate:\n  - severity: critical\n    when: { event.outcome: faillure }\n`;
    expect(problemsOf(text)).toEqual([['UNKNOWN_VALUE', 9, 28]]);
  });
});
