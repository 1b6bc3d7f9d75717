import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KlaxonEvent } from '../../src/events/event';
import { AlertEngine } from '../../src/engine/engine';
import type { Alert } from '../../src/engine/alert';
import type { CompiledRule } from '../../src/rules/types';
import { REPO, runCli, tempDir } from '../cli/helpers';

/**
 * Issue 10, item 6: engine state grew with every distinct address (about 2 KB each, 4.2 GB
 * for 2 M). A rule now keeps at most `maxGroupsPerRule` groups; the least recently seen are
 * forgotten first, their open alerts handed over, their pending matches counted as dropped.
 */
const T0 = Date.UTC(2024, 10, 2, 10, 0, 0);

function bruteForce(count: number, realertMs = 0): CompiledRule {
  return {
    id: 'brute',
    title: 'Failures from {{source.ip}}',
    sources: ['ssh'],
    severity: 'high',
    escalate: [],
    match: (e) => e.fields['event.outcome'] === 'failure',
    groupBy: ['source.ip'],
    threshold: { count, windowMs: 10 * 60_000 },
    realertMs,
    slack: { mention: [] },
    tags: [],
    allowedUsers: [],
    tests: [],
    file: 'brute.yml',
  };
}

const failure = (ip: string, at: number): KlaxonEvent => ({ timestamp: at, source: 'ssh', fields: { 'event.outcome': 'failure', 'source.ip': ip } });
const address = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('the engine keeps at most maxGroupsPerRule groups per rule', () => {
  it('a brute force keeps counting while a flood of one-off addresses passes the cap', () => {
    const closed: Alert[] = [];
    const engine = new AlertEngine([bruteForce(5)], { onClosed: (a) => closed.push(a), maxGroupsPerRule: 100 });
    // the attacker tries twice, then 10,000 spoofed addresses fail once each, with 3 more tries among them
    engine.process(failure('203.0.113.9', T0));
    engine.process(failure('203.0.113.9', T0));
    for (let i = 0; i < 10_000; i++) {
      if (i % 3_000 === 2_999) engine.process(failure('203.0.113.9', T0 + i));
      engine.process(failure(address(i), T0 + i));
    }
    engine.finish();
    expect(closed.map((a) => [a.fields['source.ip'], a.count])).toEqual([['203.0.113.9', 5]]);
    // the one-offs were forgotten, each with its one pending match
    expect(engine.evictedGroups).toBeGreaterThan(9_800);
    // (all but the attacker's own group, evicted once its alert had gone out and it held nothing)
    expect(engine.evictedPending).toBe(engine.evictedGroups - 1);
  });

  it('past one-offs, the least recently seen group goes first', () => {
    const closed: Alert[] = [];
    const engine = new AlertEngine([bruteForce(4)], { onClosed: (a) => closed.push(a), maxGroupsPerRule: 10 });
    // ten addresses with two failures each, oldest first; address 0 fails a third time
    for (let i = 0; i < 10; i++) for (let k = 0; k < 2; k++) engine.process(failure(address(i), T0 + i));
    engine.process(failure(address(0), T0 + 20));
    // a new address evicts address 1, the least recently seen; when address 1 comes back, the one-off goes
    engine.process(failure(address(99), T0 + 30));
    for (const i of [1, 1, 2, 2, 0]) engine.process(failure(address(i), T0 + 40));
    engine.finish();
    expect(closed.map((a) => a.fields['source.ip'])).toEqual([address(2), address(0)]);
    expect(engine.evictedGroups).toBe(2);
    expect(engine.evictedPending).toBe(2);
  });

  it('an open alert of a forgotten group is handed over, not lost', () => {
    const closed: Alert[] = [];
    const engine = new AlertEngine([bruteForce(1, 60 * 60_000)], { onClosed: (a) => closed.push(a), maxGroupsPerRule: 10 });
    for (let i = 0; i < 50; i++) engine.process(failure(address(i), T0 + i));
    // the first groups were evicted with their alerts open: handed over before finish
    expect(closed.length).toBeGreaterThan(0);
    engine.finish();
    expect(closed).toHaveLength(50);
    expect(new Set(closed.map((a) => a.fields['source.ip'])).size).toBe(50);
    expect(engine.evictedPending).toBe(0);
  });

  it('no cap for a restoring engine (one stored batch): every touched group is kept for the store', () => {
    const engine = new AlertEngine([bruteForce(5)], { restore: () => undefined, maxGroupsPerRule: 10 });
    for (let i = 0; i < 100; i++) engine.process(failure(address(i), T0 + i));
    expect(engine.touchedGroups()).toHaveLength(100);
    expect(engine.evictedGroups).toBe(0);
  });
});

describe('klaxon scan reports the state cap', () => {
  it('says how many groups were forgotten and how many held pending matches; a bad KLAXON_MAX_GROUPS_PER_RULE is a usage error', async () => {
    const dir = tempDir();
    const file = join(dir, 'auth.log');
    const lines = Array.from({ length: 100 }, (_, i) => `Nov  2 10:00:${String(i % 60).padStart(2, '0')} bastion sshd[${i}]: Failed password for root from ${address(i)} port 4000 ssh2\n`);
    writeFileSync(file, lines.join(''));
    const capped = await runCli(['scan', '--year', '2024', '--rules', join(REPO, 'rules'), file], { env: { ...process.env, KLAXON_MAX_GROUPS_PER_RULE: '10' } });
    expect(capped.code).toBe(0);
    // About 90 per rule that keeps a group per address (ssh-brute-force, ssh-password-spray, and ssh-brute-force-success's steps).
    expect(capped.stderr).toMatch(/state cap reached: 2[67]\d groups forgotten, .*at most 10 per rule, KLAXON_MAX_GROUPS_PER_RULE\); 2[67]\d of them held matches below/);
    const uncapped = await runCli(['scan', '--year', '2024', '--rules', join(REPO, 'rules'), file]);
    expect(uncapped.stderr).not.toContain('state cap');
    const bad = await runCli(['scan', file], { env: { ...process.env, KLAXON_MAX_GROUPS_PER_RULE: 'lots' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('KLAXON_MAX_GROUPS_PER_RULE must be a whole number of groups, at least 10, not "lots"');
  });
});
