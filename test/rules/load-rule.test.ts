import { loadRuleText } from '../../src/rules/load';
import type { CompiledRule } from '../../src/rules/types';
import { HEADER, event, problemsOf, ruleText } from './helpers';

function load(text: string, file = 'rules/ssh-brute-force.yml'): CompiledRule {
  const { rule, problems } = loadRuleText(text, file);
  expect(problems).toEqual([]);
  if (rule === undefined) throw new Error('no rule');
  return rule;
}

describe('a full rule', () => {
  const text = `${HEADER}id: ssh-brute-force
title: "SSH brute force from {{source.ip}}"
description: Many failed logins from one address.
source: ssh
severity: high
escalate:
  - severity: critical
    when: { any: [{ user.name: root }, { user.name: admin }] }
match:
  - event.action: ssh_login
  - event.outcome: failure
threshold: { count: 5, window: 10m }
group_by: [source.ip]
realert: 2h
slack:
  channel: "#security-alerts"
  template: ssh
  mention: ["@here", "@channel", U012ABCDEF, W012ABCDEF, S0123ABCD, "<@U0AAAAAAA>", "<!subteam^S0BBBBBBB|@oncall>"]
runbook: https://wiki.example.com/runbooks/ssh
tags: [attack.credential_access, attack.t1110]
allowed_users: [U012ABCDEF]
tests:
  - name: five failures alert
    year: 2024
    logs: |
      May  1 10:00:00 host sshd[1]: Failed password for root from 192.0.2.7 port 1 ssh2
    expect: { alerts: 1, severity: critical, count: 5, fields: { source.ip: 192.0.2.7 }, title: SSH brute force from 192.0.2.7 }
  - name: records work too
    source: ssh
    records: [{ a: 1 }]
    expect: { alerts: 0 }
`;

  it('compiles every key', () => {
    const rule = load(text);
    expect(rule).toMatchObject({
      id: 'ssh-brute-force',
      title: 'SSH brute force from {{source.ip}}',
      description: 'Many failed logins from one address.',
      sources: ['ssh'],
      severity: 'high',
      threshold: { count: 5, windowMs: 600_000 },
      groupBy: ['source.ip'],
      realertMs: 7_200_000,
      slack: {
        channel: '#security-alerts',
        template: 'ssh',
        mention: ['<!here>', '<!channel>', '<@U012ABCDEF>', '<@W012ABCDEF>', '<!subteam^S0123ABCD>', '<@U0AAAAAAA>', '<!subteam^S0BBBBBBB|@oncall>'],
      },
      runbook: 'https://wiki.example.com/runbooks/ssh',
      tags: ['attack.credential_access', 'attack.t1110'],
      allowedUsers: ['U012ABCDEF'],
      file: 'rules/ssh-brute-force.yml',
    });
  });

  it('compiles match and escalations into predicates', () => {
    const rule = load(text);
    const failure = { 'event.action': 'ssh_login', 'event.outcome': 'failure' };
    expect(rule.match(event(failure))).toBe(true);
    expect(rule.match(event({ ...failure, 'event.outcome': 'success' }))).toBe(false);
    expect(rule.escalate.map((e) => e.severity)).toEqual(['critical']);
    expect(rule.escalate[0]?.when(event({ ...failure, 'user.name': 'admin' }))).toBe(true);
    expect(rule.escalate[0]?.when(event({ ...failure, 'user.name': 'bob' }))).toBe(false);
  });

  it('keeps tests with their 1-based lines', () => {
    const rule = load(text);
    expect(rule.tests).toEqual([
      {
        name: 'five failures alert',
        logs: 'May  1 10:00:00 host sshd[1]: Failed password for root from 192.0.2.7 port 1 ssh2\n',
        year: 2024,
        expect: { alerts: 1, severity: 'critical', count: 5, fields: { 'source.ip': '192.0.2.7' }, title: 'SSH brute force from 192.0.2.7' },
        line: 24,
      },
      { name: 'records work too', source: 'ssh', records: [{ a: 1 }], expect: { alerts: 0 }, line: 29 },
    ]);
  });
});

describe('defaults', () => {
  it('takes the id from the file name and realert 1h, empty lists', () => {
    const rule = load(ruleText(), 'rules/ssh-failed-login.yaml');
    expect(rule).toMatchObject({
      id: 'ssh-failed-login',
      escalate: [],
      groupBy: [],
      realertMs: 3_600_000,
      slack: { mention: [] },
      tags: [],
      allowedUsers: [],
      tests: [],
    });
    expect(rule.threshold).toBeUndefined();
  });

  it('realert 0 means every match is its own alert', () => {
    expect(load(ruleText('realert: 0\n')).realertMs).toBe(0);
    expect(load(ruleText('realert: "0"\n')).realertMs).toBe(0);
  });

  it('refuses a file name that is no valid id unless id is set', () => {
    expect(problemsOf(ruleText(), 'rules/SSH Brute.yml')).toEqual([['BAD_VALUE', 1, 1]]);
    expect(load(ruleText('id: ssh-brute\n'), 'rules/SSH Brute.yml').id).toBe('ssh-brute');
  });
});

