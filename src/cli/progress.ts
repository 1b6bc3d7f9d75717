import { describeLocation } from '../input/location';
import type { ReadStats } from '../sources/read-events';
import { terminalSafe } from './terminal-safe';

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
    this.stderr.write(`\r  ${this.stats.units.toLocaleString('en')} read, ${this.stats.events.toLocaleString('en')} events (${rate.toLocaleString('en')}/s)…`);
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
    typeof read === 'string' ? read : `${stats.units.toLocaleString('en')} ${stats.units === 1 ? 'line or record' : 'lines or records'} read from ${read} file${read === 1 ? '' : 's'}`,
    `${stats.events.toLocaleString('en')} event${stats.events === 1 ? '' : 's'}${genericNote(stats)}`,
    `${stats.skipped.toLocaleString('en')} skipped (not security-relevant)`,
    `${stats.errors.toLocaleString('en')} could not be parsed`,
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
  const partial = stats.partial > 0 ? `, ${stats.partial.toLocaleString('en')} read in part` : '';
  return ` (${stats.generic.toLocaleString('en')} from lines whose message Klaxon does not know: header and message only${partial})`;
}
