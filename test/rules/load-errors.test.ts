import { formatProblem, loadRuleText } from '../../src/rules/load';
import { HEADER, problemsOf, ruleText } from './helpers';

// Each case: the text, then [code, line, col] of every problem. Line 1 is the schema comment.
describe('located problems, one code at a time', () => {
  it('YAML_SYNTAX at the error position', () => {
    expect(problemsOf(`${HEADER}title: x\nsource: [ssh\nseverity: high\n`)).toEqual([['YAML_SYNTAX', 4, 1]]);
    expect(problemsOf(`${HEADER}title: a\ntitle: b\n`)).toEqual([['YAML_SYNTAX', 3, 1]]);
    expect(problemsOf(`${HEADER}title: !custom x\n`)).toEqual([['YAML_SYNTAX', 2, 8]]);
  });

  it('YAML_SYNTAX for a second document', () => {
    expect(problemsOf(`${ruleText()}---\ntitle: again\n`)).toEqual([['YAML_SYNTAX', 7, 1]]);
  });

  it('NOT_A_MAPPING for a list, a scalar or an empty file', () => {
    expect(problemsOf(`${HEADER}- title: x\n`)).toEqual([['NOT_A_MAPPING', 2, 1]]);
    expect(problemsOf(`${HEADER}just text\n`)).toEqual([['NOT_A_MAPPING', 2, 1]]);
    expect(problemsOf(HEADER)).toEqual([['NOT_A_MAPPING', 1, 1]]);
    expect(problemsOf('')).toEqual([['NOT_A_MAPPING', 1, 1]]);
  });

  it('UNKNOWN_KEY at the key, at any depth', () => {
    expect(problemsOf(ruleText('serverity: low\n'))).toEqual([['UNKNOWN_KEY', 7, 1]]);
    expect(problemsOf(ruleText('threshold:\n  count: 5\n  window: 10m\n  windw: 5m\n'))).toEqual([['UNKNOWN_KEY', 10, 3]]);
    expect(problemsOf(ruleText('slack: { chanel: "#x" }\n'))).toEqual([['UNKNOWN_KEY', 7, 10]]);
    expect(problemsOf(ruleText('tests:\n  - name: t\n    logs: x\n    expect: { alerts: 0, alert: 1 }\n'))).toEqual([['UNKNOWN_KEY', 10, 26]]);
  });

  it('UNKNOWN_KEY names the key, suggests, and lists the allowed ones', () => {
    const [problem] = loadRuleText(ruleText('serverity: low\n'), 'rules/r.yml').problems;
    expect(problem?.message).toContain('"serverity"');
    expect(problem?.message).toContain('did you mean "severity"?');
    expect(problem?.message).toContain('allowed keys: id, title, description, source, severity');
  });

  it('MISSING_KEY at the mapping that lacks it', () => {
    expect(problemsOf(`${HEADER}title: x\nsource: ssh\nseverity: low\n`)).toEqual([['MISSING_KEY', 2, 1]]);
    expect(problemsOf(ruleText('threshold:\n  window: 10m\n'))).toEqual([['MISSING_KEY', 8, 3]]);
    expect(problemsOf(ruleText('tests:\n  - name: t\n    logs: x\n    expect: {}\n'))).toEqual([['MISSING_KEY', 10, 13]]);
  });

  it('BAD_VALUE for wrong types and values', () => {
    expect(problemsOf(`${HEADER}title: [x]\nsource: ssh\nseverity: low\nmatch: { user.name: x }\n`)).toEqual([['BAD_VALUE', 2, 8]]);
    expect(problemsOf(`${HEADER}title: x\nsource: ssh\nseverity: urgent\nmatch: { user.name: x }\n`)).toEqual([['BAD_VALUE', 4, 11]]);
    expect(problemsOf(ruleText('threshold: { count: 2.5, window: 1m }\n'))).toEqual([['BAD_VALUE', 7, 21]]);
    expect(problemsOf(ruleText('runbook: ftp://example.com/x\n'))).toEqual([['BAD_VALUE', 7, 10]]);
    expect(problemsOf(ruleText('id: SSH_Brute\n'))).toEqual([['BAD_VALUE', 7, 5]]);
    expect(problemsOf(ruleText('tags: [a, 5]\n'))).toEqual([['BAD_VALUE', 7, 11]]);
    expect(problemsOf(ruleText('allowed_users: [U012ABCDEF, bob]\n'))).toEqual([['BAD_VALUE', 7, 29]]);
    expect(problemsOf(ruleText('slack: { channel: "security alerts" }\n'))).toEqual([['BAD_VALUE', 7, 19]]);
  });

  it('BAD_VALUE for a key with nothing after it points at the key', () => {
    expect(problemsOf(ruleText('description:\n'))).toEqual([['BAD_VALUE', 7, 1]]);
  });

  it('BAD_VALUE for condition arguments, at the argument', () => {
    expect(problemsOf(ruleText('', 'match:\n  source.ip: { startswith: 10. }\n'))).toEqual([['BAD_VALUE', 6, 28]]);
    expect(problemsOf(ruleText('', 'match:\n  any: []\n'))).toEqual([['BAD_VALUE', 6, 8]]);
    expect(problemsOf(ruleText('', 'match: user.name\n'))).toEqual([['BAD_VALUE', 5, 8]]);
  });

  it('an escalation gives when or count, not both or neither; count escalations compile', () => {
    expect(problemsOf(ruleText('escalate:\n  - severity: critical\n'))).toEqual([['BAD_VALUE', 8, 5]]);
    expect(problemsOf(ruleText('escalate:\n  - { severity: critical, count: 50, when: { user.name: root } }\n'))).toEqual([['BAD_VALUE', 8, 5]]);
    expect(problemsOf(ruleText('escalate:\n  - { severity: critical, count: 50 }\n'))).toEqual([]);
  });

  it('UNKNOWN_FIELD at the field name: in conditions, group_by, title, escalate and expected fields', () => {
    expect(problemsOf(ruleText('', 'match:\n  event.outcome: failure\n  source.addr: 192.0.2.1\n'))).toEqual([['UNKNOWN_FIELD', 7, 3]]);
    expect(problemsOf(ruleText('group_by: [source.ip, src.ip]\n'))).toEqual([['UNKNOWN_FIELD', 7, 23]]);
    expect(problemsOf(ruleText('threshold: { count: 2, window: 1m, group_by: [usr] }\n'))).toEqual([['UNKNOWN_FIELD', 7, 47]]);
    expect(problemsOf(ruleText('threshold: { count: 2, window: 1m, distinct: user.nmae }\n'))).toEqual([['UNKNOWN_FIELD', 7, 46]]);
    expect(problemsOf(`${HEADER}title: "Login by {{user.name}} from {{source.adr}}"\nsource: ssh\nseverity: low\nmatch: { user.name: x }\n`)).toEqual([
      ['UNKNOWN_FIELD', 2, 39],
    ]);
    expect(problemsOf(ruleText('escalate:\n  - severity: critical\n    when: { usr.name: root }\n'))).toEqual([['UNKNOWN_FIELD', 9, 13]]);
    expect(problemsOf(ruleText('tests:\n  - name: t\n    logs: x\n    expect:\n      alerts: 1\n      fields: { source.ipp: 1 }\n'))).toEqual([
      ['UNKNOWN_FIELD', 12, 17],
    ]);
  });

  it('UNKNOWN_FIELD depends on the rule sources and suggests', () => {
    expect(problemsOf(ruleText('', 'match: { url.path: /admin }\n'))).toEqual([['UNKNOWN_FIELD', 5, 10]]);
    const waf = `${HEADER}title: x\nsource: [ssh, waf]\nseverity: low\nmatch: { url.path: /admin }\n`;
    expect(problemsOf(waf)).toEqual([]);
    const [problem] = loadRuleText(ruleText('', 'match: { event.actoin: x }\n'), 'r.yml').problems;
    expect(problem?.message).toContain('did you mean "event.action"?');
  });

  it('UNKNOWN_SOURCE for a single source or a list entry', () => {
    expect(problemsOf(`${HEADER}title: x\nsource: sshd\nseverity: low\nmatch: { user.name: x }\n`)).toEqual([['UNKNOWN_SOURCE', 3, 9]]);
    expect(problemsOf(`${HEADER}title: x\nsource: [ssh, vpc]\nseverity: low\nmatch: { user.name: x }\n`)).toEqual([['UNKNOWN_SOURCE', 3, 15]]);
    expect(problemsOf(ruleText('tests:\n  - name: t\n    source: syslog\n    logs: x\n    expect: { alerts: 0 }\n'))).toEqual([['UNKNOWN_SOURCE', 9, 13]]);
  });

  it('UNKNOWN_OPERATOR at the operator', () => {
    expect(problemsOf(ruleText('', 'match:\n  user.name: { startsWith: adm }\n'))).toEqual([['UNKNOWN_OPERATOR', 6, 16]]);
    const [problem] = loadRuleText(ruleText('', 'match:\n  user.name: { startsWith: adm }\n'), 'r.yml').problems;
    expect(problem?.message).toContain('did you mean "startswith"?');
    expect(problem?.message).toContain('equals, in, in_list, contains, startswith, endswith, regex, cidr, exists, gt, gte, lt, lte, during, not, ignore_case');
  });

  it('BAD_REGEX at the pattern, with the engine message', () => {
    expect(problemsOf(ruleText('', 'match:\n  user.name: { regex: ["^ok$", "a(b"] }\n'))).toEqual([['BAD_REGEX', 6, 32]]);
    const [problem] = loadRuleText(ruleText('', 'match:\n  user.name: { regex: "a(b" }\n'), 'r.yml').problems;
    expect(problem?.message).toMatch(/is not a valid regex: missing closing \)/);
  });

  it('BAD_CIDR at the network', () => {
    expect(problemsOf(ruleText('', 'match:\n  source.ip:\n    cidr:\n      - 10.0.0.0/8\n      - 300.0.0.0/8\n'))).toEqual([['BAD_CIDR', 9, 9]]);
  });

  it('BAD_DURATION for realert and window, including a zero window', () => {
    expect(problemsOf(ruleText('realert: 1 hour\n'))).toEqual([['BAD_DURATION', 7, 10]]);
    expect(problemsOf(ruleText('realert: 60\n'))).toEqual([['BAD_DURATION', 7, 10]]);
    expect(problemsOf(ruleText('realert: true\n'))).toEqual([['BAD_DURATION', 7, 10]]);
    expect(problemsOf(ruleText('threshold: { count: 5, window: 10 }\n'))).toEqual([['BAD_DURATION', 7, 32]]);
    expect(problemsOf(ruleText('threshold: { count: 5, window: 0 }\n'))).toEqual([['BAD_DURATION', 7, 32]]);
  });

  it('UNKNOWN_TEMPLATE only when templates are known', () => {
    const text = ruleText('slack:\n  template: sshh\n');
    expect(problemsOf(text)).toEqual([]);
    expect(problemsOf(text, 'rules/r.yml', { knownTemplates: ['ssh', 'waf'] })).toEqual([['UNKNOWN_TEMPLATE', 8, 13]]);
    expect(problemsOf(ruleText('slack:\n  template: ssh\n'), 'rules/r.yml', { knownTemplates: ['ssh'] })).toEqual([]);
  });

  it('READ_FAILED for an oversized text', () => {
    expect(problemsOf(ruleText(`description: "${'x'.repeat(1024 * 1024)}"\n`))).toEqual([['READ_FAILED', 1, 1]]);
  });
});

