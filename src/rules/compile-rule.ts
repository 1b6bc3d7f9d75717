import { basename, extname } from 'node:path';
import { EVENT_SOURCES } from '../events/event';
import type { EventSource } from '../events/event';
import type { Position } from '../yaml/locate';
import type { SourceLocator } from '../yaml/source-locator';
import { reportZodIssues } from '../yaml/zod-issues';
import { compileCondition } from './conditions';
import { parseDuration } from './duration';
import { isMapping } from './field-tests';
import { fieldCheck } from './known-fields';
import type { FieldCheck } from './known-fields';
import { checkEscalationSeverities, checkTemplate, checkTests, checkTitle, groupByFields } from './rule-checks';
import { RULE_ID_PATTERN, errorCodes, ruleValidationSchema } from './schema';
import type { RuleFileData } from './schema';
import { mentionToken } from './slack-mention';
import type { CompiledRule, Predicate, RuleProblems, RuleTest, Severity } from './types';

export const DEFAULT_REALERT_MS = 3_600_000;
const RULE_ID = new RegExp(RULE_ID_PATTERN);

export interface CompileOptions {
  knownTemplates?: readonly string[];
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
  const checkField = fieldCheck(sources.length > 0 ? sources : EVENT_SOURCES);
  const id = ruleId(data.id, file, problems);
  checkTitle(data, locator, checkField, problems);
  const match = Object.hasOwn(data, 'match') ? compileCondition(data.match, ['match'], checkField, problems) : undefined;
  const escalate = compileEscalations(data, checkField, problems);
  checkEscalationSeverities(data, problems);
  const groupBy = groupByFields(data, checkField, problems);
  const window = isMapping(data.threshold) ? data.threshold.window : undefined;
  if ((typeof window === 'string' || typeof window === 'number') && parseDuration(window) === 0) {
    problems.add('BAD_DURATION', ['threshold', 'window'], 'a threshold window must be longer than 0');
  }
  checkTemplate(data, options.knownTemplates, problems);
  checkTests(data, locator, checkField, problems);

  if (!parsed.success || problems.count > 0 || id === undefined || match === undefined || escalate === undefined) return undefined;
  return build(parsed.data, { id, match, escalate, groupBy, locator, file });
}

/**
 * The rule's id and where it is written (the file's start for an id taken from the file
 * name), even when the file has other problems, so that id clashes are found early.
 */
export function declaredId(data: unknown, locator: SourceLocator, file: string): { id: string; position: Position } | undefined {
  const written = isMapping(data) ? data.id : undefined;
  const id = written === undefined ? idFromFileName(file) : written;
  if (typeof id !== 'string' || !RULE_ID.test(id)) return undefined;
  return { id, position: written === undefined ? { line: 1, col: 1 } : locator.position(['id']) };
}

function build(
  d: RuleFileData,
  parts: { id: string; match: Predicate; escalate: CompiledRule['escalate']; groupBy: string[]; locator: SourceLocator; file: string },
): CompiledRule {
  const tests: RuleTest[] = (d.tests ?? []).map((t, i) => ({
    name: t.name,
    logs: t.logs,
    records: t.records,
    source: t.source,
    year: t.year,
    repeat: t.repeat,
    expect: t.expect,
    line: parts.locator.position(['tests', i]).line,
  }));
  return {
    id: parts.id,
    title: d.title,
    description: d.description,
    sources: [...new Set(typeof d.source === 'string' ? [d.source] : d.source)],
    severity: d.severity,
    escalate: parts.escalate,
    match: parts.match,
    threshold: d.threshold === undefined ? undefined : { count: d.threshold.count, windowMs: parseDuration(d.threshold.window) as number },
    groupBy: parts.groupBy,
    realertMs: d.realert === undefined ? DEFAULT_REALERT_MS : (parseDuration(d.realert) as number),
    slack: { channel: d.slack?.channel, template: d.slack?.template, mention: (d.slack?.mention ?? []).map(mentionToken) },
    runbook: d.runbook,
    tags: d.tags ?? [],
    allowedUsers: d.allowed_users ?? [],
    tests,
    file: parts.file,
  };
}

function compileEscalations(data: Record<string, unknown>, checkField: FieldCheck, problems: RuleProblems): CompiledRule['escalate'] | undefined {
  if (!Array.isArray(data.escalate)) return [];
  const compiled: CompiledRule['escalate'] = [];
  data.escalate.forEach((entry: unknown, i) => {
    if (!isMapping(entry) || !Object.hasOwn(entry, 'when')) return;
    const when = compileCondition(entry.when, ['escalate', i, 'when'], checkField, problems);
    if (when !== undefined) compiled.push({ severity: entry.severity as Severity, when });
  });
  return compiled.length === data.escalate.length ? compiled : undefined;
}

function knownSources(value: unknown): EventSource[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.filter((s): s is EventSource => (EVENT_SOURCES as readonly unknown[]).includes(s));
}

/** The id as written, or the file name without extension; `undefined` (reported) when the latter is no valid id. */
function ruleId(written: unknown, file: string, problems: RuleProblems): string | undefined {
  if (written !== undefined) return typeof written === 'string' ? written : undefined;
  const fromName = idFromFileName(file);
  if (RULE_ID.test(fromName)) return fromName;
  problems.addAt('BAD_VALUE', { line: 1, col: 1 }, `the rule id defaults to the file name "${fromName}", which is not a valid id: rename the file or set id`);
  return undefined;
}

function idFromFileName(file: string): string {
  return basename(file, extname(file));
}
