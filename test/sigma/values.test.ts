/**
 * Issue 12, part 4: each Sigma value modifier becomes a Klaxon test that means the same, shown
 * both by the condition written and by running it, compiled by the real rule compiler, on
 * values that must match and near misses that must not.
 */
import type { FieldValue } from '../../src/events/event';
import { compileCondition } from '../../src/rules/conditions';
import { ANY_FIELD } from '../../src/rules/known-fields';
import type { RuleErrorCode } from '../../src/rules/types';
import { parseWildcards, SigmaValueError, translateFieldTest, translateKeywords } from '../../src/sigma/values';
import { Problems } from '../../src/yaml/problems';

function compiled(condition: Record<string, unknown>): (value: FieldValue | undefined) => boolean {
  const problems = new Problems<RuleErrorCode>('test');
  const predicate = compileCondition(condition, ['match'], ANY_FIELD, problems);
  expect(problems.list()).toEqual([]);
  if (predicate === undefined) throw new Error('did not compile');
  return (value) => predicate({ timestamp: 0, source: 'ssh', fields: value === undefined ? {} : { f: value } });
}

/** Translates `f|modifiers: spec` and checks what it matches. */
function check(modifiers: string[], spec: unknown, expected: Record<string, unknown>, matches: FieldValue[], misses: Array<FieldValue | undefined>): void {
  const condition = translateFieldTest('f', modifiers, spec);
  expect(condition).toEqual(expected);
  const holds = compiled(condition);
  for (const value of matches) expect([value, holds(value)]).toEqual([value, true]);
  for (const value of misses) expect([value, holds(value)]).toEqual([value, false]);
}

function refusal(modifiers: string[], spec: unknown): SigmaValueError {
  try {
    translateFieldTest('f', modifiers, spec);
  } catch (error) {
    if (error instanceof SigmaValueError) return error;
    throw error;
  }
  throw new Error('translated');
}

describe('Sigma values without modifiers: equality, case-insensitive', () => {
  it('a string equals, ignoring case', () => {
    check([], 'ConsoleLogin', { f: { equals: 'ConsoleLogin', ignore_case: true } }, ['ConsoleLogin', 'consolelogin', 'CONSOLELOGIN'], ['ConsoleLogin2', 'Console', undefined]);
  });
  it('text with no letters needs no ignore_case', () => {
    check([], '0.0.0.0/0', { f: '0.0.0.0/0' }, ['0.0.0.0/0'], ['0.0.0.0/00', '10.0.0.0/0']);
  });
  it('a list is any of its values', () => {
    check([], ['root', 'admin'], { f: { in: ['root', 'admin'], ignore_case: true } }, ['root', 'ADMIN'], ['rooted', 'user']);
  });
  it('numbers and booleans compare as values', () => {
    check([], 22, { f: 22 }, [22, '22'], [23, '222']);
    check([], [22, 2222], { f: [22, 2222] }, [22, 2222], [222]);
    check([], false, { f: false }, [false], [true, 'false']);
  });
  it('null means the field is absent', () => {
    check([], null, { f: { exists: false } }, [null], ['x']);
    expect(compiled({ f: { exists: false } })(undefined)).toBe(true);
  });
  it('an empty string equals only the empty string', () => {
    check([], '', { f: '' }, [''], ['x']);
  });
});

describe('wildcards: * and ? with Sigma escaping', () => {
  it('a trailing, leading or surrounding * is startswith, endswith, contains', () => {
    check([], 'Authorize*', { f: { startswith: 'Authorize', ignore_case: true } }, ['AuthorizeSecurityGroupIngress', 'authorize'], ['RevokeAuthorize']);
    check([], '*Ingress', { f: { endswith: 'Ingress', ignore_case: true } }, ['AuthorizeSecurityGroupINGRESS'], ['IngressRule']);
    check([], '*Group*', { f: { contains: 'Group', ignore_case: true } }, ['SecurityGroupIngress', 'group'], ['Grou p']);
  });
  it('other patterns become an anchored regex, case-insensitive, with . for ?', () => {
    check([], 'Accepted * for root', { f: { regex: '(?s)^Accepted .* for root$', ignore_case: true } }, ['Accepted password for root', 'accepted publickey for ROOT'], [
      'Accepted password for rooted',
      'xAccepted password for root',
    ]);
    check([], 'prog?.exe', { f: { regex: '(?s)^prog.\\.exe$', ignore_case: true } }, ['progA.exe', 'PROG1.EXE'], ['prog.exe', 'progAB.exe', 'progAxexe']);
  });
  it('regex characters in the text are literal', () => {
    check([], '*a+b (c)*', { f: { contains: 'a+b (c)', ignore_case: true } }, ['xa+b (c)y'], ['aab c']);
    check(['contains'], 'a.b*c', { f: { regex: '(?s)a\\.b.*c', ignore_case: true } }, ['xa.bzzc'], ['axbzzc']);
  });
  it('\\* and \\? are plain characters, \\\\ is one backslash, other backslashes are themselves', () => {
    expect(parseWildcards('a\\*b')).toEqual([{ text: 'a*b' }]);
    expect(parseWildcards('a\\?')).toEqual([{ text: 'a?' }]);
    expect(parseWildcards('C:\\Windows\\*')).toEqual([{ text: 'C:\\Windows*' }]);
    expect(parseWildcards('C:\\Windows\\System')).toEqual([{ text: 'C:\\Windows\\System' }]);
    expect(parseWildcards('C:\\Windows\\\\*')).toEqual([{ text: 'C:\\Windows\\' }, { wildcard: '*' }]);
    expect(parseWildcards('**a**')).toEqual([{ wildcard: '*' }, { text: 'a' }, { wildcard: '*' }]);
    check([], 'what\\?', { f: { equals: 'what?', ignore_case: true } }, ['WHAT?'], ['whatx']);
  });
});

