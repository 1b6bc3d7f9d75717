/**
 * Issue 12, part 4: a whole Sigma rule becomes Klaxon rule data (log source, condition forms,
 * level, id, description), or located problems saying what has no faithful Klaxon form.
 */
import { formatProblem, Problems } from '../../src/yaml/problems';
import { readYaml } from '../../src/yaml/read-yaml';
import type { SigmaErrorCode } from '../../src/sigma/problems';
import { ruleIdFor, translateSigmaRule } from '../../src/sigma/translate';

function translate(text: string): { rule?: Record<string, unknown>; problems: string[] } {
  const early = new Problems<SigmaErrorCode>('r.yml');
  const yaml = readYaml(text, early);
  if (yaml === undefined) return { problems: early.list().map(formatProblem) };
  const problems = new Problems<SigmaErrorCode>('r.yml', yaml.locator);
  const translated = translateSigmaRule(yaml.data, yaml.locator, problems);
  return { ...(translated === undefined ? {} : { rule: translated.data }), problems: problems.list().map(formatProblem) };
}

const CLOUDTRAIL = 'logsource:\n  product: aws\n  service: cloudtrail\n';

/** A CloudTrail rule with these detection lines (indented under `detection:`). */
function cloudtrailRule(detection: string, extra = ''): string {
  return `title: Test Rule\n${CLOUDTRAIL}detection:\n${detection.replace(/^/gm, '  ')}\n${extra}`;
}

function match(detection: string): unknown {
  const { rule, problems } = translate(cloudtrailRule(detection));
  expect(problems).toEqual([]);
  return rule?.match;
}

const A = { eventName: { equals: 'A', ignore_case: true } };
const B = { eventSource: { equals: 'B', ignore_case: true } };
const C = { awsRegion: { equals: 'C', ignore_case: true } };
const SELECTIONS = 'sel_a:\n  eventName: A\nsel_b:\n  eventSource: B\nfilter_c:\n  awsRegion: C\n_helper:\n  errorCode: X';

describe('condition forms', () => {
  it.each([
    ['sel_a', A],
    ['sel_a and sel_b', { ...A, ...B }],
    ['sel_a or sel_b', { any: [A, B] }],
    ['sel_a and not filter_c', { ...A, not: C }],
    ['not (sel_a or sel_b)', { not: { any: [A, B] } }],
    ['(sel_a or sel_b) and not filter_c', { any: [A, B], not: C }],
    ['1 of sel_*', { any: [A, B] }],
    ['all of sel_*', { ...A, ...B }],
    ['1 of sel_* and not 1 of filter_*', { any: [A, B], not: C }],
    ['1 of them', { any: [A, B, C] }],
    ['all of them', { ...A, ...B, ...C }],
    ['not not sel_a', A],
  ])('%s', (condition, expected) => {
    expect(match(`${SELECTIONS}\ncondition: ${condition}`)).toEqual(expected);
  });

  it('a list of conditions means any of them', () => {
    expect(match(`${SELECTIONS}\ncondition:\n  - sel_a\n  - sel_b and filter_c`)).toEqual({ any: [A, { ...B, ...C }] });
  });

  it('tests of one field in two selections stay apart (all:), not merged into one key', () => {
    expect(match('s1:\n  eventName|startswith: Put\ns2:\n  eventName|endswith: Policy\ncondition: s1 and s2')).toEqual({
      all: [{ eventName: { startswith: 'Put', ignore_case: true } }, { eventName: { endswith: 'Policy', ignore_case: true } }],
    });
  });

  it('a selection that is a list of mappings is any of them; a mapping is all of its fields', () => {
    expect(match('selection:\n  - eventName: A\n    eventSource: B\n  - awsRegion: C\ncondition: selection')).toEqual({ any: [{ ...A, ...B }, C] });
  });
});

describe('log sources', () => {
  const rule = (logsource: string, detection = 'keywords:\n    - Failed password\n  condition: keywords') =>
    translate(`title: T\nlogsource:\n${logsource}\ndetection:\n  ${detection}\n`);

  it('linux sshd: the ssh source narrowed to sshd lines', () => {
    expect(rule('  product: linux\n  service: sshd').rule).toMatchObject({
      source: 'ssh',
      match: { 'process.name': ['sshd', 'sshd-session', 'sshd-auth', 'sshd(pam_unix)'], message: { contains: 'Failed password', ignore_case: true } },
    });
  });
  it('linux sudo: sudo lines; linux auth: the whole auth log', () => {
    expect(rule('  product: linux\n  service: sudo').rule?.match).toEqual({ 'process.name': 'sudo', message: { contains: 'Failed password', ignore_case: true } });
    expect(rule('  product: Linux\n  service: auth').rule?.match).toEqual({ message: { contains: 'Failed password', ignore_case: true } });
  });
  it('anything else is refused at the logsource key', () => {
    expect(rule('  product: windows\n  service: security').problems).toEqual([
      'r.yml:2:1: log source "product: windows, service: security" is not one Klaxon reads (accepted: product: linux with service: auth, sshd or sudo; product: aws with service: cloudtrail) [UNSUPPORTED_LOGSOURCE]',
    ]);
    expect(rule('  product: linux').problems[0]).toMatch(/^r\.yml:2:1: log source "product: linux" is not one Klaxon reads/);
    expect(rule('  category: process_creation\n  product: linux').problems[0]).toMatch(/a category is not supported/);
  });
  it('keywords have no field to search in CloudTrail records: refused', () => {
    expect(translate(cloudtrailRule('keywords:\n  - AccessDenied\ncondition: keywords')).problems).toEqual([
      'r.yml:7:5: detection.keywords: keywords (values without a field name) are not supported for product: aws, service: cloudtrail: name the field they must be in [UNSUPPORTED]',
    ]);
  });
});

