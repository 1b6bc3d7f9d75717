import { EVENT_SOURCES } from '../events/event';
import type { EventSource } from '../events/event';
import type { Position } from '../yaml/locate';
import type { SourceLocator } from '../yaml/source-locator';
import { reportZodIssues } from '../yaml/zod-issues';
import { buildRule, compileRuleLogic, idFromFileName, ruleId } from './build-rule';
import { parseDuration } from './duration';
import { isMapping } from './field-tests';
import { fieldCheck } from './known-fields';
import type { RuleLists } from './lists';
import { checkEscalationSeverities, checkTemplate, checkTests, checkTitle } from './rule-checks';
import { errorCodes, ruleValidationSchema } from './schema';
import { valueCheck } from './value-checks';
import { RULE_ID_PATTERN, type CompiledRule, type RuleProblem, type RuleProblems } from './types';

const RULE_ID = new RegExp(RULE_ID_PATTERN);

export interface CompileOptions {
  knownTemplates?: readonly string[];
  /** The lists `in_list` may name. */
  lists?: RuleLists;
  /** Receives problems the rule reveals in list files (an entry that is no address, used on an address field). */
  listProblems?: RuleProblem[];
}

/**
 * Validates a rule file's data and compiles it. Every check runs even when an earlier one
 * failed, so one pass reports all of a file's problems; a rule is returned only when there
 * were none.
 */
export function compileRuleData(data: unknown, locator: SourceLocator, file: string, problems: RuleProblems, options: CompileOptions): CompiledRule | undefined {
  if (!isMapping(data)) {
    const empty = data === null || data === undefined;
    problems.addAt(
      'NOT_A_MAPPING',
      empty ? { line: 1, col: 1 } : locator.position([]),
      empty ? 'the file holds no rule: write a mapping with title, source, severity and match' : 'a rule file must be a mapping of keys (title, source, severity, match, ...)',
    );
    return undefined;
  }
  const parsed = ruleValidationSchema.safeParse(data);
  if (!parsed.success) reportZodIssues(parsed.error.issues, ruleValidationSchema, data, problems, errorCodes);

  const sources = knownSources(data.source);
  // With no valid source, check fields against all sources rather than flag every field.
  const checked = sources.length > 0 ? sources : EVENT_SOURCES;
  const checkField = fieldCheck(checked);
  const id = ruleId(data.id, file, problems);
  checkTitle(data, locator, checkField, problems);
  const listProblems = options.listProblems ?? [];
  const listsBefore = listProblems.length;
  const listUse = options.lists === undefined ? undefined : { lists: options.lists, ruleFile: file, problems: listProblems };
  const logic = compileRuleLogic(data, checkField, problems, valueCheck(checked, listUse), options.lists);
  const { match, escalate } = logic;
  checkEscalationSeverities(data, problems);
  const window = isMapping(data.threshold) ? data.threshold.window : undefined;
  if ((typeof window === 'string' || typeof window === 'number') && parseDuration(window) === 0) {
    problems.add('BAD_DURATION', ['threshold', 'window'], 'a threshold window must be longer than 0');
  }
  checkTemplate(data, options.knownTemplates, problems);
  checkTests(data, locator, checkField, problems);

  if (!parsed.success || problems.count > 0 || listProblems.length > listsBefore || id === undefined || match === undefined || escalate === undefined) return undefined;
  return buildRule(parsed.data, { ...logic, id, match, escalate, locator, file, lists: options.lists });
}

/**
 * The rule's id and where it is written (the file's start for an id taken from the file
 * name), even when the file has other problems, so that id clashes are found early. The
 * position is looked up when read: only a clash needs it, and a cached file's locator parses.
 */
export function declaredId(data: unknown, locator: SourceLocator, file: string): { id: string; position: Position } | undefined {
  const written = isMapping(data) ? data.id : undefined;
  const id = written === undefined ? idFromFileName(file) : written;
  if (typeof id !== 'string' || !RULE_ID.test(id)) return undefined;
  return {
    id,
    get position(): Position {
      return written === undefined ? { line: 1, col: 1 } : locator.position(['id']);
    },
  };
}

function knownSources(value: unknown): EventSource[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.filter((s): s is EventSource => (EVENT_SOURCES as readonly unknown[]).includes(s));
}

