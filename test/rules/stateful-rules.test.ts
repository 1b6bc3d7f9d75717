/**
 * Issue 12: sequence and new_term rules — their validation (located problems) and what the
 * in-memory engine (`klaxon scan`, `klaxon test`) makes of them, including out-of-order
 * input, sweeps at any cadence, and a sequence across two sources.
 */
import fc from 'fast-check';
import { AlertEngine, ALLOWED_LATENESS_MS } from '../../src/engine/engine';
import { addToSequence, completedFinals, emptySequence, MAX_STEP_TIMES } from '../../src/engine/sequence';
import type { KlaxonEvent } from '../../src/events/event';
import { loadRuleText } from '../../src/rules/load';
import type { CompiledRule } from '../../src/rules/types';
import { HEADER, problemsOf } from './helpers';

const MIN = 60_000;
const T0 = Date.UTC(2024, 10, 2, 10, 0, 0);

const SEQUENCE = `${HEADER}title: Worked from {{source.address}}
source: ssh
severity: critical
sequence:
  by: [source.address]
  within: 1h
  steps:
    - match: { event.outcome: failure }
      count: 3
    - match: { event.outcome: success }
group_by: [source.address, user.name]
realert: 0
`;

function compile(text: string): CompiledRule {
  const { rule, problems } = loadRuleText(text, 'rules/test-rule.yml');
  if (rule === undefined) throw new Error(problems.map((p) => `${p.line}:${p.col} ${p.code} ${p.message}`).join('\n'));
  return rule;
}

function ssh(outcome: 'failure' | 'success', at: number, address = '203.0.113.9', user = 'alice'): KlaxonEvent {
  return { timestamp: at, source: 'ssh', fields: { 'event.outcome': outcome, 'source.address': address, 'user.name': user } };
}

function alertsOf(rule: CompiledRule, events: readonly KlaxonEvent[], sweepEvery?: number) {
  const engine = new AlertEngine([rule], sweepEvery === undefined ? {} : { sweepEvery });
  for (const event of events) engine.process(event);
  engine.finish();
  return engine.alerts().map((a) => [a.fields['source.address'], a.fields['user.name'], a.count]);
}

describe('sequence: validation', () => {
  it('accepts a sequence rule and compiles its steps', () => {
    const rule = compile(SEQUENCE);
    expect(rule.sequence?.steps.map((s) => [s.name, s.count])).toEqual([['step1', 3], ['step2', 1]]);
    expect(rule.sequence?.withinMs).toBe(3_600_000);
  });

  it('reports, located: match and sequence both, a last step needing more than one event, a step source the rule does not read, an unknown by field, suppression', () => {
    const text = SEQUENCE.replace('    - match: { event.outcome: success }', '    - match: { event.outcome: success }\n      count: 2\n      source: waf')
      .replace('by: [source.address]', 'by: [source.adress]')
      .replace('realert: 0\n', 'realert: 0\nmatch: { event.outcome: failure }\nsuppresses: [ssh-login]\n');
    expect(problemsOf(text)).toEqual([
      ['UNKNOWN_FIELD', 6, 8],
      ['BAD_VALUE', 12, 14],
      ['BAD_VALUE', 13, 15],
      ['BAD_VALUE', 16, 8],
      ['BAD_VALUE', 17, 13],
    ]);
  });

  it('a rule without match or sequence is a MISSING_KEY at its start', () => {
    expect(problemsOf(`${HEADER}title: x\nsource: ssh\nseverity: low\n`)).toEqual([['MISSING_KEY', 2, 1]]);
  });

  it('one step is no sequence', () => {
    const text = SEQUENCE.replace('      count: 3\n    - match: { event.outcome: success }\n', '');
    const { problems } = loadRuleText(text, 'rules/test-rule.yml');
    expect(problems.map((p) => [p.code, p.line, p.message])).toEqual([['BAD_VALUE', 9, 'sequence.steps: a sequence has at least two steps']]);
  });
});

