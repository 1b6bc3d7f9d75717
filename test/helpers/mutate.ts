import fc from 'fast-check';

/**
 * Random damage to valid records, for property tests that parsers never throw: each
 * mutation removes or replaces the value at one path of the record.
 */
export type Path = Array<string | number>;

/**
 * Every path into a JSON value (objects and arrays), the root excluded. A mutation may insert
 * a value fast-check built with a cycle in it: each object is walked once, so a cycle ends.
 */
export function paths(value: unknown, prefix: Path = [], out: Path[] = [], seen: Set<object> = new Set()): Path[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path);
    paths(child, path, out, seen);
  }
  return out;
}

export type Mutation = { at: number; remove: boolean; value: unknown };

/** Applies each mutation at a path chosen from those the record has at that moment. */
export function mutate(record: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const copy = structuredClone(record);
  for (const m of mutations) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = all[m.at % all.length] as Path;
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    const last = path[path.length - 1] as string | number;
    const container = parent as Record<string | number, unknown>;
    if (m.remove && !Array.isArray(container)) delete container[last];
    else container[last] = m.value;
  }
  return copy;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({ at: fc.nat(), remove: fc.boolean(), value: fc.oneof(fc.jsonValue(), fc.anything()) });
