import { isObject, text } from '../../src/events/json';

describe('isObject', () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [Object.create(null), true],
    [[], false],
    [null, false],
    [undefined, false],
    ['{}', false],
    [1, false],
  ])('%p: %p', (value, expected) => {
    expect(isObject(value)).toBe(expected);
  });
});

describe('text', () => {
  it.each([
    ['a', 'a'],
    ['-', '-'],
    [' ', ' '],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
    [1, undefined],
    [['a'], undefined],
  ])('%p: %p', (value, expected) => {
    expect(text(value)).toBe(expected);
  });
});
