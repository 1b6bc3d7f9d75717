import { closest, editDistance } from '../../src/yaml/suggest';

describe('suggestions', () => {
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests a close candidate and nothing for a distant word', () => {
    expect(closest('source.addr', ['source.ip', 'source.address', 'user.name'])).toBe('source.address');
    expect(closest('event.actoin', ['event.action', 'event.outcome'])).toBe('event.action');
    expect(closest('Severity', ['severity', 'title'])).toBe('severity');
    expect(closest('zzzzzz', ['source.ip', 'title'])).toBeUndefined();
  });
});
