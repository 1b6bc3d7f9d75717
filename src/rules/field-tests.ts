import type { FieldValue } from '../events/event';
import type { Path } from '../yaml/locate';
import { didYouMean } from '../yaml/suggest';
import { compileLinearRegex } from './linear-regex';
import type { LinearRegex } from './linear-regex';
import { parseCidr } from './cidr';
import type { Network } from './cidr';
import { COMPARISONS, STRING_OPERATORS, cidrTest, comparisonTest, memberOf, regexTest, stringTest } from './matchers';
import type { Comparison, StringOperator, ValueTest } from './matchers';
import { NO_LISTS, type RuleList, type RuleLists } from './lists';
import { compileDuring } from './time-window';
import type { RuleProblems } from './types';

/** Deeper nesting than this is refused: no real rule needs it, and it bounds recursion on hostile files. */
export const MAX_CONDITION_DEPTH = 32;

/** A test on a field's whole value (`undefined` when the event lacks the field). */
export type FieldTest = (value: FieldValue | undefined) => boolean;

/** Every key an operator map may hold. */
export const OPERATORS = ['equals', 'in', 'in_list', ...STRING_OPERATORS, 'regex', 'cidr', 'exists', ...COMPARISONS, 'during', 'not', 'ignore_case'] as const;

/**
 * Compiles what follows a field name in a condition: a scalar (equals), a list (in), or an
 * operator map. Element tests hold when any element of a list-valued field passes them all;
 * `exists` and `not` look at the whole value. Reports problems and returns `undefined` when
 * the spec is invalid.
 */
export function compileFieldTest(spec: unknown, path: Path, problems: RuleProblems, lists: RuleLists = NO_LISTS): FieldTest | undefined {
  if (spec === null) {
    problems.add('BAD_VALUE', path, NULL_TEST);
    return undefined;
  }
  if (isValue(spec)) return anyElement([memberOf([spec], false)]);
  if (Array.isArray(spec)) {
    const list = valueList(spec, path, problems);
    return list === undefined ? undefined : anyElement([memberOf(list, false)]);
  }
  if (isMapping(spec)) return compileOperators(spec, path, { problems, lists }, false, 0);
  problems.add('BAD_VALUE', path, 'a field test is a value, a list of values, or a mapping of operators');
  return undefined;
}

function compileOperators(
  spec: Record<string, unknown>,
  path: Path,
  ctx: { problems: RuleProblems; lists: RuleLists },
  inheritedIgnoreCase: boolean,
  depth: number,
): FieldTest | undefined {
  const { problems } = ctx;
  if (depth > MAX_CONDITION_DEPTH) {
    problems.add('BAD_VALUE', path, `operator maps nest deeper than ${MAX_CONDITION_DEPTH} levels`);
    return undefined;
  }
  const before = problems.count;
  let ignoreCase = inheritedIgnoreCase;
  if (Object.hasOwn(spec, 'ignore_case')) {
    if (typeof spec.ignore_case === 'boolean') ignoreCase = spec.ignore_case;
    else problems.add('BAD_VALUE', [...path, 'ignore_case'], 'must be true or false');
  }
  const elementTests: ValueTest[] = [];
  const wholeTests: FieldTest[] = [];
  for (const [operator, arg] of Object.entries(spec)) {
    const at = [...path, operator];
    switch (operator) {
      case 'ignore_case':
        break;
      case 'equals':
        if (isValue(arg)) elementTests.push(memberOf([arg], ignoreCase));
        else problems.add('BAD_VALUE', at, arg === null ? NULL_TEST : 'takes one value (use `in` for a list)');
        break;
      case 'in': {
        const list = Array.isArray(arg) ? valueList(arg, at, problems) : undefined;
        if (!Array.isArray(arg)) problems.add('BAD_VALUE', at, 'takes a list of values');
        if (list !== undefined) elementTests.push(memberOf(list, ignoreCase));
        break;
      }
      case 'in_list': {
        const found = stringList(arg, at, problems)?.map((name) => namedList(name.text, name.path, ctx));
        if (found !== undefined && found.every((list) => list !== undefined)) {
          const tests = (found as RuleList[]).map((list) => list.test(ignoreCase));
          elementTests.push(tests.length === 1 ? (tests[0] as ValueTest) : (value) => tests.some((t) => t(value)));
        }
        break;
      }
      case 'contains':
      case 'startswith':
      case 'endswith': {
        const needles = stringList(arg, at, problems);
        if (needles !== undefined) elementTests.push(stringTest(operator as StringOperator, needles.map((n) => n.text), ignoreCase));
        break;
      }
      case 'regex': {
        const patterns = stringList(arg, at, problems)?.map((p) => compileRegex(p.text, p.path, ignoreCase, problems));
        if (patterns !== undefined && patterns.every((p) => p !== undefined)) elementTests.push(regexTest(patterns as LinearRegex[]));
        break;
      }
      case 'cidr': {
        const networks = stringList(arg, at, problems)?.map((c) => parseNetwork(c.text, c.path, problems));
        if (networks !== undefined && networks.every((n) => n !== undefined)) elementTests.push(cidrTest(networks as Network[]));
        break;
      }
      case 'exists':
        if (typeof arg === 'boolean') wholeTests.push(arg ? isPresent : (value) => !isPresent(value));
        else problems.add('BAD_VALUE', at, 'must be true or false');
        break;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if ((typeof arg === 'number' && Number.isFinite(arg)) || (typeof arg === 'string' && arg !== '')) {
          elementTests.push(comparisonTest(operator as Comparison, arg));
        } else {
          problems.add('BAD_VALUE', at, 'takes a number (or a string such as an ISO timestamp)');
        }
        break;
      case 'during': {
        const test = compileDuring(arg, at, problems);
        if (test !== undefined) elementTests.push(test);
        break;
      }
      case 'not': {
        const inner = isMapping(arg) ? compileOperators(arg, at, ctx, ignoreCase, depth + 1) : undefined;
        if (!isMapping(arg)) problems.add('BAD_VALUE', at, 'takes a mapping of operators, e.g. not: { startswith: "10." }');
        if (inner !== undefined) wholeTests.push((value) => !inner(value));
        break;
      }
      default:
        problems.add(
          'UNKNOWN_OPERATOR',
          at,
          `unknown operator "${operator}"${didYouMean(operator, OPERATORS)}; operators: ${OPERATORS.join(', ')}`,
          { key: true },
        );
    }
  }
  if (problems.count !== before) return undefined;
  if (elementTests.length === 0 && wholeTests.length === 0) {
    problems.add('BAD_VALUE', path, 'an operator map needs at least one operator');
    return undefined;
  }
  const elements = elementTests.length === 0 ? undefined : anyElement(elementTests);
  if (wholeTests.length === 0 && elements !== undefined) return elements;
  return (value) => {
    for (const test of wholeTests) if (!test(value)) return false;
    return elements === undefined || elements(value);
  };
}

