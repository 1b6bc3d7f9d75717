import fc from 'fast-check';
import { loadRuleText } from '../../src/rules/load';
import type { RuleErrorCode } from '../../src/rules/types';
import { HEADER, problemsOf, ruleText } from './helpers';

const CODES: readonly RuleErrorCode[] = [
  'YAML_SYNTAX',
  'NOT_A_MAPPING',
  'UNKNOWN_KEY',
  'MISSING_KEY',
  'BAD_VALUE',
  'UNKNOWN_FIELD',
  'UNKNOWN_SOURCE',
  'UNKNOWN_OPERATOR',
  'BAD_REGEX',
  'BAD_CIDR',
  'BAD_DURATION',
  'DUPLICATE_ID',
  'UNKNOWN_TEMPLATE',
  'READ_FAILED',
];

function billionLaughs(levels: number): string {
  let text = `${HEADER}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
  for (let i = 1; i < levels; i++) {
    const previous = `*a${i - 1}`;
    text += `a${i}: &a${i} [${Array(9).fill(previous).join(', ')}]\n`;
  }
  return text;
}

describe('hostile rule files', () => {
  it('rejects an alias bomb at its first alias', () => {
    expect(problemsOf(billionLaughs(10))).toEqual([['YAML_SYNTAX', 3, 10]]);
  });

  it('still resolves a few aliases', () => {
    const text = ruleText('tags: &t [a, b]\n', 'match:\n  user.name: &u root\n  user.effective.name: { not: { equals: *u } }\n');
    expect(problemsOf(text)).toEqual([]);
  });

  it('points at an alias without an anchor', () => {
    expect(problemsOf(ruleText('tags: [*nowhere]\n'))).toEqual([['YAML_SYNTAX', 7, 8]]);
  });

  it('survives deep nesting', () => {
    for (const text of [`match: ${'['.repeat(50_000)}`, `match: ${'{a: '.repeat(20_000)}`, `${'- '.repeat(100_000)}x\n`, `match: ${'[ '.repeat(5_000)}${']'.repeat(5_000)}\n`]) {
      const { rule, problems } = loadRuleText(text, 'rules/deep.yml');
      expect(rule).toBeUndefined();
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.length).toBeLessThanOrEqual(10);
    }
  });

  it('refuses deeply nested conditions', () => {
    const nots = `${'{ not: '.repeat(40)}{ user.name: x }${' }'.repeat(40)}`;
    expect(problemsOf(ruleText('', `match: ${nots}\n`)).map(([code]) => code)).toEqual(['BAD_VALUE']);
  });

  it('treats prototype keys as unknown', () => {
    expect(problemsOf(ruleText('__proto__: { polluted: 1 }\n'))).toEqual([['UNKNOWN_KEY', 7, 1]]);
    expect(problemsOf(ruleText('', 'match:\n  user.name: { __proto__: x }\n'))).toEqual([['UNKNOWN_OPERATOR', 6, 16]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps messages on one line when they quote complex keys', () => {
    const [problem] = loadRuleText(ruleText('? [a,\n   b]\n: 1\n'), 'r.yml').problems;
    expect(problem?.code).toBe('UNKNOWN_KEY');
    expect(problem?.message).not.toMatch(/\n/);
  });

  it('keeps columns right after a byte-order mark', () => {
    expect(problemsOf(`\uFEFF${ruleText('serverity: low\n')}`)).toEqual([['UNKNOWN_KEY', 7, 1]]);
  });
});

describe('loadRuleText on random input', () => {
  const fragments = [
    ...['title', 'source', 'severity', 'match', 'threshold', 'group_by', 'slack', 'tests', 'escalate', 'realert', 'when', 'not', 'any', 'all'],
    ...['source.ip', 'user.name', 'cidr', 'regex', 'exists', 'gt', 'in', 'ignore_case', 'mention', 'window', 'count', 'expect', 'logs'],
    ...[':', ': ', '- ', '\n', '\n  ', '\n    ', '{', '}', '[', ']', ',', '&a ', '*a', '!!str ', '!x ', '"', "'", '|', '>', '#', '---', '? ', '%YAML 1.2\n'],
    ...['ssh', 'waf', 'high', '10m', '0', '5', '-1', '1e9', 'null', 'true', '@here', '10.0.0.0/8', '::/0', '(', '\\', '\t', '\u0000', 'é', '\uFEFF'],
  ];
  const yamlish = fc.array(fc.constantFrom(...fragments), { maxLength: 60 }).map((parts) => parts.join(''));

  function checkNeverThrows(text: string): void {
    const { rule, problems } = loadRuleText(text, 'rules/fuzz.yml', { knownTemplates: ['ssh'] });
    for (const p of problems) {
      expect(CODES).toContain(p.code);
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.col).toBeGreaterThanOrEqual(1);
      expect(p.message).not.toContain('\n');
    }
    expect(rule === undefined || problems.length === 0).toBe(true);
  }

  it('never throws on YAML-ish fragments', () => {
    fc.assert(fc.property(yamlish, (text) => checkNeverThrows(text)), { numRuns: 1000 });
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => checkNeverThrows(text)), { numRuns: 500 });
  });

  it('never throws on edits of a valid rule', () => {
    const base = ruleText(
      'threshold: { count: 5, window: 10m, group_by: [source.ip] }\nslack: { template: ssh, mention: ["@here"] }\ntests:\n  - name: t\n    logs: x\n    expect: { alerts: 0 }\n',
      'match:\n  any:\n    - source.ip: { cidr: [10.0.0.0/8, "::1"] }\n    - user.name: { regex: "^r", ignore_case: true }\n',
    );
    const edit = fc.tuple(fc.nat(base.length), fc.nat(8), fc.constantFrom(...fragments));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = base;
        for (const [at, remove, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + remove);
        checkNeverThrows(text);
      }),
      { numRuns: 1000 },
    );
  });
});
