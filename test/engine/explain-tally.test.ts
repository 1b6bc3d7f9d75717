import { ExplainTally, MAX_REASONS, OTHER_REASONS } from '../../src/engine/explain-tally';
import { loadRuleText } from '../../src/rules/load';
import type { CompiledRule } from '../../src/rules/types';
import { event } from '../rules/helpers';

function rule(match: string): CompiledRule {
  const { rule: compiled, problems } = loadRuleText(`title: t\nsource: ssh\nseverity: low\nmatch: ${match}\n`, 'rules/t.yml');
  if (compiled === undefined) throw new Error(JSON.stringify(problems));
  return compiled;
}

describe('ExplainTally', () => {
  it('counts the first failed condition per event, with at most two distinct example values', () => {
    const tally = new ExplainTally(rule('{ event.outcome: failure, user.name: root, not: { source.ip: 192.0.2.1 } }'));
    for (const user of ['alice', 'bob', 'alice', 'carol']) tally.add(event({ 'event.outcome': 'failure', 'user.name': user }));
    tally.add(event({ 'user.name': 'root' }));
    tally.add(event({ 'event.outcome': 'failure', 'user.name': 'root', 'source.ip': '192.0.2.1' }));
    tally.add(event({ 'event.outcome': 'failure', 'user.name': 'root' }));
    tally.add(event({}, undefined, 'waf'));
    expect([tally.read, tally.matched]).toEqual([7, 1]);
    expect(tally.firstFailures()).toEqual([
      { label: 'match.user.name', count: 4, examples: ['"alice"', '"bob"'] },
      { label: 'match.event.outcome', count: 1, examples: ['no event.outcome'] },
      { label: 'match.not', count: 1, examples: [] },
    ]);
    expect([...tally.otherSources]).toEqual([['waf', 1]]);
  });

  it('keeps a bounded number of distinct no-event reasons, counting the rest together', () => {
    const tally = new ExplainTally(rule('{ event.outcome: failure }'));
    for (let i = 0; i < MAX_REASONS + 30; i++) tally.addNoEvent({ status: 'skipped', reason: `program 'p${i}' does not log authentication` });
    tally.addNoEvent({ status: 'error', message: 'not a syslog line' });
    const reasons = tally.noEventReasons();
    expect(reasons).toHaveLength(MAX_REASONS + 1);
    expect(reasons[0]).toEqual([OTHER_REASONS, 31]);
  });
});
