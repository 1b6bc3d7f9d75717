import type { FieldValue, Scalar } from '../events/event';
import { networkMatcher } from './cidr';
import type { Network } from './cidr';
import type { LinearRegex } from './linear-regex';

/**
 * Tests on one value of a field (one element, for list-valued fields), built once per
 * rule. Comparison semantics:
 * - equality: strings exactly (or case-insensitively), numbers numerically, a number and a
 *   numeric string numerically (`22` equals `'22'`), booleans and null only themselves;
 * - string operators read numbers as their decimal text and never match other types;
 * - gt/gte/lt/lte with a numeric bound compare numbers and numeric strings numerically;
 *   with a non-numeric bound they compare strings by code unit, which orders ISO 8601
 *   timestamps written in the same form (`2024-05-01T00:00:00Z`) correctly.
 */
export type ValueTest = (value: FieldValue) => boolean;

export const STRING_OPERATORS = ['contains', 'startswith', 'endswith'] as const;
export type StringOperator = (typeof STRING_OPERATORS)[number];
export const COMPARISONS = ['gt', 'gte', 'lt', 'lte'] as const;
export type Comparison = (typeof COMPARISONS)[number];

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a numeric string spells, or `undefined` ('' and '0x10' are not numeric). */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value !== 'string' || !NUMERIC.test(value)) return undefined;
  return Number(value);
}

/** True when the value equals one of `expected` (see the equality rules above). */
export function memberOf(expected: readonly Scalar[], ignoreCase: boolean): ValueTest {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const numbersForStrings = new Set<number>();
  const others = new Set<boolean | null>();
  for (const e of expected) {
    if (typeof e === 'string') {
      strings.add(ignoreCase ? e.toLowerCase() : e);
      const n = numericValue(e);
      if (n !== undefined) numbers.add(n);
    } else if (typeof e === 'number') {
      numbers.add(e);
      numbersForStrings.add(e);
    } else {
      others.add(e);
    }
  }
  // The common case, one plain string (`event.action: ssh_login`), is a direct comparison.
  const only = expected.length === 1 ? expected[0] : undefined;
  if (typeof only === 'string' && !ignoreCase && numbers.size === 0) return (value) => value === only;
  return (value) => {
    if (typeof value === 'string') {
      if (strings.has(ignoreCase ? value.toLowerCase() : value)) return true;
      if (numbersForStrings.size === 0) return false;
      const n = numericValue(value);
      return n !== undefined && numbersForStrings.has(n);
    }
    if (typeof value === 'number') return numbers.has(value);
    if (typeof value === 'boolean' || value === null) return others.has(value);
    return false;
  };
}

export function stringTest(operator: StringOperator, needles: readonly string[], ignoreCase: boolean): ValueTest {
  const wanted = ignoreCase ? needles.map((n) => n.toLowerCase()) : [...needles];
  const test =
    operator === 'contains'
      ? (text: string) => wanted.some((n) => text.includes(n))
      : operator === 'startswith'
        ? (text: string) => wanted.some((n) => text.startsWith(n))
        : (text: string) => wanted.some((n) => text.endsWith(n));
  return (value) => {
    const text = asText(value);
    return text !== undefined && test(ignoreCase ? text.toLowerCase() : text);
  };
}

export function regexTest(patterns: readonly LinearRegex[]): ValueTest {
  return (value) => {
    const text = asText(value);
    return text !== undefined && patterns.some((p) => p.test(text));
  };
}

export function cidrTest(networks: readonly Network[]): ValueTest {
  const inNetworks = networkMatcher(networks);
  return (value) => typeof value === 'string' && inNetworks(value);
}

export function comparisonTest(operator: Comparison, bound: number | string): ValueTest {
  const holds = ORDER[operator];
  const numericBound = numericValue(bound);
  if (numericBound !== undefined) {
    return (value) => {
      const n = numericValue(value);
      return n !== undefined && holds(n, numericBound);
    };
  }
  return (value) => typeof value === 'string' && holds(value, bound);
}

const ORDER: Record<Comparison, <T extends number | string>(a: T, b: T) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
};

function asText(value: FieldValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