describe('sources', () => {
  it('accepts a list, without repeats', () => {
    const rule = load(`${HEADER}title: x\nsource: [ssh, cloudtrail, ssh]\nseverity: low\nmatch: { source.ip: { exists: true } }\n`);
    expect(rule.sources).toEqual(['ssh', 'cloudtrail']);
  });

  it('allow fields of any listed source', () => {
    const rule = load(`${HEADER}title: x\nsource: [waf, cloudtrail]\nseverity: low\nmatch:\n  any:\n    - rule.id: AWS-AWSManagedRulesBotControlRuleSet\n    - eventName: AuthorizeSecurityGroupIngress\n`);
    expect(rule.match(event({}, { eventName: 'AuthorizeSecurityGroupIngress' }, 'cloudtrail'))).toBe(true);
  });
});

describe('group_by', () => {
  it('is merged from the top level and threshold, without repeats', () => {
    const rule = load(ruleText('group_by: [source.ip, user.name]\nthreshold: { count: 3, window: 1h30m, group_by: [user.name, host.hostname] }\n'));
    expect(rule.groupBy).toEqual(['source.ip', 'user.name', 'host.hostname']);
    expect(rule.threshold).toEqual({ count: 3, windowMs: 5_400_000 });
  });

  it('may be written only inside threshold', () => {
    expect(load(ruleText('threshold: { count: 3, window: 1m, group_by: [source.ip] }\n')).groupBy).toEqual(['source.ip']);
  });
});

describe('escalate', () => {
  it('must raise the severity', () => {
    expect(problemsOf(ruleText('escalate:\n  - severity: medium\n    when: { user.name: root }\n'))).toEqual([['BAD_VALUE', 8, 15]]);
    expect(problemsOf(ruleText('escalate:\n  - severity: high\n    when: { user.name: root }\n'))).toEqual([['BAD_VALUE', 8, 15]]);
  });

  it('reports condition problems inside when', () => {
    expect(problemsOf(ruleText('escalate:\n  - severity: critical\n    when: { user.name: { regex: "[" } }\n'))).toEqual([['BAD_REGEX', 9, 33]]);
  });
});

describe('slack mentions', () => {
  it.each(['@here', '@channel', 'U012ABCDEF', 'W012ABCDEF', 'S0123ABCD', '<@U012ABCDEF>', '<!subteam^S0123ABCD>', '<!here>'])('accepts %s', (mention) => {
    expect(problemsOf(ruleText(`slack: { mention: ["${mention}"] }\n`))).toEqual([]);
  });

  it.each(['@oncall', '@security-team', 'oncall', 'u012abcdef', '<@oncall>', '#security', 'C0123ABCD'])('refuses %s', (mention) => {
    expect(problemsOf(ruleText(`slack: { mention: ["${mention}"] }\n`))).toEqual([['BAD_VALUE', 7, 20]]);
  });

  it('tells to use the user-group id for a handle', () => {
    const [problem] = loadRuleText(ruleText('slack: { mention: ["@oncall"] }\n'), 'r.yml').problems;
    expect(problem?.message).toMatch(/user group's id/);
  });
});

describe('tests in the rule', () => {
  it('need either logs or records', () => {
    expect(problemsOf(ruleText('tests:\n  - name: t\n    expect: { alerts: 0 }\n'))).toEqual([['BAD_VALUE', 8, 5]]);
    expect(problemsOf(ruleText('tests:\n  - name: t\n    logs: x\n    records: []\n    expect: { alerts: 0 }\n'))).toEqual([['BAD_VALUE', 8, 5]]);
  });

  it('logs must be a string and records a list', () => {
    expect(problemsOf(ruleText('tests:\n  - name: t\n    logs: [a]\n    expect: { alerts: 0 }\n'))).toEqual([['BAD_VALUE', 9, 11]]);
    expect(problemsOf(ruleText('tests:\n  - name: t\n    records: { a: 1 }\n    expect: { alerts: 0 }\n'))).toEqual([['BAD_VALUE', 9, 14]]);
  });

  it('may repeat their input, within bounds', () => {
    const test = (repeat: string) => `tests:\n  - name: t\n    repeat: ${repeat}\n    logs: x\n    expect: { alerts: 0 }\n`;
    expect(load(ruleText(test('100'))).tests[0]?.repeat).toBe(100);
    expect(problemsOf(ruleText(test('0')))).toEqual([['BAD_VALUE', 9, 13]]);
    expect(problemsOf(ruleText(test('10001')))).toEqual([['BAD_VALUE', 9, 13]]);
    expect(problemsOf(ruleText(test('1.5')))).toEqual([['BAD_VALUE', 9, 13]]);
  });

  it('need unique names', () => {
    const tests = 'tests:\n  - name: t\n    logs: x\n    expect: { alerts: 0 }\n  - name: t\n    logs: y\n    expect: { alerts: 0 }\n';
    expect(problemsOf(ruleText(tests))).toEqual([['BAD_VALUE', 11, 11]]);
  });
});
