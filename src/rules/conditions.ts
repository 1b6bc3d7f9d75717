import type { KlaxonEvent } from '../events/event';
import { compileFieldPath } from '../events/fields';
import type { Path } from '../yaml/locate';
import { MAX_CONDITION_DEPTH, compileFieldTest, isMapping } from './field-tests';
import { ANY_FIELD, type FieldCheck } from './known-fields';
import { NO_LISTS, type RuleLists } from './lists';
import type { Predicate, RuleProblems } from './types';
import { NO_VALUE_CHECK, type ValueCheck } from './value-checks';

/**
 * Compiles a condition into one predicate, once per rule.
 *
 * Grammar: a condition is a mapping or a list of mappings (all must hold). In a mapping,
 * `all` and `any` take lists of conditions, `not` a condition or a list (none may hold);
 * every other key is a field path whose test must hold, and all entries of the mapping
 * must hold together.
 *
 * Reports every problem it finds and returns `undefined` when there was any.
 *
 * @example
 *   const match = compileCondition({ 'event.outcome': 'failure', 'source.ip': { cidr: '203.0.113.0/24' } }, ['match'], checkField, problems);
 *   match?.(event);
 */
export function compileCondition(
  spec: unknown,
  path: Path,
  checkField: FieldCheck,
  problems: RuleProblems,
  checkValue: ValueCheck = NO_VALUE_CHECK,
  lists: RuleLists = NO_LISTS,
): Predicate | undefined {
  return compile(spec, path, { checkField, checkValue, problems, lists }, 0);
}

interface Context {
  checkField: FieldCheck;
  checkValue: ValueCheck;
  problems: RuleProblems;
  /** The lists `in_list` may name. */
  lists: RuleLists;
}

function compile(spec: unknown, path: Path, ctx: Context, depth: number): Predicate | undefined {
  if (Array.isArray(spec)) {
    const parts = compileList(spec, path, ctx, depth);
    return parts === undefined ? undefined : every(parts);
  }
  if (isMapping(spec)) return compileMapping(spec, path, ctx, depth + 1);
  ctx.problems.add('BAD_VALUE', path, 'a condition is a mapping of field: test (or all/any/not), or a list of such mappings');
  return undefined;
}

function compileMapping(spec: Record<string, unknown>, path: Path, ctx: Context, depth: number): Predicate | undefined {
  if (depth > MAX_CONDITION_DEPTH) {
    ctx.problems.add('BAD_VALUE', path, `conditions nest deeper than ${MAX_CONDITION_DEPTH} levels`);
    return undefined;
  }
  const entries = Object.entries(spec);
  if (entries.length === 0) {
    ctx.problems.add('BAD_VALUE', path, 'an empty condition would match every event');
    return undefined;
  }
  const parts: Predicate[] = [];
  let ok = true;
  for (const [key, value] of entries) {
    const at = [...path, key];
    let part: Predicate | undefined;
    if (key === 'all' || key === 'any') {
      const list = Array.isArray(value) ? compileList(value, at, ctx, depth) : undefined;
      if (!Array.isArray(value)) ctx.problems.add('BAD_VALUE', at, 'takes a list of conditions');
      if (list !== undefined) part = key === 'all' ? every(list) : some(list);
    } else if (key === 'not') {
      const list = Array.isArray(value) ? compileList(value, at, ctx, depth) : mapped(compile(value, at, ctx, depth));
      if (list !== undefined) {
        const anyHolds = some(list);
        part = (event) => !anyHolds(event);
      }
    } else {
      part = isElementTest(value) ? compileElementTest(key, value.element, at, ctx, depth) : compileField(key, value, at, ctx);
    }
    if (part === undefined) ok = false;
    else parts.push(part);
  }
  return ok ? every(parts) : undefined;
}

function compileField(field: string, spec: unknown, path: Path, ctx: Context): Predicate | undefined {
  const unknown = ctx.checkField(field);
  if (unknown !== undefined) ctx.problems.add('UNKNOWN_FIELD', path, unknown, { key: true });
  const test = compileFieldTest(spec, path, ctx.problems, ctx.lists);
  if (test === undefined || unknown !== undefined) return undefined;
  const before = ctx.problems.count;
  ctx.checkValue(field, spec, path, ctx.problems);
  if (ctx.problems.count !== before) return undefined;
  const read = compileFieldPath(field);
  return (event) => test(read(event));
}

function isElementTest(spec: unknown): spec is { element: unknown } {
  return isMapping(spec) && Object.keys(spec).length === 1 && Object.hasOwn(spec, 'element');
}

/**
 * `LIST: { element: CONDITION }`: some one element of a list of objects meets the whole
 * condition, its paths read inside that element (a WAF record's ruleGroupList entry with both
 * a given ruleGroupId and a terminatingRule). A plain path into a list would let each test
 * hold on a different element. The paths are the record's own, so they are not checked.
 */
function compileElementTest(field: string, spec: unknown, path: Path, ctx: Context, depth: number): Predicate | undefined {
  const unknown = ctx.checkField(field);
  if (unknown !== undefined) ctx.problems.add('UNKNOWN_FIELD', path, unknown, { key: true });
  const inner = compile(spec, [...path, 'element'], { ...ctx, checkField: ANY_FIELD, checkValue: NO_VALUE_CHECK }, depth);
  if (inner === undefined || unknown !== undefined) return undefined;
  const read = compileFieldPath(field);
  return (event) => {
    const value = read(event);
    const list = Array.isArray(value) ? value : [value];
    for (const element of list) {
      if (element !== null && typeof element === 'object' && !Array.isArray(element) && inner({ timestamp: event.timestamp, source: event.source, fields: {}, raw: element })) return true;
    }
    return false;
  };
}

function compileList(list: readonly unknown[], path: Path, ctx: Context, depth: number): Predicate[] | undefined {
  if (list.length === 0) {
    ctx.problems.add('BAD_VALUE', path, 'an empty list of conditions is ambiguous; remove it or add conditions');
    return undefined;
  }
  const parts: Predicate[] = [];
  list.forEach((item, i) => {
    const at = [...path, i];
    if (!isMapping(item)) {
      ctx.problems.add('BAD_VALUE', at, 'each entry of a condition list must be a mapping');
      return;
    }
    const part = compileMapping(item, at, ctx, depth + 1);
    if (part !== undefined) parts.push(part);
  });
  return parts.length === list.length ? parts : undefined;
}

function mapped(predicate: Predicate | undefined): Predicate[] | undefined {
  return predicate === undefined ? undefined : [predicate];
}

function every(parts: readonly Predicate[]): Predicate {
  if (parts.length === 1) return parts[0] as Predicate;
  return (event: KlaxonEvent) => {
    for (const part of parts) if (!part(event)) return false;
    return true;
  };
}

function some(parts: readonly Predicate[]): Predicate {
  if (parts.length === 1) return parts[0] as Predicate;
  return (event: KlaxonEvent) => {
    for (const part of parts) if (part(event)) return true;
    return false;
  };
}
