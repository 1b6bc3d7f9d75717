import { Readable } from 'node:stream';
import type { KlaxonEvent } from '../events/event';
import type { CompiledRule } from '../rules/types';
import type { DecodeOptions } from '../sources/decode';
import { readEvents, ReadStats, type NoEventResult } from '../sources/read-events';
import type { Alert } from './alert';
import { AlertEngine } from './engine';

/** A line or record of the input that yielded no event, and why. */
export interface NoEventLine {
  line: number;
  part?: string;
  result: NoEventResult;
}

export interface TextRun {
  alerts: Alert[];
  events: KlaxonEvent[];
  /** The input line of each event, in the order of `events`. */
  eventLines: number[];
  noEvent: NoEventLine[];
  stats: ReadStats;
}

/** Runs rules over an in-memory input exactly as `klaxon scan` runs them over a file. */
export async function alertsForText(text: string, rules: readonly CompiledRule[], options: DecodeOptions): Promise<TextRun> {
  const engine = new AlertEngine(rules);
  const noEvent: NoEventLine[] = [];
  const stats = new ReadStats(100, (location, result, part) => noEvent.push({ line: location.line, part, result }));
  const events: KlaxonEvent[] = [];
  const eventLines: number[] = [];
  await readEvents('-', Readable.from([Buffer.from(text, 'utf8')]), options, stats, (batch) => {
    const line = stats.lastLocation?.line ?? 0;
    for (const event of batch) {
      events.push(event);
      eventLines.push(line);
      engine.process(event);
    }
  });
  return { alerts: engine.alerts(), events, eventLines, noEvent, stats };
}
