import { Readable } from 'node:stream';
import type { KlaxonEvent } from '../events/event';
import type { CompiledRule } from '../rules/types';
import type { DecodeOptions } from '../sources/decode';
import { readEvents, ReadStats } from '../sources/read-events';
import type { Alert } from './alert';
import { AlertEngine } from './engine';

/** Runs rules over an in-memory input exactly as `klaxon scan` runs them over a file. */
export async function alertsForText(text: string, rules: readonly CompiledRule[], options: DecodeOptions): Promise<{ alerts: Alert[]; events: KlaxonEvent[]; stats: ReadStats }> {
  const engine = new AlertEngine(rules);
  const stats = new ReadStats();
  const events: KlaxonEvent[] = [];
  await readEvents('-', Readable.from([Buffer.from(text, 'utf8')]), options, stats, (batch) => {
    for (const event of batch) {
      events.push(event);
      engine.process(event);
    }
  });
  return { alerts: engine.alerts(), events, stats };
}
