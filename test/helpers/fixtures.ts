import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KlaxonEvent, ParseResult } from '../../src/events/event';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** A JSON fixture as read (for `event.original`) and parsed, from test/fixtures/<source>/<name>.json. */
export function jsonFixture(source: string, name: string): { text: string; json: Record<string, unknown> } {
  const text = readFileSync(join(FIXTURES, source, `${name}.json`), 'utf8');
  return { text, json: JSON.parse(text) as Record<string, unknown> };
}

/** The one event a parse must have produced. */
export function onlyEvent(result: ParseResult): KlaxonEvent {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as KlaxonEvent;
}
