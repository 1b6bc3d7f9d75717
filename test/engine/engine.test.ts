import fc from 'fast-check';
import type { KlaxonEvent } from '../../src/events/event';
import { ALLOWED_LATENESS_MS, AlertEngine } from '../../src/engine/engine';
import type { CompiledRule } from '../../src/rules/types';

const MIN = 60_000;
const T0 = Date.UTC(2024, 10, 2, 10, 0, 0);

function rule(overrides: Partial<CompiledRule> = {}): CompiledRule {
  return {
    id: 'test-rule',
    title: 'Failures from {{source.ip}}',
    sources: ['ssh'],
    severity: 'medium',
    escalate: [],
    match: (e) => e.fields['event.outcome'] === 'failure',
    groupBy: ['source.ip'],
    realertMs: 0,
    slack: { mention: [] },
    tags: [],
    allowedUsers: [],
    tests: [],
    file: 'test-rule.yml',
    ...overrides,
  };
}

function failure(ip: string, at: number, extra: Record<string, string> = {}): KlaxonEvent {
  return { timestamp: at, source: 'ssh', fields: { 'event.outcome': 'failure', 'source.ip': ip, ...extra } };
}

function run(r: CompiledRule, events: KlaxonEvent[]) {
  const engine = new AlertEngine([r]);
  events.forEach((e) => engine.process(e));
  return engine.alerts();
}

