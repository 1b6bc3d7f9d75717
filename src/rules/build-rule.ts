/**
 * The part of compiling a rule that turns its data into predicates and a CompiledRule. It
 * leaves out the schema (zod), so the Lambda bundles, whose rules were validated when the
 * bundle was built, compile them without carrying or running the validator.
 */
import { basename, extname } from 'node:path';
import type { SourceLocator } from '../yaml/source-locator';
import { compileCondition } from './conditions';
import { parseDuration } from './duration';
import { isMapping } from './field-tests';
import { ANY_FIELD, type FieldCheck } from './known-fields';
import { NO_LISTS, type RuleLists } from './lists';
import { checkDistinctField, groupByFields } from './rule-checks';
import { compileNewTerm, compileSequence } from './stateful-rule';
import type { RuleFileData } from './schema';
import { mentionToken } from './slack-mention';
import type { ValueCheck } from './value-checks';
import { RULE_ID_PATTERN, type CompiledRule, type CompiledSequence, type Predicate, type RuleProblems, type RuleTest, type Severity } from './types';

export const DEFAULT_REALERT_MS = 3_600_000;
const RULE_ID = new RegExp(RULE_ID_PATTERN);

/** The rule's conditions as predicates, and its grouping fields; `undefined` parts were reported. */
export interface RuleLogic {
  match: Predicate | undefined;
  escalate: CompiledRule['escalate'] | undefined;
  groupBy: string[];
  sequence?: CompiledSequence;
  newTerm?: CompiledRule['newTerm'];
}

export function compileRuleLogic(
  data: Record<string, unknown>,
  checkField: FieldCheck,
  problems: RuleProblems,
  checkValue?: ValueCheck,
  lists: RuleLists = NO_LISTS,
): RuleLogic {
  const groupBy = groupByFields(data, checkField, problems);
  const logic: RuleLogic = { match: undefined, escalate: compileEscalations(data, checkField, problems, checkValue, lists), groupBy };
  if (Object.hasOwn(data, 'sequence')) {
    const compiled = compileSequence(data, checkField, problems, checkValue, lists);
    if (compiled !== undefined) {
      logic.match = compiled.match;
      logic.sequence = compiled.sequence;
    }
  } else if (Object.hasOwn(data, 'match')) logic.match = compileCondition(data.match, ['match'], checkField, problems, checkValue, lists);
  else problems.add('MISSING_KEY', [], 'missing key "match" (or "sequence"): which events the rule matches');
  if (Object.hasOwn(data, 'new_term')) {
    logic.newTerm = compileNewTerm(data, checkField, groupBy, problems);
    if (logic.newTerm === undefined) logic.match = undefined;
  }
  checkDistinctField(data, checkField, problems);
  return logic;
}

/**
 * Compiles rule data that already passed full validation (`compileRuleData`), as the Lambda
 * bundles carry it. The conditions are compiled again, so a problem is still reported.
 */
export function compileValidatedRule(data: unknown, file: string, problems: RuleProblems, lists: RuleLists = NO_LISTS): CompiledRule | undefined {
  if (!isMapping(data)) {
    problems.addAt('NOT_A_MAPPING', { line: 1, col: 1 }, 'the packaged rule is not a mapping');
    return undefined;
  }
  const id = ruleId(data.id, file, problems);
  const logic = compileRuleLogic(data, ANY_FIELD, problems, undefined, lists);
  if (problems.count > 0 || id === undefined || logic.match === undefined || logic.escalate === undefined) return undefined;
  return buildRule(data as unknown as RuleFileData, { ...logic, id, match: logic.match, escalate: logic.escalate, file, lists });
}

export function buildRule(
  d: RuleFileData,
  parts: {
    id: string;
    match: Predicate;
    escalate: CompiledRule['escalate'];
    groupBy: string[];
    sequence?: CompiledSequence;
    newTerm?: CompiledRule['newTerm'];
    file: string;
    locator?: SourceLocator;
    lists?: RuleLists;
  },
): CompiledRule {
  const tests: RuleTest[] = (d.tests ?? []).map((t, i) => ({
    name: t.name,
    logs: t.logs,
    records: t.records,
    source: t.source,
    year: t.year,
    repeat: t.repeat,
    expect: t.expect,
    // Looked up when read (`klaxon test` prints it): a cached file's locator parses the file to answer.
    get line(): number {
      return parts.locator?.position(['tests', i]).line ?? 1;
    },
  }));
  return {
    id: parts.id,
    title: d.title,
    description: d.description,
    sources: [...new Set(typeof d.source === 'string' ? [d.source] : d.source)],
    severity: d.severity,
    escalate: parts.escalate,
    match: parts.match,
    matchSpec: d.sequence === undefined ? d.match : { any: d.sequence.steps.map((step) => step.match) },
    ...(parts.sequence === undefined ? {} : { sequence: parts.sequence }),
    ...(parts.newTerm === undefined ? {} : { newTerm: parts.newTerm }),
    threshold:
      d.threshold === undefined
        ? undefined
        : { count: d.threshold.count, windowMs: parseDuration(d.threshold.window) as number, ...(d.threshold.distinct === undefined ? {} : { distinct: d.threshold.distinct }) },
    groupBy: parts.groupBy,
    suppresses: d.suppresses ?? [],
    escalateOnCount: (d.escalate ?? []).flatMap((e) => (e.count === undefined ? [] : [{ severity: e.severity, count: e.count }])),
    realertMs: d.realert === undefined ? DEFAULT_REALERT_MS : (parseDuration(d.realert) as number),
    slack: { channel: d.slack?.channel, template: d.slack?.template, mention: (d.slack?.mention ?? []).map(mentionToken) },
    runbook: d.runbook,
    tags: d.tags ?? [],
    allowedUsers: d.allowed_users ?? [],
    tests,
    file: parts.file,
    ...(parts.lists === undefined || parts.lists.size === 0 ? {} : { lists: parts.lists }),
  };
}

function compileEscalations(
  data: Record<string, unknown>,
  checkField: FieldCheck,
  problems: RuleProblems,
  checkValue: ValueCheck | undefined,
  lists: RuleLists,
): CompiledRule['escalate'] | undefined {
  if (!Array.isArray(data.escalate)) return [];
  const compiled: CompiledRule['escalate'] = [];
  let byCount = 0;
  data.escalate.forEach((entry: unknown, i) => {
    if (isMapping(entry) && !Object.hasOwn(entry, 'when') && Object.hasOwn(entry, 'count')) byCount++;
    if (!isMapping(entry) || !Object.hasOwn(entry, 'when')) return;
    const when = compileCondition(entry.when, ['escalate', i, 'when'], checkField, problems, checkValue, lists);
    if (when !== undefined) compiled.push({ severity: entry.severity as Severity, when });
  });
  return compiled.length + byCount === data.escalate.length ? compiled : undefined;
}

/** The id as written, or the file name without extension; `undefined` (reported) when the latter is no valid id. */
export function ruleId(written: unknown, file: string, problems: RuleProblems): string | undefined {
  if (written !== undefined) return typeof written === 'string' ? written : undefined;
  const fromName = idFromFileName(file);
  if (RULE_ID.test(fromName)) return fromName;
  problems.addAt('BAD_VALUE', { line: 1, col: 1 }, `the rule id defaults to the file name "${fromName}", which is not a valid id: rename the file or set id`);
  return undefined;
}

export function idFromFileName(file: string): string {
  return basename(file, extname(file));
}
