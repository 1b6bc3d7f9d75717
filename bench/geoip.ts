/**
 * GeoIP enrichment cost: reading the shipped country database (once per process, on the
 * first event with a public address), then `addSourceCountries` per event, with the per-address
 * cache and without it, for two mixes of addresses:
 *
 * - "few": 1,000 distinct public addresses, each seen many times (SSH brute force, scanners);
 * - "many": every event from a new public address (a distributed flood, WAF from everywhere).
 *
 *   npm run bench:geoip                   # 1,000,000 events per mix
 *   BENCH_EVENTS=200000 npm run bench:geoip
 *   BENCH_SMOKE=1 npm run bench:geoip     # 20,000 events: checks the harness
 */
import type { KlaxonEvent } from '../src/events/event';
import { addSourceCountries, CountryDatabase, countryDatabase } from '../src/sources/geoip';

const SMOKE = process.env.BENCH_SMOKE === '1';
const EVENTS = Number(process.env.BENCH_EVENTS ?? (SMOKE ? 20_000 : 1_000_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (SMOKE ? 1 : 3));

/** A public IPv4 address (first octet 11-99 leaves the reserved ranges out). */
function publicAddress(i: number): string {
  return `${11 + (i % 89)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i * 7) & 255}`;
}

function events(distinct: number): KlaxonEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => ({ source: 'ssh', timestamp: i, fields: { 'source.ip': publicAddress(i % distinct) } }) as KlaxonEvent);
}

/** Best nanoseconds per event over RUNS runs of `lookUp` over fresh copies of the events. */
function perEvent(template: readonly KlaxonEvent[], lookUp: (batch: KlaxonEvent[]) => void): number {
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const batch = template.map((e) => ({ ...e, fields: { ...e.fields } }));
    const started = process.hrtime.bigint();
    for (let i = 0; i < batch.length; i += 500) lookUp(batch.slice(i, i + 500));
    best = Math.min(best, Number(process.hrtime.bigint() - started) / batch.length);
  }
  return best;
}

function main(): void {
  const started = process.hrtime.bigint();
  const db = countryDatabase();
  if (db instanceof Error) throw db;
  const openMs = Number(process.hrtime.bigint() - started) / 1e6;
  const heapMb = process.memoryUsage().rss / 1e6;
  console.log(`database: ${db.info.name}, built ${db.info.built.toISOString().slice(0, 10)}; read and opened in ${openMs.toFixed(1)} ms (first need); process RSS ${heapMb.toFixed(0)} MB after`);
  const uncached = CountryDatabase.open(db.path, 0);
  const withoutCache = (batch: KlaxonEvent[]) => {
    for (const e of batch) {
      const code = uncached.country(e.fields['source.ip'] as string);
      if (code !== undefined) e.fields['source.geo.country_iso_code'] = code;
    }
  };
  console.log(`\n${EVENTS} events per mix, best of ${RUNS}\nmix                      cached       uncached`);
  for (const [name, distinct] of [
    ['few (1,000 addresses)', 1_000],
    ['many (all distinct)', EVENTS],
  ] as const) {
    const template = events(distinct);
    const cached = perEvent(template, (batch) => addSourceCountries(batch));
    const plain = perEvent(template, withoutCache);
    console.log(`${name.padEnd(24)} ${`${(cached / 1000).toFixed(2)} µs`.padEnd(12)} ${(plain / 1000).toFixed(2)} µs`);
  }
}

main();
