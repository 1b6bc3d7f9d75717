import { AlertEngine } from '../../src/engine/engine';
import type { KlaxonEvent } from '../../src/events/event';
import type { CompiledRule } from '../../src/rules/types';

function rule(id: string, evaluations: { count: number }): CompiledRule {
  return {
    id,
    title: id,
    sources: ['ssh'],
    severity: 'low',
    escalate: [],
    match: (e) => {
      evaluations.count++;
      return e.fields['user.name'] === 'root';
    },
    // A field the engine does not sort events by (RuleDispatch), so that every event is tried.
    matchSpec: { 'user.name': 'root' },
    groupBy: ['source.ip'],
    realertMs: 0,
    slack: { mention: [] },
    tags: [],
    allowedUsers: [],
    tests: [],
    file: `${id}.yml`,
  };
}

describe('conditions written alike are evaluated once per event', () => {
  it('three rules with the same match cost one evaluation per event, and each still alerts', () => {
    const evaluations = { count: 0 };
    const engine = new AlertEngine([rule('a', evaluations), rule('b', evaluations), rule('c', evaluations)]);
    for (let i = 0; i < 10; i++) engine.process({ timestamp: i, source: 'ssh', fields: { 'user.name': 'root', 'source.ip': `192.0.2.${i}` } });
    expect(evaluations.count).toBe(10);
    expect(engine.alerts()).toHaveLength(30);
  });

  it('an event object reused for the next line (a reader that recycles objects) is evaluated afresh', () => {
    const evaluations = { count: 0 };
    const engine = new AlertEngine([rule('a', evaluations), rule('b', evaluations)]);
    const event: KlaxonEvent = { timestamp: 0, source: 'ssh', fields: { 'user.name': 'root', 'source.ip': '192.0.2.1' } };
    engine.process(event);
    event.fields['user.name'] = 'alice';
    event.timestamp = 1;
    engine.process(event);
    expect(evaluations.count).toBe(2);
    expect(engine.alerts().map((a) => a.rule)).toEqual(['a', 'b']);
  });
});