describe('sequence: the in-memory engine', () => {
  const rule = compile(SEQUENCE);
  const failures = [0, 1, 2].map((i) => ssh('failure', T0 + i * MIN, '203.0.113.9', `u${i}`));

  it('alerts for a success after the failures, per address and user, with the success as its event', () => {
    expect(alertsOf(rule, [...failures, ssh('success', T0 + 5 * MIN), ssh('success', T0 + 6 * MIN, '203.0.113.9', 'bob')])).toEqual([
      ['203.0.113.9', 'alice', 1],
      ['203.0.113.9', 'bob', 1],
    ]);
  });

  it('does not alert for too few failures, failures out of the span, or a success before the failures', () => {
    expect(alertsOf(rule, [...failures.slice(1), ssh('success', T0 + 5 * MIN)])).toEqual([]);
    expect(alertsOf(rule, [...failures, ssh('success', T0 + 2 * MIN + 61 * MIN)])).toEqual([]);
    expect(alertsOf(rule, [ssh('success', T0 - MIN), ...failures])).toEqual([]);
  });

  it('failures that arrive after the success, but happened before it, complete the sequence (within the allowed lateness)', () => {
    expect(alertsOf(rule, [ssh('success', T0 + 5 * MIN), ...failures])).toEqual([['203.0.113.9', 'alice', 1]]);
  });

  it('gives the same alerts in any arrival order and at any sweep cadence', () => {
    const events = [...failures, ssh('success', T0 + 5 * MIN), ...[0, 1, 2].map((i) => ssh('failure', T0 + (70 + i) * MIN, '198.51.100.1')), ssh('success', T0 + 75 * MIN, '198.51.100.1', 'bob')];
    const expected = alertsOf(rule, events);
    expect(expected).toHaveLength(2);
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length }), fc.integer({ min: 1, max: 10 }), (order, sweepEvery) => {
        // Shuffling stays within the allowed lateness: the input spans 75 minutes.
        expect(ALLOWED_LATENESS_MS).toBeGreaterThanOrEqual(15 * MIN);
        const late = order.some((e, i) => order.slice(0, i).some((earlier) => earlier.timestamp - e.timestamp > ALLOWED_LATENESS_MS));
        if (late) return;
        expect(alertsOf(rule, order, sweepEvery).sort()).toEqual([...expected].sort());
      }),
    );
  });

  it('a sequence across two sources: a WAF block, then an SSH login from the same address', () => {
    const cross = compile(`${HEADER}title: Blocked then in from {{source.address}}
source: [waf, ssh]
severity: high
sequence:
  by: [source.address]
  within: 30m
  steps:
    - name: blocked
      source: waf
      match: { event.action: BLOCK }
    - name: logged in
      source: ssh
      match: { event.outcome: success }
group_by: [source.address]
realert: 0
`);
    const block: KlaxonEvent = { timestamp: T0, source: 'waf', fields: { 'event.action': 'BLOCK', 'source.address': '203.0.113.9' } };
    expect(alertsOf(cross, [block, ssh('success', T0 + 10 * MIN)])).toEqual([['203.0.113.9', undefined, 1]]);
    expect(alertsOf(cross, [block, ssh('success', T0 + 10 * MIN, '198.51.100.1')])).toEqual([]);
    // An SSH event is no WAF step, whatever its fields say.
    const sshBlock: KlaxonEvent = { ...block, source: 'ssh' };
    expect(alertsOf(cross, [sshBlock, ssh('success', T0 + 10 * MIN)])).toEqual([]);
  });
});

