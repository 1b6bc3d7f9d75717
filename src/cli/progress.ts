import { describeLocation } from '../input/location';
import type { ReadStats } from '../sources/read-events';
import { terminalSafe } from './terminal-safe';
import { countText } from './count-text';

const EVERY_MS = 2000;

/** A progress line on stderr every two seconds while a long scan runs, only when stderr is a terminal. */
export class Progress {
  private readonly started = Date.now();
  private last = this.started;
  private shown = false;

  constructor(
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly stats: ReadStats,
  ) {}

  tick(): void {
    if (!this.stderr.isTTY) return;
    const now = Date.now();
    if (now - this.last < EVERY_MS) return;
    this.last = now;
    this.shown = true;
    const rate = Math.round(this.stats.units / ((now - this.started) / 1000));
    this.stderr.write(`\r  ${countText(this.stats.units)} read, ${countText(this.stats.events)} events (${countText(rate)}/s)…`);
  }

  done(): void {
    if (this.shown) this.stderr.write('\r\x1b[K');
  }
}

/**
 * The closing report on stderr: how much was read, what was skipped, and where parsing failed.
 * `read` is the number of files read, or a description of what else was read (`replay`).
 */
export function summary(stats: ReadStats, read: number | string, alerts: number | undefined, command = 'scan'): string {
  const parts = [
    typeof read === 'string' ? read : `${countText(stats.units)} ${stats.units === 1 ? 'line or record' : 'lines or records'} read from ${read} file${read === 1 ? '' : 's'}`,
    `${countText(stats.events)} event${stats.events === 1 ? '' : 's'}${genericNote(stats)}`,
    `${countText(stats.skipped)} skipped (not security-relevant)`,
    `${countText(stats.errors)} could not be parsed`,
  ];
  if (alerts !== undefined) parts.push(`${alerts} alert${alerts === 1 ? '' : 's'}`);
  const lines = [`klaxon ${command}: ${parts.join(', ')}`];
  for (const p of stats.problems) lines.push(`  ${describeLocation(p.location)}${p.part ? ` ${p.part}` : ''}: ${p.partial ? 'read in part: ' : ''}${terminalSafe(p.message)}`);
  const unshown = stats.errors + stats.partial - stats.problems.length;
  if (unshown > 0) lines.push(`  … and ${unshown} more`);
  return `${lines.join('\n')}\n`;
}

/** How many lines became generic events (header and message only), and how many of those Klaxon could read only in part. */
function genericNote(stats: ReadStats): string {
  if (stats.generic === 0) return '';
  const partial = stats.partial > 0 ? `, ${countText(stats.partial)} read in part` : '';
  return ` (${countText(stats.generic)} from lines whose message Klaxon does not know: header and message only${partial})`;
}
