import type { ExplainTally } from '../engine/explain-tally';
import type { CompiledRule } from '../rules/types';
import { didYouMean } from '../yaml/suggest';
import { UsageError } from './io';
import { terminalSafe } from './terminal-safe';

/** The rule `scan --explain RULE` names; a usage error with a hint when there is none. */
export function explainedRule(rules: readonly CompiledRule[], id: string): CompiledRule {
  const rule = rules.find((r) => r.id === id);
  if (rule !== undefined) return rule;
  const ids = rules.map((r) => r.id);
  throw new UsageError(`--explain: unknown rule "${id}"${didYouMean(id, ids)}; rules: ${ids.join(', ') || '(none)'}`);
}

/**
 * The `scan --explain` report: how many events matched; for those that did not, which
 * condition each failed first (with a couple of their values); events of other sources; and
 * the lines that yielded no event by reason. Log text in it is escaped for the terminal.
 */
export function explainReport(rule: CompiledRule, tally: ExplainTally): string {
  const missed = tally.read - tally.matched;
  const lines = [`${rule.id}: ${plural(tally.read, 'event')} read, ${tally.matched} matched, ${missed} did not`];
  const failures = tally.firstFailures();
  if (failures.length > 0) lines.push('first failed condition:', ...table(failures.map((f) => [f.count, f.label, f.examples.length > 0 ? `e.g. ${f.examples.join(', ')}` : ''])));
  const others = [...tally.otherSources.entries()];
  const otherCount = others.reduce((sum, [, n]) => sum + n, 0);
  if (otherCount > 0) lines.push(`${plural(otherCount, 'event')} from sources the rule does not read (${others.map(([s]) => s).join(', ')})`);
  const reasons = tally.noEventReasons();
  const noEvent = reasons.reduce((sum, [, n]) => sum + n, 0);
  if (noEvent > 0) lines.push(`${plural(noEvent, 'line')} yielded no event:`, ...table(reasons.map(([reason, n]) => [n, reason])));
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Rows of a count and text columns, the count right-aligned and the columns padded to line up. */
function table(rows: Array<[number, ...string[]]>): string[] {
  const widths: number[] = [];
  const cells = rows.map(([n, ...texts]) => [String(n), ...texts]);
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cells.map((row) =>
    `  ${row
      .map((cell, i) => (i === 0 ? cell.padStart(widths[0] as number) : i === row.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join('  ')}`.trimEnd(),
  );
}
