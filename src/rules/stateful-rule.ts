/**
 * The parts of a rule that keep state beyond a threshold window: `sequence` (steps in order
 * per `by` group) and `new_term` (a term new for its group). Compiled here, with the checks
 * across keys that the schema cannot express.
 */
import type { EventSource } from '../events/event';
import { compileCondition } from './conditions';
import { parseDuration } from './duration';
import { isMapping } from './field-tests';
import type { FieldCheck } from './known-fields';
import type { RuleLists } from './lists';
import type { ValueCheck } from './value-checks';
import type { CompiledRule, CompiledSequence, Predicate, RuleProblems, SequenceStep } from './types';

export const DEFAULT_LEARNING_MS = 7 * 24 * 3_600_000;
export const DEFAULT_FORGET_MS = 90 * 24 * 3_600_000;

/**
 * The sequence's steps compiled, and the rule's match: any step's condition (so that a
 * sequence rule reads, plans and explains like any other). `undefined` when reported.
 */
export function compileSequence(
  data: Record<string, unknown>,
  checkField: FieldCheck,
  problems: RuleProblems,
  checkValue?: ValueCheck,
  lists?: RuleLists,
): { sequence: CompiledSequence; match: Predicate } | undefined {
  const spec = data.sequence;
  if (!isMapping(spec)) return undefined;
  if (Object.hasOwn(data, 'match')) problems.add('BAD_VALUE', ['match'], 'a rule gives match or sequence, not both: a sequence matches through its steps');
  if (Object.hasOwn(data, 'threshold')) problems.add('BAD_VALUE', ['threshold'], "a sequence rule has no threshold: give a step's count instead");
  if (Object.hasOwn(data, 'new_term')) problems.add('BAD_VALUE', ['new_term'], 'a rule gives sequence or new_term, not both');
  checkNoSuppression(data, 'sequence', problems);
  const by = Array.isArray(spec.by) ? spec.by.filter((f): f is string => typeof f === 'string') : [];
  by.forEach((field, i) => {
    const unknown = checkField(field);
    if (unknown !== undefined) problems.add('UNKNOWN_FIELD', ['sequence', 'by', i], unknown);
  });
  const sources = ruleSources(data.source);
  const withinMs = typeof spec.within === 'string' || typeof spec.within === 'number' ? parseDuration(spec.within) : undefined;
  if (withinMs === 0) problems.add('BAD_DURATION', ['sequence', 'within'], 'a sequence must span longer than 0');
  const rawSteps = Array.isArray(spec.steps) ? spec.steps : [];
  const steps: SequenceStep[] = [];
  rawSteps.forEach((step: unknown, i) => {
    if (!isMapping(step)) return;
    const path = ['sequence', 'steps', i];
    const count = typeof step.count === 'number' ? step.count : 1;
    if (i === rawSteps.length - 1 && count > 1) {
      problems.add('BAD_VALUE', [...path, 'count'], 'the last step raises the alert with each of its events: it cannot need more than 1 (add a step before it)');
    }
    const source = typeof step.source === 'string' ? (step.source as EventSource) : undefined;
    if (source !== undefined && sources.length > 0 && !sources.includes(source)) {
      problems.add('BAD_VALUE', [...path, 'source'], `the step reads ${source}, which is not among the rule's sources (${sources.join(', ')})`);
    }
    const match = compileCondition(step.match, [...path, 'match'], checkField, problems, checkValue, lists);
    if (match === undefined) return;
    steps.push({ name: typeof step.name === 'string' ? step.name : `step${i + 1}`, match, matchSpec: step.match, count, ...(source === undefined ? {} : { source }) });
  });
  if (steps.length < 2 || steps.length !== rawSteps.length || withinMs === undefined || withinMs === 0) return undefined;
  const match: Predicate = (event) => {
    for (const step of steps) if ((step.source === undefined || step.source === event.source) && step.match(event)) return true;
    return false;
  };
  return { sequence: { by, withinMs, steps }, match };
}

/** `new_term` compiled; `undefined` when absent or reported. Its fields must not be grouped by: a term within its own group is always new. */
export function compileNewTerm(data: Record<string, unknown>, checkField: FieldCheck, groupBy: readonly string[], problems: RuleProblems): CompiledRule['newTerm'] {
  const spec = data.new_term;
  if (!isMapping(spec)) return undefined;
  checkNoSuppression(data, 'new_term', problems);
  const fields = Array.isArray(spec.fields) ? spec.fields.filter((f): f is string => typeof f === 'string') : [];
  let ok = fields.length > 0;
  fields.forEach((field, i) => {
    const unknown = checkField(field);
    if (unknown !== undefined) {
      problems.add('UNKNOWN_FIELD', ['new_term', 'fields', i], unknown);
      ok = false;
    } else if (groupBy.includes(field)) {
      problems.add('BAD_VALUE', ['new_term', 'fields', i], `${field} is also in group_by: each group would hold one term, always new; group by what the term is new for (user.name)`);
      ok = false;
    }
  });
  const learningMs = spec.learning === undefined ? DEFAULT_LEARNING_MS : durationOf(spec.learning);
  const forgetMs = spec.forget === undefined ? DEFAULT_FORGET_MS : durationOf(spec.forget);
  if (forgetMs === 0) {
    problems.add('BAD_DURATION', ['new_term', 'forget'], 'terms must be remembered longer than 0');
    ok = false;
  }
  if (!ok || learningMs === undefined || forgetMs === undefined) return undefined;
  return { fields, learningMs, forgetMs };
}

/** Inhibition drops the events a rule matches; these rules alert on what their stored state decides, so every event they match would be dropped. */
function checkNoSuppression(data: Record<string, unknown>, key: string, problems: RuleProblems): void {
  if (!Object.hasOwn(data, 'suppresses')) return;
  problems.add('BAD_VALUE', ['suppresses'], `a rule with ${key} alerts on what its stored state decides, not on one event: it cannot suppress the rules an event also matches`);
}

function durationOf(value: unknown): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
}

function ruleSources(value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.filter((s): s is string => typeof s === 'string');
}
