/**
 * Rule validation checks event.action, event.outcome, event.category and event.type values
 * against the lists the parsers export (src/sources/*-fields.ts gathers them). The parsers
 * must never give a value outside them, or a valid rule would be refused: every event of the
 * fixtures, the samples and the shipped rules' own tests stays inside.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { KlaxonEvent } from '../../src/events/event';
import { alertsForText } from '../../src/engine/run';
import { loadRulesFromDir } from '../../src/rules/load';
import { fieldCatalogue } from '../../src/sources/catalogue';
import type { DecodeOptions } from '../../src/sources/decode';
import { DEFAULT_ROUTES } from '../../src/sources/routing';

const REPO = join(__dirname, '..', '..');
const VOCABULARY_FIELDS = ['event.action', 'event.outcome', 'event.category', 'event.type'];
const OPTIONS: DecodeOptions = { source: 'auto', year: 2024, now: Date.UTC(2030, 0, 1), routes: DEFAULT_ROUTES };

function fileText(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

async function inputs(): Promise<Array<{ name: string; events: KlaxonEvent[] }>> {
  const files = [
    ...['ssh', 'waf', 'cloudtrail', 'alarm'].flatMap((dir) => readdirSync(join(REPO, 'test', 'fixtures', dir)).map((f) => join(REPO, 'test', 'fixtures', dir, f))),
    ...readdirSync(join(REPO, 'samples')).map((f) => join(REPO, 'samples', f)),
  ];
  const runs = files.map(async (file) => ({ name: file, events: (await alertsForText(fileText(file), [], OPTIONS)).events }));
  for (const rule of loadRulesFromDir(join(REPO, 'rules')).rules) {
    for (const test of rule.tests) {
      const text = test.logs ?? (test.records ?? []).map((r) => `${JSON.stringify(r)}\n`).join('');
      const options: DecodeOptions = { ...OPTIONS, source: test.source ?? rule.sources[0] ?? 'auto', year: test.year ?? OPTIONS.year };
      runs.push(alertsForText(text, [], options).then((run) => ({ name: `${rule.id} › ${test.name}`, events: run.events })));
    }
  }
  return Promise.all(runs);
}

describe('the parsers give only the values their catalogues list', () => {
  it('for event.action, event.outcome, event.category and event.type', async () => {
    const outside: string[] = [];
    let events = 0;
    for (const { name, events: list } of await inputs()) {
      for (const event of list) {
        events++;
        const values = fieldCatalogue([event.source]).values ?? {};
        for (const field of VOCABULARY_FIELDS) {
          const allowed = values[field];
          const value = event.fields[field];
          if (allowed === undefined || allowed === 'any' || value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) {
            if (!allowed.includes(String(v))) outside.push(`${name}: ${event.source} ${field} ${JSON.stringify(v)}`);
          }
        }
      }
    }
    expect(outside).toEqual([]);
    expect(events).toBeGreaterThan(100);
  });

  it('lists every action of the account programs and sshd that the shipped rules use', () => {
    const actions = fieldCatalogue(['ssh']).values?.['event.action'];
    expect(actions).toEqual(expect.arrayContaining(['ssh_login', 'ssh_connection', 'sudo', 'su', 'user-created', 'user-added-to-group']));
  });
});
