/**
 * Issue 12, part 4: Sigma `condition` expressions, parsed with Sigma's precedence
 * (or < and < not < x of < parentheses); aggregations and `near` refused where they stand.
 */
import { ConditionError, parseCondition, selectionsMatching, type ConditionNode } from '../../src/sigma/condition';

/** The tree as a compact string: refs by name, `1of(p)`/`allof(p)`, and(...), or(...), !x. */
function show(node: ConditionNode): string {
  switch (node.kind) {
    case 'ref':
      return node.name;
    case 'of':
      return `${node.quantifier === 'all' ? 'allof' : '1of'}(${node.pattern ?? 'them'})`;
    case 'not':
      return `!${show(node.item)}`;
    default:
      return `${node.kind}(${node.items.map(show).join(',')})`;
  }
}

function failure(text: string): ConditionError {
  try {
    parseCondition(text);
  } catch (error) {
    if (error instanceof ConditionError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed`);
}

describe('parseCondition', () => {
  it.each([
    ['selection', 'selection'],
    ['a and b', 'and(a,b)'],
    ['a or b', 'or(a,b)'],
    ['a or b and c', 'or(a,and(b,c))'],
    ['a and b or c', 'or(and(a,b),c)'],
    ['(a or b) and c', 'and(or(a,b),c)'],
    ['not a and b', 'and(!a,b)'],
    ['not (a and b)', '!and(a,b)'],
    ['not not a', '!!a'],
    ['a and not b or not c', 'or(and(a,!b),!c)'],
    ['1 of sel*', '1of(sel*)'],
    ['any of sel*', '1of(sel*)'],
    ['all of sel_*', 'allof(sel_*)'],
    ['1 of them', '1of(them)'],
    ['all of them', 'allof(them)'],
    ['1 of selection* and not 1 of filter*', 'and(1of(selection*),!1of(filter*))'],
    ['selection AND NOT Filter', 'and(selection,!Filter)'],
    ['  ( ( a ) )  ', 'a'],
  ])('%s', (text, tree) => {
    expect(show(parseCondition(text))).toBe(tree);
  });

  it.each([
    ['selection | count() > 5', 10, true],
    ['selection | count(user) by src > 5', 10, true],
    ['a near b', 2, true],
    ['2 of sel*', 0, true],
    ['a and', 5, false],
    ['a b', 2, false],
    ['(a or b', 7, false],
    ['a or b)', 6, false],
    ['1 sel*', 2, false],
    ['all of and', 7, false],
    ['and a', 0, false],
    ['', 0, false],
  ])('refuses %j at offset %d (unsupported: %s)', (text, at, unsupported) => {
    const error = failure(text);
    expect(error.at).toBe(at);
    expect(error.unsupported).toBe(unsupported);
  });

  it('refuses a condition nested past its depth bound instead of overflowing the stack', () => {
    expect(failure(`${'not '.repeat(200)}a`).message).toContain('nests too deeply');
    expect(failure(`${'('.repeat(200)}a${')'.repeat(200)}`).message).toContain('nests too deeply');
  });
});

describe('selectionsMatching', () => {
  const names = ['selection', 'selection_b', 'filter_1', '_private', 'keywords'];
  it('`them` is every selection not starting with "_"', () => {
    expect(selectionsMatching(undefined, names)).toEqual(['selection', 'selection_b', 'filter_1', 'keywords']);
  });
  it('patterns match whole names with * anywhere, other characters literally', () => {
    expect(selectionsMatching('selection*', names)).toEqual(['selection', 'selection_b']);
    expect(selectionsMatching('*_*', names)).toEqual(['selection_b', 'filter_1', '_private']);
    expect(selectionsMatching('filter.1', names)).toEqual([]);
  });
});
