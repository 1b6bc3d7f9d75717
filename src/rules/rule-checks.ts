import { placeholders } from '../events/interpolate';
import type { SourceLocator } from '../yaml/source-locator';
import { didYouMean } from '../yaml/suggest';
import { isMapping } from './field-tests';
import type { FieldCheck } from './known-fields';
import type { RuleProblems } from './types';
import { SEVERITIES } from './types';

/** Checks across keys that the schema cannot express; each reports and returns nothing. */

/** Title placeholders must name known fields; the problem points at the name inside `{{ }}`. */
export function checkTitle(data: Record<string, unknown>, locator: SourceLocator, checkField: FieldCheck, problems: RuleProblems): void {
  if (typeof data.title !== 'string') return;
  const fields = [...placeholders(data.title)];
  const unknowns = fields.map(checkField);
  // Positions only for a problem: the locator of a cached file parses it to find them.
  if (unknowns.every((unknown) => unknown === undefined)) return;
  const range = locator.range(['title']);
  const written = range === undefined ? '' : locator.text.slice(range[0], range[1]);
  let cursor = 0;
  for (const [i, field] of fields.entries()) {
    const at = written.indexOf(field, cursor);
    if (at >= 0) cursor = at + field.length;
    const unknown = unknowns[i];
    if (unknown === undefined) continue;
    if (range !== undefined && at >= 0) problems.addAt('UNKNOWN_FIELD', locator.positionOf(range[0] + at), `title: ${unknown}`);
    else problems.add('UNKNOWN_FIELD', ['title'], `title: ${unknown}`);
  }
}

/** group_by may be written at the top level and inside threshold; both are checked and merged (in that order, without repeats). */
export function groupByFields(data: Record<string, unknown>, checkField: FieldCheck, problems: RuleProblems): string[] {
  const merged = new Set<string>();
  const lists: Array<[unknown, ReadonlyArray<string>]> = [[data.group_by, ['group_by']]];
  if (isMapping(data.threshold)) lists.push([data.threshold.group_by, ['threshold', 'group_by']]);
  for (const [list, path] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((field: unknown, i) => {
      if (typeof field !== 'string') return;
      const unknown = checkField(field);
      if (unknown !== undefined) problems.add('UNKNOWN_FIELD', [...path, i], unknown);
      merged.add(field);
    });
  }
  return [...merged];
}

/** threshold.distinct must name a field the rule's sources have. */
export function checkDistinctField(data: Record<string, unknown>, checkField: FieldCheck, problems: RuleProblems): void {
  if (!isMapping(data.threshold) || typeof data.threshold.distinct !== 'string') return;
  const unknown = checkField(data.threshold.distinct);
  if (unknown !== undefined) problems.add('UNKNOWN_FIELD', ['threshold', 'distinct'], unknown);
}

/** An escalation must raise the severity; one at or below the rule's severity is a mistake. */
export function checkEscalationSeverities(data: Record<string, unknown>, problems: RuleProblems): void {
  const base = SEVERITIES.indexOf(data.severity as (typeof SEVERITIES)[number]);
  if (base < 0 || !Array.isArray(data.escalate)) return;
  data.escalate.forEach((entry: unknown, i) => {
    if (!isMapping(entry)) return;
    const raised = SEVERITIES.indexOf(entry.severity as (typeof SEVERITIES)[number]);
    if (raised >= 0 && raised <= base) {
      problems.add('BAD_VALUE', ['escalate', i, 'severity'], `${String(entry.severity)} does not raise the rule's severity ${String(data.severity)}`);
    }
  });
}

export function checkTemplate(data: Record<string, unknown>, knownTemplates: readonly string[] | undefined, problems: RuleProblems): void {
  if (knownTemplates === undefined || !isMapping(data.slack)) return;
  const template = data.slack.template;
  if (typeof template !== 'string' || knownTemplates.includes(template)) return;
  problems.add(
    'UNKNOWN_TEMPLATE',
    ['slack', 'template'],
    `unknown template "${template}"${didYouMean(template, knownTemplates)}; templates: ${knownTemplates.join(', ') || '(none)'}`,
  );
}

/** Tests: exactly one of logs/records, unique names, and expected fields that exist. */
export function checkTests(data: Record<string, unknown>, locator: SourceLocator, checkField: FieldCheck, problems: RuleProblems): void {
  if (!Array.isArray(data.tests)) return;
  /** Each name's first test, by index: its line is looked up only for a duplicate (a cached file's locator parses). */
  const names = new Map<string, number>();
  data.tests.forEach((test: unknown, i) => {
    if (!isMapping(test)) return;
    const path = ['tests', i];
    const hasLogs = Object.hasOwn(test, 'logs');
    if (hasLogs === Object.hasOwn(test, 'records')) {
      problems.add('BAD_VALUE', path, `give either logs or records${hasLogs ? ', not both' : ''}`);
    }
    if (typeof test.name === 'string') {
      const earlier = names.get(test.name);
      if (earlier === undefined) names.set(test.name, i);
      else problems.add('BAD_VALUE', [...path, 'name'], `duplicate test name "${test.name}" (first at line ${locator.position(['tests', earlier, 'name']).line})`);
    }
    const fields = isMapping(test.expect) ? test.expect.fields : undefined;
    if (!isMapping(fields)) return;
    for (const field of Object.keys(fields)) {
      const unknown = checkField(field);
      if (unknown !== undefined) problems.add('UNKNOWN_FIELD', [...path, 'expect', 'fields', field], unknown, { key: true });
    }
  });
}
