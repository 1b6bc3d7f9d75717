import { isDeepStrictEqual } from 'node:util';
import type { FieldValue, KlaxonEvent } from '../events/event';
import { getField } from '../events/fields';
import type { CompiledRule, RuleTest } from '../rules/types';
import { DEFAULT_ROUTES } from '../sources/routing';
import type { Alert } from './alert';
import { formatDuration } from '../rules/duration';
import { describeFailure, nearestMiss, readsSource, ruleParts } from './explain';
import { alertsForText, type TextRun } from './run';

export interface RuleTestOutcome {
  rule: CompiledRule;
  test: RuleTest;
  failures: string[];
}

/** A fixed "now" for rule tests, so that year inference never depends on today's date. */
const TEST_NOW = Date.UTC(2030, 0, 1);

/**
 * Runs one test embedded in a rule file against that rule, with the rules of `others` that
 * suppress it (their own alerts are not counted): a test can show what it leaves to them.
 */
export async function runRuleTest(rule: CompiledRule, test: RuleTest, others: readonly CompiledRule[] = []): Promise<RuleTestOutcome> {
  const once = test.logs ?? (test.records ?? []).map((r) => `${JSON.stringify(r)}\n`).join('');
  const text = once.endsWith('\n') ? once.repeat(test.repeat ?? 1) : `${once}\n`.repeat(test.repeat ?? 1);
  const source = test.source ?? rule.sources[0] ?? 'auto';
  const suppressors = others.filter((other) => other !== rule && (other.suppresses ?? []).includes(rule.id));
  const run = await alertsForText(text, [rule, ...suppressors], { source, year: test.year, now: TEST_NOW, routes: DEFAULT_ROUTES });
  const alerts = run.alerts.filter((alert) => alert.rule === rule.id);
  const { stats } = run;
  const failures: string[] = stats.problems.map((p) => `input line ${p.location.line}${p.part ? ` ${p.part}` : ''} could not be parsed: ${p.message}`);
  const expect = test.expect;
  if (alerts.length !== expect.alerts) failures.push(`expected ${expect.alerts} alert${expect.alerts === 1 ? '' : 's'}, got ${alerts.length}`);
  if (alerts.length < expect.alerts) failures.push(...explainShortfall(rule, run));
  const first = alerts[0];
  if (first !== undefined) failures.push(...compareAlert(first, test));
  else if (expect.fields !== undefined || expect.severity !== undefined || expect.count !== undefined || expect.title !== undefined) {
    if (expect.alerts > 0) failures.push('no alert to compare fields, severity, count or title with');
  }
  return { rule, test, failures };
}

function compareAlert(alert: Alert, test: RuleTest): string[] {
  const failures: string[] = [];
  const { expect } = test;
  if (expect.severity !== undefined && alert.severity !== expect.severity) failures.push(`severity: expected ${expect.severity}, got ${alert.severity}`);
  if (expect.count !== undefined && alert.count !== expect.count) failures.push(`count: expected ${expect.count}, got ${alert.count}`);
  if (expect.title !== undefined && alert.title !== expect.title) failures.push(`title: expected ${JSON.stringify(expect.title)}, got ${JSON.stringify(alert.title)}`);
  for (const [path, wanted] of Object.entries(expect.fields ?? {})) {
    const actual = path in alert.fields ? alert.fields[path] : alert.samples[0] === undefined ? undefined : getField(alert.samples[0], path);
    if (!sameValue(actual, wanted)) failures.push(`${path}: expected ${JSON.stringify(wanted)}, got ${actual === undefined ? 'nothing' : JSON.stringify(actual)}`);
  }
  return failures;
}

/** YAML gives numbers and booleans where logs give strings (ports, ids): compare them as a person would. */
function sameValue(actual: FieldValue | undefined, wanted: FieldValue): boolean {
  if (isDeepStrictEqual(actual, wanted)) return true;
  if (actual === undefined || actual === null || typeof actual === 'object' || typeof wanted === 'object') return false;
  return String(actual) === String(wanted);
}

/** At most this many input lines that yielded no event are named. */
const MAX_NO_EVENT_LINES = 3;

/**
 * Why a test got fewer alerts than it expected: how many events matched; when none did, the
 * condition(s) the nearest event failed with its values; when some did, what else holds
 * alerts back; and the input lines that gave no event, with the parser's reason.
 */
function explainShortfall(rule: CompiledRule, run: TextRun): string[] {
  const read = run.events.flatMap((event, i) => (readsSource(rule, event) ? [{ event, line: run.eventLines[i] as number }] : []));
  const matched = read.filter(({ event }) => rule.match(event)).length;
  let summary = `${matched} of ${read.length} event${read.length === 1 ? '' : 's'} matched`;
  const lines: string[] = [];
  const near = matched === 0 ? nearestMiss(ruleParts(rule), read.map((r) => r.event)) : undefined;
  if (near !== undefined) {
    const { event, line } = read[near.index] as { event: KlaxonEvent; line: number };
    summary += `; nearest: input line ${line}`;
    lines.push(...near.failing.map((part) => `  ${describeFailure(part, event)}`));
  } else if (matched > 0) {
    summary += rule.threshold
      ? `; the threshold needs ${rule.threshold.count} within ${formatDuration(rule.threshold.windowMs)}`
      : `; matches of one group within ${formatDuration(rule.realertMs)} (realert) update one alert`;
  }
  const others = run.events.length - read.length;
  if (others > 0) summary += `; ${others} event${others === 1 ? ' is' : 's are'} from sources the rule does not read`;
  const skipped = run.noEvent.filter((n) => n.result.status === 'skipped');
  for (const n of skipped.slice(0, MAX_NO_EVENT_LINES)) {
    if (n.result.status === 'skipped') lines.push(`input line ${n.line}${n.part ? ` ${n.part}` : ''} yielded no event: ${n.result.reason}`);
  }
  if (skipped.length > MAX_NO_EVENT_LINES) lines.push(`and ${skipped.length - MAX_NO_EVENT_LINES} more input lines that yielded no event`);
  return [summary, ...lines];
}