describe('AlertEngine', () => {
  it('alerts once when the threshold is reached inside the window, grouped by field', () => {
    const events = [0, 1, 2, 3, 4].map((i) => failure('203.0.113.9', T0 + i * MIN));
    events.push(failure('198.51.100.7', T0 + 2 * MIN));
    const alerts = run(rule({ threshold: { count: 5, windowMs: 10 * MIN } }), events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: 'test-rule',
      title: 'Failures from 203.0.113.9',
      count: 5,
      firstSeen: T0,
      lastSeen: T0 + 4 * MIN,
      fields: { 'source.ip': '203.0.113.9' },
    });
    expect(alerts[0]?.fingerprint).toMatch(/^test-rule:[0-9a-f]{16}$/);
  });

  it('slides the window over event time: failures spread wider than the window never alert', () => {
    const events = [0, 3, 6, 9, 12, 15].map((m) => failure('203.0.113.9', T0 + m * MIN));
    expect(run(rule({ threshold: { count: 5, windowMs: 10 * MIN } }), events)).toHaveLength(0);
  });

  it('an old event arriving late does not revive failures that have left the window', () => {
    const at = [30, 0, 0.01, 0.02, 0.03];
    expect(run(rule({ threshold: { count: 5, windowMs: 10 * MIN } }), at.map((m) => failure('203.0.113.9', T0 + m * MIN)))).toHaveLength(0);
  });

  it('counts events that arrive out of order by their own time', () => {
    const events = [4, 0, 3, 1, 2].map((m) => failure('203.0.113.9', T0 + m * MIN));
    const alerts = run(rule({ threshold: { count: 5, windowMs: 10 * MIN } }), events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ firstSeen: T0, lastSeen: T0 + 4 * MIN });
  });

  it('within the realert window, later matches update the open alert instead of opening another', () => {
    const r = rule({ threshold: { count: 5, windowMs: 10 * MIN }, realertMs: 60 * MIN });
    const events = Array.from({ length: 12 }, (_, i) => failure('203.0.113.9', T0 + i * MIN));
    const alerts = run(r, events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ count: 12, lastSeen: T0 + 11 * MIN });
  });

  it('after the realert window a new alert needs the threshold again', () => {
    const r = rule({ threshold: { count: 2, windowMs: 10 * MIN }, realertMs: 30 * MIN });
    const at = [0, 1, 5, 40, 70, 71];
    const alerts = run(r, at.map((m) => failure('203.0.113.9', T0 + m * MIN)));
    // 0,1 open; 5 updates; 40 is after 1+30: window [40] below threshold; 70 expires 40; 70,71 open again.
    expect(alerts.map((a) => [a.count, a.firstSeen])).toEqual([
      [3, T0],
      [2, T0 + 70 * MIN],
    ]);
  });

  it('with realert 0 and no threshold every match is its own alert', () => {
    const alerts = run(rule(), [failure('203.0.113.9', T0), failure('203.0.113.9', T0 + 1)]);
    expect(alerts.map((a) => a.count)).toEqual([1, 1]);
    expect(alerts[0]?.fingerprint).toBe(alerts[1]?.fingerprint);
  });

  it('with realert 0 a threshold rule starts counting afresh after each crossing', () => {
    const r = rule({ threshold: { count: 3, windowMs: 10 * MIN } });
    const alerts = run(r, [0, 1, 2, 3, 4, 5, 6].map((m) => failure('203.0.113.9', T0 + m * MIN)));
    expect(alerts.map((a) => a.count)).toEqual([3, 3]);
  });

  it('raises severity when an event matches an escalation, the highest winning', () => {
    const r = rule({
      escalate: [
        { severity: 'critical', when: (e) => e.fields['user.name'] === 'root' },
        { severity: 'high', when: (e) => e.fields['user.name'] === 'admin' },
      ],
      realertMs: 60 * MIN,
    });
    const alerts = run(r, [failure('203.0.113.9', T0, { 'user.name': 'admin' }), failure('203.0.113.9', T0 + 1, { 'user.name': 'root' })]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.severity).toBe('critical');
  });

  it('keeps a few sample events, and only evaluates rules for their own sources', () => {
    const r = rule({ realertMs: 60 * MIN });
    const events = Array.from({ length: 20 }, (_, i) => failure('203.0.113.9', T0 + i));
    const waf: KlaxonEvent = { timestamp: T0, source: 'waf', fields: { 'event.outcome': 'failure', 'source.ip': '203.0.113.9' } };
    const alerts = run(r, [...events, waf]);
    expect(alerts[0]?.count).toBe(20);
    expect(alerts[0]?.samples).toHaveLength(5);
  });

  it('groups a missing group-by field as null rather than dropping the event', () => {
    const alerts = run(rule(), [{ timestamp: T0, source: 'ssh', fields: { 'event.outcome': 'failure' } }]);
    expect(alerts[0]?.fields).toEqual({ 'source.ip': null });
    expect(alerts[0]?.title).toBe('Failures from ?');
  });

  it('an event a suppressing rule matches does not count for the rules it suppresses (inhibition); other events still do', () => {
    const login = rule({ id: 'login', match: (e) => e.fields['event.outcome'] === 'success' });
    const root = rule({ id: 'root', match: (e) => e.fields['user.name'] === 'root', suppresses: ['login'] });
    const engine = new AlertEngine([login, root]);
    const success = (user: string) => ({ timestamp: T0, source: 'ssh' as const, fields: { 'event.outcome': 'success', 'user.name': user, 'source.ip': '192.0.2.1' } });
    engine.process(success('root'));
    engine.process(success('alice'));
    expect(engine.alerts().map((a) => a.rule)).toEqual(['root', 'login']);
    // A suppressor for another source does not apply.
    const waf = rule({ id: 'waf-only', sources: ['waf'], match: () => true, suppresses: ['login'] });
    expect(run(rule({ id: 'login', match: () => true }), [success('root')])).toHaveLength(1);
    const both = new AlertEngine([rule({ id: 'login', match: () => true }), waf]);
    both.process(success('root'));
    expect(both.alerts().map((a) => a.rule)).toEqual(['login']);
  });

  it('raises the severity when the alert reaches an escalation count, the highest reached winning, at opening and on updates', () => {
    const r = rule({ realertMs: 60 * MIN, escalateOnCount: [{ severity: 'high', count: 3 }, { severity: 'critical', count: 5 }] });
    const engine = new AlertEngine([r]);
    const severities: string[] = [];
    for (let i = 0; i < 6; i++) {
      engine.process(failure('203.0.113.9', T0 + i * 1000));
      severities.push(engine.alerts()[0]?.severity ?? '-');
    }
    expect(severities).toEqual(['medium', 'medium', 'high', 'high', 'critical', 'critical']);
    const threshold = run(rule({ threshold: { count: 5, windowMs: 10 * MIN }, escalateOnCount: [{ severity: 'high', count: 5 }] }), [0, 1, 2, 3, 4].map((m) => failure('203.0.113.9', T0 + m * MIN)));
    expect(threshold[0]?.severity).toBe('high');
  });

  describe('distinct-count thresholds (threshold.distinct)', () => {
    const spray = rule({ threshold: { count: 3, windowMs: 10 * MIN, distinct: 'user.name' } });
    const as = (user: string, at: number) => failure('203.0.113.9', at, { 'user.name': user });

    it('count distinct values, not events: many failures for one user do not alert, three users do', () => {
      expect(run(spray, [0, 1, 2, 3, 4, 5].map((m) => as('root', T0 + m * MIN)))).toHaveLength(0);
      const alerts = run(spray, [as('root', T0), as('root', T0 + MIN), as('admin', T0 + 2 * MIN), as('root', T0 + 3 * MIN), as('oracle', T0 + 4 * MIN)]);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ count: 3, firstSeen: T0 + 2 * MIN, lastSeen: T0 + 4 * MIN });
    });

    it('a value seen again counts from its latest time: it stays in the window as long as it keeps coming', () => {
      // root at 0 and 9, admin at 5, oracle at 12: at 12 the window (10 min) holds root@9, admin@5, oracle@12.
      expect(run(spray, [as('root', T0), as('admin', T0 + 5 * MIN), as('root', T0 + 9 * MIN), as('oracle', T0 + 12 * MIN)])).toHaveLength(1);
      // Without root's second failure, root@0 has left the window by 12.
      expect(run(spray, [as('root', T0), as('admin', T0 + 5 * MIN), as('oracle', T0 + 12 * MIN)])).toHaveLength(0);
    });

    it('events without the field do not count', () => {
      expect(run(spray, [failure('203.0.113.9', T0), failure('203.0.113.9', T0 + MIN), as('root', T0 + 2 * MIN), as('admin', T0 + 3 * MIN)])).toHaveLength(0);
    });

    it('the distinct values carry over from one engine to the next (a Lambda invocation to the next), exactly', () => {
      const first = new AlertEngine([spray], { restore: () => undefined });
      first.process(as('root', T0));
      first.process(as('admin', T0 + MIN));
      first.process(as('root', T0 + 2 * MIN));
      const [snapshot] = first.touchedGroups();
      expect(snapshot?.window.keys).toEqual(['admin', 'root']);
      const stored = JSON.parse(JSON.stringify(snapshot));
      const second = new AlertEngine([spray], { restore: () => stored });
      second.process(as('admin', T0 + 3 * MIN));
      expect(second.alerts()).toHaveLength(0);
      second.process(as('oracle', T0 + 4 * MIN));
      expect(second.alerts()).toMatchObject([{ count: 3 }]);
    });

    it('within one window, any order of the events alerts exactly when three distinct values came', () => {
      const hourly = rule({ threshold: { count: 3, windowMs: 10 * MIN, distinct: 'user.name' }, realertMs: 60 * MIN });
      const users = fc.array(fc.record({ user: fc.constantFrom('a', 'b', 'c', 'd'), minute: fc.integer({ min: 0, max: 8 }) }), { maxLength: 12 });
      fc.assert(
        fc.property(users, (list) => {
          const events = list.map(({ user, minute }) => as(user, T0 + minute * MIN));
          const expected = new Set(list.map((e) => e.user)).size >= 3 ? 1 : 0;
          expect(run(hourly, [...events].sort((x, y) => x.timestamp - y.timestamp))).toHaveLength(expected);
          expect(run(hourly, events)).toHaveLength(expected);
          expect(run(hourly, [...events].reverse())).toHaveLength(expected);
        }),
      );
    });
  });

  it('gives the same fingerprint for the same rule and group in another engine (another invocation)', () => {
    const a = run(rule(), [failure('203.0.113.9', T0)]);
    const b = run(rule(), [failure('203.0.113.9', T0 + 5 * MIN)]);
    const c = run(rule(), [failure('203.0.113.10', T0)]);
    expect(a[0]?.fingerprint).toBe(b[0]?.fingerprint);
    expect(a[0]?.fingerprint).not.toBe(c[0]?.fingerprint);
  });

  describe('with onClosed (streaming)', () => {
    it('hands over a realert-0 alert at once and a realert alert only when it can no longer change', () => {
      const closed: Array<[string, number]> = [];
      const r0 = rule({ id: 'every-time' });
      const r1 = rule({ id: 'hourly', realertMs: 60 * MIN });
      const engine = new AlertEngine([r0, r1], { onClosed: (a) => closed.push([a.rule, a.count]) });
      engine.process(failure('203.0.113.9', T0));
      engine.process(failure('203.0.113.9', T0 + MIN));
      expect(closed).toEqual([
        ['every-time', 1],
        ['every-time', 1],
      ]);
      engine.finish();
      expect(closed).toContainEqual(['hourly', 2]);
      expect(engine.alerts()).toEqual([]);
    });

    it('hands over the previous alert when a match of its group comes after its realert window', () => {
      const closed: Array<[number, number]> = [];
      const engine = new AlertEngine([rule({ realertMs: 10 * MIN })], { onClosed: (a) => closed.push([a.count, a.firstSeen]) });
      for (const m of [0, 1, 2, 15, 16]) engine.process(failure('203.0.113.9', T0 + m * MIN));
      expect(closed).toEqual([[3, T0]]);
      engine.finish();
      expect(closed).toEqual([
        [3, T0],
        [2, T0 + 15 * MIN],
      ]);
    });

    it('closes alerts whose realert window event time has passed while the input goes on', () => {
      const closed: number[] = [];
      const engine = new AlertEngine([rule({ realertMs: 10 * MIN })], { onClosed: (a) => closed.push(a.count) });
      engine.process(failure('203.0.113.9', T0));
      engine.process(failure('203.0.113.9', T0 + 1));
      // another group's events carry event time past the first alert's window; the periodic sweep closes it
      for (let i = 0; i < 60_000; i++) engine.process(failure('198.51.100.1', T0 + 10 * MIN + ALLOWED_LATENESS_MS + i));
      expect(closed[0]).toBe(2);
    });

    it("does not close a rule's alerts on another rule's clock (other sources, other files)", () => {
      const closed: string[] = [];
      const ssh = rule({ id: 'ssh-rule', realertMs: 60 * MIN });
      const waf = rule({ id: 'waf-rule', sources: ['waf'] });
      const engine = new AlertEngine([ssh, waf], { onClosed: (a) => closed.push(`${a.rule} ${a.count}`) });
      engine.process(failure('203.0.113.9', T0));
      for (let i = 0; i < 60_000; i++) engine.process({ timestamp: T0 + 24 * 60 * MIN + i, source: 'waf', fields: { 'event.outcome': 'x' } });
      engine.process(failure('203.0.113.9', T0 + 10 * MIN));
      engine.finish();
      expect(closed).toEqual(['ssh-rule 2']);
    });
  });

  it('streaming (onClosed) and collecting give the same alerts for any input', () => {
    const summary = (a: { fingerprint: string; count: number; firstSeen: number; lastSeen: number }) => `${a.fingerprint} ${a.count} ${a.firstSeen} ${a.lastSeen}`;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('203.0.113.1', '203.0.113.2', '203.0.113.3'), fc.integer({ min: 0, max: 180 })), { maxLength: 80 }),
        fc.constantFrom(0, 5 * MIN, 30 * MIN),
        fc.constantFrom(undefined, 3),
        (raw, realertMs, count) => {
          const r = rule({ realertMs, threshold: count === undefined ? undefined : { count, windowMs: 10 * MIN } });
          const events = raw.map(([ip, m]) => failure(ip, T0 + m * MIN)).sort((a, b) => a.timestamp - b.timestamp);
          const collected = run(r, events).map(summary).sort();
          const streamed: string[] = [];
          const engine = new AlertEngine([r], { onClosed: (a) => streamed.push(summary(a)) });
          events.forEach((e) => engine.process(e));
          engine.finish();
          expect(streamed.sort()).toEqual(collected);
        },
      ),
    );
  });
});