/** Holds when some element of the value (a scalar is its own only element) passes all the tests. */
function anyElement(tests: ValueTest[]): FieldTest {
  const test = allOf(tests);
  // Scalars are tested directly: wrapping each one in a list (fieldValues) cost an allocation per event and test.
  return (value) => {
    if (value === undefined) return false;
    return Array.isArray(value) ? value.some(test) : test(value);
  };
}

function allOf(tests: ValueTest[]): ValueTest {
  if (tests.length === 1) return tests[0] as ValueTest;
  return (value) => tests.every((t) => t(value));
}

/** Present: the field is set, not null, and (for a list) not empty. */
function isPresent(value: FieldValue | undefined): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function compileRegex(pattern: string, path: Path, ignoreCase: boolean, problems: RuleProblems): LinearRegex | undefined {
  const compiled = compileLinearRegex(pattern, ignoreCase);
  if ('error' in compiled) {
    problems.add('BAD_REGEX', path, compiled.error);
    return undefined;
  }
  return compiled.regex;
}

function namedList(id: string, path: Path, ctx: { problems: RuleProblems; lists: RuleLists }): RuleList | undefined {
  const list = ctx.lists.get(id);
  if (list !== undefined) return list;
  const ids = [...ctx.lists.keys()];
  const known = ids.length === 0 ? 'there are no lists (files in the lists/ folder of the rules directory)' : `lists: ${ids.join(', ')}`;
  ctx.problems.add('UNKNOWN_LIST', path, `no list has the id "${id}"${didYouMean(id, ids)}; ${known}`);
  return undefined;
}

function parseNetwork(text: string, path: Path, problems: RuleProblems): Network | undefined {
  const network = parseCidr(text);
  if (network === undefined) problems.add('BAD_CIDR', path, `"${text}" is not an IPv4 or IPv6 network such as 203.0.113.0/24 or 2001:db8::/32`);
  return network;
}

function valueList(list: readonly unknown[], path: Path, problems: RuleProblems): Array<string | number | boolean> | undefined {
  if (list.length === 0) {
    problems.add('BAD_VALUE', path, 'an empty list matches nothing');
    return undefined;
  }
  let ok = true;
  list.forEach((item, i) => {
    if (!isValue(item)) {
      problems.add('BAD_VALUE', [...path, i], item === null ? NULL_TEST : 'list entries must be plain values (string, number or boolean)');
      ok = false;
    }
  });
  return ok ? (list as Array<string | number | boolean>) : undefined;
}

/** A string or non-empty list of strings, each with its own path for precise problems. */
function stringList(arg: unknown, path: Path, problems: RuleProblems): Array<{ text: string; path: Path }> | undefined {
  if (typeof arg === 'string') return [{ text: arg, path }];
  if (!Array.isArray(arg) || arg.length === 0) {
    problems.add('BAD_VALUE', path, 'takes a string or a non-empty list of strings');
    return undefined;
  }
  const items: Array<{ text: string; path: Path }> = [];
  arg.forEach((item, i) => {
    if (typeof item === 'string') items.push({ text: item, path: [...path, i] });
    else problems.add('BAD_VALUE', [...path, i], 'takes strings');
  });
  return items.length === arg.length ? items : undefined;
}

/** A value a field may be compared with. Null is not one: see NULL_TEST. */
function isValue(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// `field:` with nothing after it is null in YAML, more often a slip than a wish to match JSON nulls.
const NULL_TEST = 'a field cannot be compared with null (an empty value); use exists: false for an absent or null field';

/** A plain mapping as YAML gives it (not a list, nor a Map, Set, Date or byte array from YAML 1.1 tags). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
