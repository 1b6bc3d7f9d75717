import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { cloudTrailRecords, wafRecords } from '../../bench/generate';
import type { KlaxonEvent } from '../../src/events/event';
import { readEvents, ReadStats } from '../../src/sources/read-events';

/**
 * The events that `klaxon scan --events` prints for representative WAF and CloudTrail records
 * (the test fixtures, and one record of each kind the scan benchmark generates), compared line
 * by line, key order included, with what they were before the parsers were tuned for speed:
 * a field added, lost, renamed, reordered or changed in value fails here.
 * `UPDATE_GOLDEN=1 npx jest test/sources/event-fields-golden.test.ts` rewrites the file after an intended change.
 */
const GOLDEN = join(__dirname, '..', 'fixtures', 'events-golden.txt');
const FIXTURES = join(__dirname, '..', 'fixtures');
const START = Date.UTC(2024, 10, 2, 0, 0, 0);

/** The first generated record of each kind (a WAF action and terminating rule; a CloudTrail event name). */
function benchSample(records: string[], kind: (record: Record<string, unknown>) => string): string[] {
  const seen = new Set<string>();
  return records.filter((text) => {
    const key = kind(JSON.parse(text) as Record<string, unknown>);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function inputs(): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  for (const source of ['waf', 'cloudtrail']) {
    for (const file of readdirSync(join(FIXTURES, source)).sort()) out.push({ name: `${source}/${file}`, text: readFileSync(join(FIXTURES, source, file), 'utf8') });
  }
  benchSample(wafRecords(3000, START), (r) => `${String(r.action)} ${String(r.terminatingRuleId)}`).forEach((text, i) => out.push({ name: `bench waf ${i}`, text }));
  benchSample(cloudTrailRecords(3000, START), (r) => String(r.eventName)).forEach((text, i) => out.push({ name: `bench cloudtrail ${i}`, text }));
  return out;
}

async function eventLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const { name, text } of inputs()) {
    const events: KlaxonEvent[] = [];
    const stats = new ReadStats();
    await readEvents('-', Readable.from([Buffer.from(text, 'utf8')]), { source: 'auto', now: START, year: 2024, routes: [] }, stats, (batch) => {
      events.push(...batch);
    });
    lines.push(`# ${name}: ${stats.events} events, ${stats.errors} errors`);
    for (const event of events) lines.push(JSON.stringify(event.fields));
  }
  return lines;
}

describe('WAF and CloudTrail events, field by field', () => {
  it('are what they were for representative records (key order included)', async () => {
    const lines = await eventLines();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${lines.join('\n')}\n`);
    const golden = readFileSync(GOLDEN, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(golden.length);
    lines.forEach((line, i) => expect(line).toBe(golden[i]));
  });
});
