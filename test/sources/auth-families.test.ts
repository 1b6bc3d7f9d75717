import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshLines } from '../../bench/generate';
import type { KlaxonEvent } from '../../src/events/event';
import { AUTH_LOG_CATALOGUE } from '../../src/sources/auth-catalogue';
import { AUTH_FAMILIES, Family } from '../../src/sources/sshd-families';
import { parseAuthLine } from '../../src/sources/sshd';

/**
 * The families' declared values are what a scan's prefilter trusts to skip lines: every event
 * the parser builds must carry one of its family's (action, sshd event, outcome) triples, or be
 * generic (none of them). Checked over the catalogue, every auth fixture and generated lines.
 */
const ROOT = join(__dirname, '..', '..');
const CTX = { year: 2024, now: Date.UTC(2024, 11, 1) };

function fixtureLines(): string[] {
  const dirs = [join(ROOT, 'test', 'fixtures', 'ssh'), join(ROOT, 'test', 'fixtures', 'auth')];
  const files = [...dirs.flatMap((dir) => readdirSync(dir).map((name) => join(dir, name))), join(ROOT, 'samples', 'auth.log')];
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n')).filter((line) => line !== '');
}

const BARE_PAM_FAILURE = 'Nov  2 10:00:00 host sshd[42]: authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root';
const LINES = [BARE_PAM_FAILURE, ...AUTH_LOG_CATALOGUE.map(({ program, message }) => `Nov  2 10:00:00 host ${program}[42]: ${message}`), ...fixtureLines(), ...sshLines(500, Date.UTC(2024, 10, 2))];

/** The family the parser puts a line in: the one whose flag alone lets it be built. */
function familyOf(line: string): number | undefined {
  for (let i = 0; i < AUTH_FAMILIES.length; i++) {
    const only = AUTH_FAMILIES.map((_, j) => j === i);
    const result = parseAuthLine(line, { ...CTX, buildFamilies: only });
    if (result.status === 'ok' && result.unbuilt === undefined) return i;
  }
  return undefined;
}

function triple(event: KlaxonEvent): string {
  const f = event.fields;
  return JSON.stringify([f['event.action'], f['system.auth.ssh.event'], f['event.outcome']]);
}

describe('auth-log message families', () => {
  it('every event the parser builds carries values its family declares', () => {
    const wrong: string[] = [];
    for (const line of LINES) {
      const full = parseAuthLine(line, CTX);
      if (full.status !== 'ok') continue;
      const family = familyOf(line);
      const declared = (AUTH_FAMILIES[family ?? -1]?.values ?? []).map((v) => JSON.stringify([v.action, v.sshEvent, v.outcome]));
      for (const event of full.events) {
        const ok = full.generic === true ? event.fields['event.action'] === undefined : declared.includes(triple(event));
        if (!ok) wrong.push(`${line} -> ${AUTH_FAMILIES[family ?? -1]?.name}: ${triple(event)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(LINES.length).toBeGreaterThan(700);
  });

  it('every family is met by a line checked above', () => {
    expect(familyOf(BARE_PAM_FAILURE)).toBe(Family.PamBareFailure);
    const met = new Set(LINES.map(familyOf));
    const unmet = AUTH_FAMILIES.map((family, i) => (met.has(i) || i === Family.Generic ? undefined : family.name)).filter((name) => name !== undefined);
    // A family no line meets has values nothing checks: add a line of it to a fixture.
    expect(unmet).toEqual([]);
  });

  it('a line of a family left out is counted, not built; a repeated one counts its events', () => {
    const none = AUTH_FAMILIES.map(() => false);
    expect(parseAuthLine('Nov  2 10:00:00 host sshd[1]: Connection closed by 192.0.2.1 port 22 [preauth]', { ...CTX, buildFamilies: none })).toEqual({ status: 'ok', events: [], unbuilt: 1 });
    expect(parseAuthLine('Nov  2 10:00:00 host polkitd[1]: hello', { ...CTX, buildFamilies: none })).toEqual({ status: 'ok', events: [], generic: true, unbuilt: 1 });
    const repeated = parseAuthLine('Nov  2 10:00:00 host sshd[1]: message repeated 3 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]', { ...CTX, buildFamilies: none });
    expect(repeated).toMatchObject({ status: 'ok', unbuilt: 3 });
    // A header that does not read is still an error, built or not.
    expect(parseAuthLine('Nov 31 10:00:00 host sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2', { ...CTX, buildFamilies: none }).status).toBe('error');
  });
});
