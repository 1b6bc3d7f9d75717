/**
 * The engine tries a rule only on the kinds of event its condition can match (RuleDispatch).
 * That must never change what matches: every rule that matches an event is among the
 * event's candidates, over every event the fixtures, the samples and the benchmark's
 * generated logs hold.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { cloudTrailRecords, sshLines, wafRecords } from '../../bench/generate';
import { loadRulesAndTemplates } from '../../src/cli/rules-dir';
import { RuleDispatch } from '../../src/engine/rule-dispatch';
import { stepMatches } from '../../src/engine/sequence';
import type { EventSource, KlaxonEvent } from '../../src/events/event';
import { loadRuleText } from '../../src/rules/load';
import type { CompiledRule } from '../../src/rules/types';
import { readEvents, ReadStats } from '../../src/sources/read-events';
import { DEFAULT_ROUTES } from '../../src/sources/routing';

const REPO = join(__dirname, '..', '..');
const START = Date.UTC(2024, 10, 2);

async function eventsOf(path: string, text?: string): Promise<KlaxonEvent[]> {
  const events: KlaxonEvent[] = [];
  const stdin = Readable.from(text === undefined ? [] : [Buffer.from(text)]);
  await readEvents(text === undefined ? path : '-', stdin, { source: 'auto', year: 2024, now: START, routes: DEFAULT_ROUTES }, new ReadStats(), (batch) => {
    events.push(...batch);
  });
  return events;
}

async function everyEvent(): Promise<KlaxonEvent[]> {
  const files = [
    ...['auth.log', 'waf.log.gz', 'cloudtrail.json'].map((name) => join(REPO, 'samples', name)),
    ...['auth', 'ssh', 'waf', 'cloudtrail'].flatMap((dir) => readdirSync(join(REPO, 'test', 'fixtures', dir)).map((name) => join(REPO, 'test', 'fixtures', dir, name))),
  ];
  const events: KlaxonEvent[] = [];
  for (const file of files) events.push(...(await eventsOf(file)));
  events.push(...(await eventsOf('-', `${sshLines(3000, START).join('\n')}\n`)));
  events.push(...(await eventsOf('-', `${wafRecords(500, START).join('\n')}\n`)));
  events.push(...(await eventsOf('-', `${cloudTrailRecords(500, START).join('\n')}\n`)));
  return events;
}

function matches(rule: CompiledRule, event: KlaxonEvent): boolean {
  if (!rule.sources.includes(event.source)) return false;
  return rule.sequence === undefined ? rule.match(event) : stepMatches(rule.sequence, event) !== 0;
}

const conditions = (rule: CompiledRule) => (rule.sequence === undefined ? [rule.matchSpec] : rule.sequence.steps.map((step) => step.matchSpec));

describe('trying rules by the kind of event', () => {
  it('every rule that matches an event is among its candidates (shipped rules; samples, fixtures, generated logs)', async () => {
    const { rules, problems } = loadRulesAndTemplates(join(REPO, 'rules'), join(REPO, 'templates'));
    expect(problems).toEqual([]);
    const events = await everyEvent();
    const bySource = new Map<EventSource, CompiledRule[]>();
    for (const rule of rules) for (const source of rule.sources) bySource.set(source, [...(bySource.get(source) ?? []), rule]);
    const dispatch = new RuleDispatch(bySource, conditions);
    let matched = 0;
    let skipped = 0;
    const missed: string[] = [];
    for (const event of events) {
      const ofSource = bySource.get(event.source) ?? [];
      const candidates = dispatch.candidates(event) ?? [];
      for (const rule of ofSource) {
        const isCandidate = candidates.includes(rule);
        if (!isCandidate) skipped++;
        if (!matches(rule, event)) continue;
        matched++;
        if (!isCandidate) missed.push(`${rule.id}: ${String(event.fields['event.original']).slice(0, 120)}`);
      }
    }
    expect(missed).toEqual([]);
    // Not vacuous: the events matched rules, and most rule tries were spared.
    expect(events.length).toBeGreaterThan(3000);
    expect(matched).toBeGreaterThan(1000);
    expect(skipped).toBeGreaterThan(events.length);
  });

  it('a source without rules has no candidates; a failed password is not tried against sudo, and a rule whose action test sits under `not` is tried on everything', () => {
    const sudo = rule('sudo-rule', "match:\n  event.action: sudo\n  event.outcome: failure\n");
    const failures = rule('failures', "match:\n  event.action: ssh_login\n  event.outcome: failure\n");
    const notLogin = rule('not-login', "match:\n  not:\n    event.action: ssh_login\n");
    const dispatch = new RuleDispatch(new Map([['ssh', [sudo, failures, notLogin]]]), conditions);
    const failed: KlaxonEvent = { timestamp: 0, source: 'ssh', fields: { 'event.action': 'ssh_login', 'event.outcome': 'failure', 'system.auth.ssh.event': 'Failed' } };
    expect((dispatch.candidates(failed) ?? []).map((r) => r.id)).toEqual(['failures', 'not-login']);
    const sudoEvent: KlaxonEvent = { timestamp: 0, source: 'ssh', fields: { 'event.action': 'sudo', 'event.outcome': 'failure' } };
    expect((dispatch.candidates(sudoEvent) ?? []).map((r) => r.id)).toEqual(['sudo-rule', 'not-login']);
    expect(dispatch.candidates({ timestamp: 0, source: 'waf', fields: { 'event.action': 'BLOCK' } })).toBeUndefined();
  });

  it('an action that is not text is tried against every rule, and so are kinds past the thousandth', () => {
    const failures = rule('failures', "match:\n  event.action: ssh_login\n");
    const dispatch = new RuleDispatch(new Map([['ssh', [failures]]]), conditions);
    const odd: KlaxonEvent = { timestamp: 0, source: 'ssh', fields: { 'event.action': ['ssh_login'] } };
    expect(dispatch.candidates(odd)).toEqual([failures]);
    for (let i = 0; i < 1000; i++) dispatch.candidates({ timestamp: 0, source: 'ssh', fields: { 'event.action': `kind-${i}` } });
    expect(dispatch.candidates({ timestamp: 0, source: 'ssh', fields: { 'event.action': 'one-more' } })).toEqual([failures]);
    expect(dispatch.candidates({ timestamp: 0, source: 'ssh', fields: { 'event.action': 'kind-3' } })).toEqual([]);
  });
});

function rule(id: string, body: string): CompiledRule {
  const { rule: compiled, problems } = loadRuleText(`id: ${id}\ntitle: ${id}\nsource: ssh\nseverity: low\n${body}`, `${id}.yml`);
  expect(problems).toEqual([]);
  return compiled as CompiledRule;
}
