import { z } from 'zod';
import type { Path } from './locate';
import type { ProblemSink } from './problems';
import { didYouMean } from './suggest';

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

/** The codes `reportZodIssues` gives when no registered schema names another. */
export type ShapeProblemCode = 'UNKNOWN_KEY' | 'MISSING_KEY' | 'BAD_VALUE';

/**
 * Schemas whose failures have a code of their own (the innermost registered schema on an
 * issue's path wins): a `z.registry<{ code }>()` will do.
 */
export interface ErrorCodeRegistry<Code extends string> {
  get(schema: Schema): { code: Code } | undefined;
}

/**
 * Turns zod's issues for a YAML file's data into located problems: unknown keys point at
 * the key and list the allowed ones, a missing key points at its mapping, schemas in
 * `codes` give their own code, the rest is BAD_VALUE.
 */
export function reportZodIssues<Code extends string>(
  issues: readonly Issue[],
  root: Schema,
  data: unknown,
  problems: ProblemSink<Code | ShapeProblemCode>,
  codes?: ErrorCodeRegistry<Code>,
): void {
  for (const issue of issues) report(issue, [root], [], { data, problems, codes });
}

interface Context<Code extends string> {
  data: unknown;
  problems: ProblemSink<Code | ShapeProblemCode>;
  codes: ErrorCodeRegistry<Code> | undefined;
}

/** `schemas`: the schemas from the root down to the one `issue.path` is relative to. */
function report<Code extends string>(issue: Issue, schemas: readonly Schema[], base: Path, ctx: Context<Code>): void {
  const path = [...base, ...issue.path];
  const chain = [...schemas, ...descend(schemas[schemas.length - 1], issue.path)];
  const leaf = unwrap(chain[chain.length - 1]);
  if (issue.code !== 'unrecognized_keys' && isMissingKey(ctx.data, path)) {
    ctx.problems.add('MISSING_KEY', path.slice(0, -1), `missing required key "${String(path[path.length - 1])}"`);
    return;
  }
  const code = codeOf(chain, ctx.codes);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = leaf instanceof z.ZodObject ? Object.keys(leaf.shape) : [];
      for (const key of issue.keys) {
        ctx.problems.add('UNKNOWN_KEY', [...path, key], `unknown key "${key}"${didYouMean(key, allowed)}; allowed keys: ${allowed.join(', ')}`, {
          key: true,
        });
      }
      return;
    }
    case 'invalid_union': {
      const options = leaf instanceof z.ZodUnion ? (leaf.options as readonly Schema[]) : [];
      const branch = bestBranch(issue.errors);
      if (code === undefined && branch !== undefined && options[branch] !== undefined) {
        for (const nested of issue.errors[branch] ?? []) report(nested, [...chain, options[branch]], path, ctx);
        return;
      }
      break;
    }
    case 'invalid_key': {
      // A record's key: say what the key should be, pointing at the key itself.
      const reason = issue.issues.map((nested) => nested.message).join('; ');
      ctx.problems.add(code ?? 'BAD_VALUE', path, `key ${JSON.stringify(String(path[path.length - 1]))}: ${reason}`, { key: true });
      return;
    }
  }
  ctx.problems.add(code ?? 'BAD_VALUE', path, issue.message);
}

/** The schemas met walking `path` down from `schema` (objects by key, lists and records by element). */
function descend(schema: Schema | undefined, path: readonly PropertyKey[]): Schema[] {
  const chain: Schema[] = [];
  let current = schema;
  for (const segment of path) {
    const s = unwrap(current);
    if (s instanceof z.ZodObject) current = Object.hasOwn(s.shape, segment) ? (s.shape[segment as string] as Schema) : undefined;
    else if (s instanceof z.ZodArray) current = s.element as Schema;
    else if (s instanceof z.ZodRecord) current = s.valueType as Schema;
    else current = undefined;
    if (current === undefined) break;
    chain.push(current);
  }
  return chain;
}

/** The schema inside optional, nullable and defaulted (or prefaulted) wrappers. */
function unwrap(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap() as Schema;
  return s;
}

function codeOf<Code extends string>(chain: readonly Schema[], codes: ErrorCodeRegistry<Code> | undefined): Code | undefined {
  if (codes === undefined) return undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const s = chain[i] as Schema;
    const code = codes.get(s)?.code ?? codes.get(unwrap(s) as Schema)?.code;
    if (code !== undefined) return code;
  }
  return undefined;
}

/**
 * The union option the author most likely meant: the one whose issues reach deepest into
 * the value (it accepted the value's outer shape), preferring a wrong value over a wrong type.
 */
function bestBranch(branches: readonly (readonly Issue[])[]): number | undefined {
  let best: number | undefined;
  let bestScore = -1;
  branches.forEach((issues, i) => {
    const score = Math.max(...issues.map((issue) => issue.path.length * 2 + (issue.code === 'invalid_type' ? 0 : 1)));
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

function isMissingKey(data: unknown, path: Path): boolean {
  if (path.length === 0) return false;
  let parent: unknown = data;
  for (const segment of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[segment];
  }
  return typeof parent === 'object' && parent !== null && !Array.isArray(parent) && !Object.hasOwn(parent, path[path.length - 1] as PropertyKey);
}
