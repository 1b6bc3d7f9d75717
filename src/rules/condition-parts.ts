import type { Path } from '../yaml/locate';
import { Problems } from '../yaml/problems';
import { compileCondition } from './conditions';
import { isMapping } from './field-tests';
import { ANY_FIELD } from './known-fields';
import { NO_LISTS, type RuleLists } from './lists';
import type { Predicate, RuleErrorCode } from './types';

/**
 * One of the conditions that must all hold for a rule to match, taken apart so that an event
 * that does not match can be told which one failed. The top-level mapping, lists of
 * mappings and `all` blocks are taken apart; a field test, an `any` or a `not` is one part.
 */
export interface ConditionPart {
  /** Where it is written, as a reader names it: `match.event.outcome`, `match.all[1].source.ip`, `match.any`. */
  label: string;
  kind: 'field' | 'any' | 'not';
  /** The field a field test reads. */
  field?: string;
  /** The test as written: `"failure"`, `one of ["a","b"]`, `{"lt":1024}`; for `any` the number of alternatives. */
  expected: string;
  holds: Predicate;
}

/**
 * The parts of a condition that already compiled (the rule loaded), each compiled again on its
 * own with the rule compiler. Built on demand: only explaining a non-match needs them.
 */
export function conditionParts(spec: unknown, path: Path = ['match'], lists: RuleLists = NO_LISTS): ConditionPart[] {
  if (Array.isArray(spec)) return spec.flatMap((item, i) => conditionParts(item, [...path, i], lists));
  if (!isMapping(spec)) return [];
  return Object.entries(spec).flatMap(([key, value]): ConditionPart[] => {
    const at = [...path, key];
    if (key === 'all' && Array.isArray(value)) return conditionParts(value, at, lists);
    const holds = compileCondition({ [key]: value }, at, ANY_FIELD, new Problems<RuleErrorCode>('explain'), undefined, lists);
    if (holds === undefined) return [];
    const label = partLabel(at);
    if (key === 'any') return [{ label, kind: 'any', expected: String(Array.isArray(value) ? value.length : 1), holds }];
    if (key === 'not') return [{ label, kind: 'not', expected: JSON.stringify(value), holds }];
    return [{ label, kind: 'field', field: key, expected: describeTest(value), holds }];
  });
}

function partLabel(path: Path): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? String(segment) : `.${String(segment)}`)).join('');
}

function describeTest(spec: unknown): string {
  if (Array.isArray(spec)) return `one of ${JSON.stringify(spec)}`;
  return JSON.stringify(spec);
}
