import { boundJsonDepth, MAX_JSON_DEPTH, TOO_DEEP } from '../../src/events/json-bounds';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 'x' };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe('boundJsonDepth', () => {
  it('hands back a record within the bound as it is, not a copy', () => {
    const record = { eventName: 'AuthorizeSecurityGroupIngress', requestParameters: nested(MAX_JSON_DEPTH - 1) };
    expect(boundJsonDepth(record)).toBe(record);
    expect(boundJsonDepth([1, 'two', null])).toEqual([1, 'two', null]);
    expect(boundJsonDepth('text')).toBe('text');
  });

  it('replaces only what lies deeper than the bound, keeping the rest of the record', () => {
    const record = { eventName: 'AuthorizeSecurityGroupIngress', sourceIPAddress: '203.0.113.9', requestParameters: { groupId: 'sg-1', deep: nested(5000) } };
    const bounded = boundJsonDepth(record) as typeof record;
    expect(bounded).not.toBe(record);
    expect(bounded.eventName).toBe('AuthorizeSecurityGroupIngress');
    expect(bounded.requestParameters.groupId).toBe('sg-1');
    let walk: unknown = bounded;
    let depth = 0;
    while (typeof walk === 'object' && walk !== null) {
      walk = 'requestParameters' in walk ? (walk as { requestParameters: unknown }).requestParameters : 'deep' in walk ? (walk as { deep: unknown }).deep : (walk as { a?: unknown }).a;
      depth++;
    }
    expect(walk).toBe(TOO_DEEP);
    expect(depth).toBe(MAX_JSON_DEPTH);
    // What comes out can be encoded and walked by every later stage.
    expect(() => JSON.stringify(bounded)).not.toThrow();
  });

  it('bounds arrays of arrays too', () => {
    let value: unknown = 'x';
    for (let i = 0; i < 1000; i++) value = [value];
    expect(JSON.stringify(boundJsonDepth(value, 3))).toBe(JSON.stringify([[[TOO_DEEP]]]));
  });

  it('takes the record as it is when its text holds no more brackets than the bound, and walks it otherwise', () => {
    const shallow = { a: { b: ['x'] } };
    expect(boundJsonDepth(shallow, 3, JSON.stringify(shallow))).toBe(shallow);
    // Brackets inside strings count too: more than the bound in the text, yet only two levels, so walked and kept as is.
    const brackets = { a: { s: '[[[[{{{{' } };
    expect(boundJsonDepth(brackets, 3, JSON.stringify(brackets))).toBe(brackets);
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(JSON.stringify(boundJsonDepth(deep, 3, JSON.stringify(deep)))).toBe(JSON.stringify({ a: { b: { c: TOO_DEEP } } }));
    const text = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const bounded = boundJsonDepth(JSON.parse(text), MAX_JSON_DEPTH, text);
    expect(JSON.stringify(bounded)).toContain(TOO_DEEP);
  });
});

describe('boundJsonDepth with an empty text', () => {
  it('an empty text proves nothing (a Lambda event parsed by the runtime comes without one): the value is still walked', () => {
    const record = { requestParameters: nested(5000) };
    expect(boundJsonDepth(record, MAX_JSON_DEPTH, '')).not.toBe(record);
    expect(JSON.stringify(boundJsonDepth(record, MAX_JSON_DEPTH, ''))).toContain(TOO_DEEP);
  });
});