describe('modifiers', () => {
  it('contains, startswith, endswith (and their wildcards)', () => {
    check(['contains'], 'Failed password', { f: { contains: 'Failed password', ignore_case: true } }, ['x failed PASSWORD y'], ['Failed  password']);
    check(['startswith'], '/usr/', { f: { startswith: '/usr/', ignore_case: true } }, ['/usr/bin/id', '/USR/bin'], ['/bin/usr/']);
    check(['endswith'], ['/bin/bash', '/bin/sh'], { f: { endswith: ['/bin/bash', '/bin/sh'], ignore_case: true } }, ['/bin/sh', '/usr/bin/bash'], ['/bin/bash -c x']);
    check(['contains'], 'a*b', { f: { regex: '(?s)a.*b', ignore_case: true } }, ['xxAyyBzz'], ['ba']);
  });
  it('a list mixing shapes is any of the tests, grouped by operator', () => {
    check(['contains'], ['abc', 'x*y'], { any: [{ f: { contains: 'abc', ignore_case: true } }, { f: { regex: '(?s)x.*y', ignore_case: true } }] }, ['ABC', 'x--y'], ['ab', 'y--x']);
  });
  it('all: every value must hold', () => {
    check(['contains', 'all'], ['COMMAND=', '/etc/shadow'], { all: [{ f: { contains: 'COMMAND=', ignore_case: true } }, { f: { contains: '/etc/shadow', ignore_case: true } }] }, ['COMMAND=/bin/cat /etc/shadow'], [
      'COMMAND=/bin/cat /etc/passwd',
      '/etc/shadow',
    ]);
  });
  it('cased: case-sensitive', () => {
    check(['contains', 'cased'], 'Root', { f: { contains: 'Root' } }, ['a Root b'], ['a root b']);
    check(['cased'], 'Root', { f: 'Root' }, ['Root'], ['root']);
  });
  it('re: a regex, case-sensitive unless re|i; re|m and re|s set the flags', () => {
    check(['re'], '^arn:aws:iam::\\d{12}:user/', { f: { regex: '^arn:aws:iam::\\d{12}:user/' } }, ['arn:aws:iam::123456789012:user/alice'], [
      'ARN:aws:iam::123456789012:user/alice',
      'arn:aws:sts::123456789012:assumed-role/x',
    ]);
    check(['re', 'i'], '^admin', { f: { regex: '^admin', ignore_case: true } }, ['ADMIN1'], ['xadmin']);
    check(['re', 's'], 'a.b', { f: { regex: '(?s)a.b' } }, ['a\nb'], ['ab']);
    check(['re', 'm'], '^b$', { f: { regex: '(?m)^b$' } }, ['a\nb\nc'], ['abc']);
  });
  it('cidr: networks, IPv4 and IPv6', () => {
    check(['cidr'], ['203.0.113.0/24', '2001:db8::/32'], { f: { cidr: ['203.0.113.0/24', '2001:db8::/32'] } }, ['203.0.113.10', '2001:db8::1f'], ['203.0.114.1', '2001:db9::1', 'not-an-ip']);
  });
  it('exists, gt, gte, lt, lte', () => {
    check(['exists'], true, { f: { exists: true } }, ['x', 0], [null]);
    check(['gt'], 1024, { f: { gt: 1024 } }, [1025, '2000'], [1024, 'x']);
    check(['lte'], 22, { f: { lte: 22 } }, [22, 1], [23]);
  });
});

describe('keywords', () => {
  it('are contains tests on the given field, any of them, or all with |all', () => {
    expect(translateKeywords('message', ['Invalid user', 'Failed password'], false)).toEqual({ message: { contains: ['Invalid user', 'Failed password'], ignore_case: true } });
    expect(translateKeywords('message', ['a', 'b'], true)).toEqual({ all: [{ message: { contains: 'a', ignore_case: true } }, { message: { contains: 'b', ignore_case: true } }] });
  });
});

describe('refusals', () => {
  it.each([
    [['base65'], 'x', 'UNKNOWN_MODIFIER', /unknown modifier "base65"/],
    [['base64'], 'x', 'UNSUPPORTED', /"base64" is not supported/],
    [['windash'], 'x', 'UNSUPPORTED', /"windash"/],
    [['contains', 'startswith'], 'x', 'UNSUPPORTED', /cannot be combined/],
    [['cidr', 're'], 'x', 'UNSUPPORTED', /cannot be combined/],
    [['contains'], true, 'BAD_VALUE', /takes text/],
    [['gt'], 'ten', 'BAD_VALUE', /takes a number/],
    [['exists'], 'yes', 'BAD_VALUE', /true or false/],
    [[], [], 'BAD_VALUE', /empty list/],
    [[], { nested: 1 }, 'BAD_VALUE', /must be a string/],
  ])('%j %j: %s', (modifiers, spec, code, message) => {
    const error = refusal(modifiers, spec);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
  it('names the offending value of a list', () => {
    expect(refusal(['contains'], ['ok', false]).index).toBe(1);
  });
  it('i, m, s mean something only after re', () => {
    expect(refusal(['contains', 'i'], 'x').code).toBe('UNKNOWN_MODIFIER');
  });
});