describe('new_term', () => {
  const NEW_TERM = `${HEADER}title: New address for {{user.name}}
source: ssh
severity: low
match: { event.outcome: success }
new_term: { fields: [source.address], learning: 1d, forget: 30d }
group_by: [user.name]
realert: 0
`;
  const DAY = 24 * 60 * MIN;

  it('validates: a term field in group_by, a term of unknown fields, forget 0', () => {
    expect(problemsOf(NEW_TERM.replace('group_by: [user.name]', 'group_by: [user.name, source.address]'))).toEqual([['BAD_VALUE', 6, 22]]);
    expect(problemsOf(NEW_TERM.replace('fields: [source.address]', 'fields: [source.adress]'))).toEqual([['UNKNOWN_FIELD', 6, 22]]);
    expect(problemsOf(NEW_TERM.replace('forget: 30d', 'forget: 0'))).toEqual([['BAD_DURATION', 6, 61]]);
  });

  it('alerts for a term new after the learning period, once, and again once forgotten', () => {
    const rule = compile(NEW_TERM);
    const events = [
      ssh('success', T0, '203.0.113.1'),
      ssh('success', T0 + DAY / 2, '203.0.113.2'), // learning
      ssh('success', T0 + 2 * DAY, '203.0.113.2'), // known
      ssh('success', T0 + 2 * DAY, '203.0.113.3'), // new
      ssh('success', T0 + 3 * DAY, '203.0.113.3'), // known now
      ssh('success', T0 + 2 * DAY, '203.0.113.3', 'bob'), // bob's first: learning
      ssh('success', T0 + 40 * DAY, '203.0.113.1'), // forgotten (last seen 40 days ago): new again
    ];
    expect(alertsOf(rule, events)).toEqual([
      [undefined, 'alice', 1],
      [undefined, 'alice', 1],
    ]);
    const engine = new AlertEngine([rule]);
    events.forEach((e) => engine.process(e));
    expect(engine.alerts().map((a) => a.samples[0]?.fields['source.address'])).toEqual(['203.0.113.3', '203.0.113.1']);
  });

  it('a group does not forget its terms while it is quiet for less than forget, whatever the sweep cadence', () => {
    const rule = compile(NEW_TERM);
    const filler = Array.from({ length: 50 }, (_, i) => ssh('success', T0 + 2 * DAY + i * MIN, '198.51.100.1', `user${i}`));
    const events = [ssh('success', T0, '203.0.113.1'), ...filler, ssh('success', T0 + 20 * DAY, '203.0.113.1')];
    expect(alertsOf(rule, events, 1)).toEqual([]);
  });
});

describe('sequence state: bounded, and the same whatever the order of its events', () => {
  const rule = compile(SEQUENCE);
  const sequence = rule.sequence as NonNullable<CompiledRule['sequence']>;

  it('a flood of failures keeps the latest 256 step times and still completes', () => {
    const state = emptySequence(sequence);
    for (let i = 0; i < 2000; i++) addToSequence(sequence, state, ssh('failure', T0 + i * 1000), `f${i}`, ALLOWED_LATENESS_MS);
    addToSequence(sequence, state, ssh('success', T0 + 2000 * 1000), 's', ALLOWED_LATENESS_MS);
    expect(state.steps[0]).toHaveLength(MAX_STEP_TIMES);
    expect(completedFinals(sequence, state).map((f) => f.key)).toEqual(['s']);
  });

  it('the stored state is a function of the set of events, not of their order (what makes concurrent writers agree)', () => {
    const event = fc.record({ failure: fc.boolean(), minute: fc.integer({ min: 0, max: 200 }) });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.integer(), (events, seed) => {
        const keyed = events.map((e, i) => ({ event: ssh(e.failure ? 'failure' : 'success', T0 + e.minute * MIN), key: `k${i}` }));
        const shuffled = [...keyed].sort((a, b) => ((a.key.length * 31 + seed) ^ Number(a.key.slice(1))) - ((b.key.length * 31 + seed) ^ Number(b.key.slice(1))));
        const stateOf = (order: typeof keyed) => {
          const state = emptySequence(sequence);
          for (const { event: e, key } of order) addToSequence(sequence, state, e, key, ALLOWED_LATENESS_MS);
          return { steps: state.steps, finals: state.finals.map((f) => f.time).sort(), completed: completedFinals(sequence, state).map((f) => f.key).sort() };
        };
        expect(stateOf(shuffled)).toEqual(stateOf(keyed));
      }),
    );
  });
});

describe('sequence groups under the cap on groups per rule', () => {
  it('a flood of distinct addresses is capped (the oldest forgotten, counted) and a fresh sequence still alerts', () => {
    const rule = compile(SEQUENCE);
    const engine = new AlertEngine([rule], { maxGroupsPerRule: 100 });
    for (let i = 0; i < 1000; i++) engine.process(ssh('failure', T0 + i, `10.0.${i >> 8}.${i & 255}`));
    expect(engine.evictedGroups).toBeGreaterThanOrEqual(900);
    expect(engine.evictedPending).toBe(engine.evictedGroups);
    for (let i = 0; i < 3; i++) engine.process(ssh('failure', T0 + 2000 + i, '203.0.113.200', `u${i}`));
    engine.process(ssh('success', T0 + 3000, '203.0.113.200'));
    engine.finish();
    expect(engine.alerts().map((a) => a.fields['source.address'])).toEqual(['203.0.113.200']);
  });
});