describe('several problems in one file', () => {
  const text = [
    HEADER.trimEnd(),
    'title: "Brute force from {{source.addr}}"', // 2: UNKNOWN_FIELD col 28
    'source: [ssh, wav]', //                        3: UNKNOWN_SOURCE col 15
    'severity: hgh', //                             4: BAD_VALUE col 11
    'realert: 5x', //                               5: BAD_DURATION col 10
    'match:',
    '  event.actoin: ssh_login', //                 7: UNKNOWN_FIELD col 3
    '  source.ip: { cidr: 10.0.0.0/33, regx: x }', // 8: BAD_CIDR col 22, UNKNOWN_OPERATOR col 35
    '  user.name: { regex: "(" }', //               9: BAD_REGEX col 23
    'threshold: { count: 0, window: 10m, extra: 1 }', // 10: BAD_VALUE col 21, UNKNOWN_KEY col 37
    'slack: { mention: ["@oncall"] }', //           11: BAD_VALUE col 20
    'tests:',
    '  - name: a',
    '    logs: [x]', //                             14: BAD_VALUE col 11
    '    expect: {}', //                            15: MISSING_KEY col 13
    '',
  ].join('\n');

  it('are all reported, in file order, with positions', () => {
    expect(problemsOf(text)).toEqual([
      ['UNKNOWN_FIELD', 2, 28],
      ['UNKNOWN_SOURCE', 3, 15],
      ['BAD_VALUE', 4, 11],
      ['BAD_DURATION', 5, 10],
      ['UNKNOWN_FIELD', 7, 3],
      ['BAD_CIDR', 8, 22],
      ['UNKNOWN_OPERATOR', 8, 35],
      ['BAD_REGEX', 9, 23],
      ['BAD_VALUE', 10, 21],
      ['UNKNOWN_KEY', 10, 37],
      ['BAD_VALUE', 11, 20],
      ['BAD_VALUE', 14, 11],
      ['MISSING_KEY', 15, 13],
    ]);
  });

  it('yield no rule', () => {
    expect(loadRuleText(text, 'rules/x.yml').rule).toBeUndefined();
  });

  it('format as path:line:col: message [CODE]', () => {
    const [first] = loadRuleText(text, 'rules/x.yml').problems;
    expect(formatProblem(first!)).toMatch(/^rules\/x\.yml:2:28: .*unknown field "source\.addr".* \[UNKNOWN_FIELD\]$/);
    expect(formatProblem({ code: 'BAD_VALUE', file: 'a.yml', line: 3, col: 4, message: 'm' })).toBe('a.yml:3:4: m [BAD_VALUE]');
  });

  it('have single-line messages', () => {
    for (const p of loadRuleText(`${HEADER}title: x\nsource: [ssh\n`, 'r.yml').problems) expect(p.message).not.toContain('\n');
  });
});