describe('located refusals', () => {
  it('an unknown field, at its key, with a suggestion', () => {
    expect(translate(cloudtrailRule('selection:\n  eventname: ConsoleLogin\ncondition: selection')).problems).toEqual([
      'r.yml:7:5: detection.selection: unknown field "eventname" for source cloudtrail (did you mean "eventName"?) (Sigma log source product: aws, service: cloudtrail) [UNKNOWN_FIELD]',
    ]);
  });
  it('an unknown modifier, at its key', () => {
    expect(translate(cloudtrailRule('selection:\n  userAgent|base65: curl\ncondition: selection')).problems).toEqual([
      'r.yml:7:5: detection.selection: unknown modifier "base65" (supported: contains, startswith, endswith, re, cidr, exists, gt, gte, lt, lte, all, cased, re|i, re|m, re|s) [UNKNOWN_MODIFIER]',
    ]);
  });
  it('a bad value of a list, at that value', () => {
    expect(translate(cloudtrailRule('selection:\n  eventName|contains:\n    - Put\n    - true\ncondition: selection')).problems).toEqual([
      'r.yml:9:9: detection.selection["eventName|contains"][1]: contains takes text, not true [BAD_VALUE]',
    ]);
  });
  it('an aggregation, at its pipe, and the timeframe that goes with it', () => {
    expect(translate(cloudtrailRule('selection:\n  eventName: ConsoleLogin\ntimeframe: 5m\ncondition: selection | count() by sourceIPAddress > 10')).problems).toEqual([
      'r.yml:8:3: detection: timeframe (with aggregations) is not supported: Klaxon imports single-event rules; add a threshold to the Klaxon rule instead [UNSUPPORTED]',
      'r.yml:9:24: condition: aggregations (`| count() ...`) are not supported: Klaxon imports single-event rules; write a threshold in the Klaxon rule instead [UNSUPPORTED]',
    ]);
  });
  it('a quoted condition is located past its quote', () => {
    expect(translate(cloudtrailRule('selection:\n  eventName: A\ncondition: "selection and nope"')).problems).toEqual([
      'r.yml:8:29: condition: no selection named "nope" (selections: selection) [UNKNOWN_SELECTION]',
    ]);
  });
  it('a condition syntax error and a pattern that matches nothing', () => {
    expect(translate(cloudtrailRule('selection:\n  eventName: A\ncondition: selection and')).problems[0]).toBe(
      'r.yml:8:27: condition: expected a selection name, "(", "not", "1 of" or "all of", found the end of the condition [BAD_CONDITION]',
    );
    expect(translate(cloudtrailRule('selection:\n  eventName: A\ncondition: 1 of filter*')).problems[0]).toBe('r.yml:8:14: condition: no selection matches "filter*" [UNKNOWN_SELECTION]');
  });
  it('correlation rules, and rules without title or detection', () => {
    expect(translate('title: T\ncorrelation:\n  type: event_count\n').problems).toEqual([
      'r.yml:2:1: Sigma correlation rules are not supported: Klaxon imports detection rules (single events) [UNSUPPORTED]',
    ]);
    expect(translate(`${CLOUDTRAIL}detection:\n  s:\n    eventName: A\n  condition: s\n`).problems).toEqual(['r.yml:1:1: missing "title" [MISSING_KEY]']);
    expect(translate(`title: T\n${CLOUDTRAIL}`).problems).toEqual(['r.yml:1:1: missing "detection" [MISSING_KEY]']);
    expect(translate('- a list\n').problems).toEqual(['r.yml:1:1: a Sigma rule is a mapping with title, logsource and detection [NOT_A_MAPPING]']);
  });
});

describe('what else is carried over', () => {
  it('level becomes severity (informational: info; none: medium), description and false positives, tags', () => {
    const full = translate(
      cloudtrailRule('selection:\n  eventName: A\ncondition: selection', 'level: informational\ndescription: What it finds.\nfalsepositives:\n  - Admins\n  - Audits\ntags:\n  - attack.t1078\n'),
    );
    expect(full.rule).toEqual({
      id: 'test-rule',
      title: 'Test Rule',
      description: 'What it finds.\n\nFalse positives: Admins; Audits.',
      source: 'cloudtrail',
      severity: 'info',
      match: A,
      tags: ['attack.t1078'],
    });
    expect(translate(cloudtrailRule('selection:\n  eventName: A\ncondition: selection')).rule?.severity).toBe('medium');
    expect(translate(cloudtrailRule('selection:\n  eventName: A\ncondition: selection', 'level: severe\n')).problems[0]).toMatch(/level: "severe" is not a Sigma level/);
  });
  it('ids are slugs of the title that Klaxon accepts', () => {
    expect(ruleIdFor('AWS Root Account Usage!', undefined)).toBe('aws-root-account-usage');
    expect(ruleIdFor('Übergriff über SSH', undefined)).toBe('ubergriff-uber-ssh');
    expect(ruleIdFor('!!!', '0e6a-42')).toBe('sigma-0e6a-42');
    expect(ruleIdFor('word '.repeat(40), undefined)).toMatch(/^(word-){12}word$/);
  });
});
