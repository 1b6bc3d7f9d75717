import type { EventSource, FieldValue, KlaxonEvent } from '../../src/events/event';
import { EVENT_SOURCES } from '../../src/events/event';
import { compileCondition } from '../../src/rules/conditions';
import { fieldCheck } from '../../src/rules/known-fields';
import { Problems } from '../../src/yaml/problems';
import { loadRuleText } from '../../src/rules/load';
import type { LoadOptions } from '../../src/rules/load';
import type { Predicate, RuleErrorCode, RuleProblem } from '../../src/rules/types';

export function event(fields: Record<string, FieldValue>, raw?: Record<string, unknown>, source: EventSource = 'ssh'): KlaxonEvent {
  return { timestamp: Date.UTC(2024, 4, 1), source, fields, ...(raw === undefined ? {} : { raw }) };
}

/** Compiles a condition (as parsed data) over all sources; throws listing the problems when it is invalid. */
export function condition(spec: unknown): Predicate {
  const problems = new Problems<RuleErrorCode>('test');
  const predicate = compileCondition(spec, ['match'], fieldCheck(EVENT_SOURCES), problems);
  if (predicate === undefined) throw new Error(problems.list().map((p) => `${p.code} ${p.message}`).join('\n'));
  return predicate;
}

/** The problems of a condition, as codes. */
export function conditionProblems(spec: unknown): RuleErrorCode[] {
  const problems = new Problems<RuleErrorCode>('test');
  compileCondition(spec, ['match'], fieldCheck(EVENT_SOURCES), problems);
  return problems.list().map((p) => p.code);
}

/** `[code, line, col]` of each problem, in file order. */
export function located(problems: readonly RuleProblem[]): Array<[RuleErrorCode, number, number]> {
  return problems.map((p) => [p.code, p.line, p.col]);
}

export function problemsOf(text: string, file = 'rules/test-rule.yml', options?: LoadOptions): Array<[RuleErrorCode, number, number]> {
  return located(loadRuleText(text, file, options).problems);
}

/** A minimal valid rule, with extra lines appended (YAML text). */
export const HEADER = '# yaml-language-server: $schema=./rule.schema.json\n';
export function ruleText(extra = '', match = 'match:\n  event.outcome: failure\n'): string {
  return `${HEADER}title: Test rule\nsource: ssh\nseverity: high\n${match}${extra}`;
}
