/**
 * Builds Klaxon conditions (the `match:` grammar of src/rules/conditions.ts) out of parts:
 * a mapping's entries all hold, `any:` takes alternatives, `not:` negates. Kept readable:
 * parts naming different keys merge into one mapping, nested `all`/`any` flatten.
 */
export type KlaxonCondition = Record<string, unknown>;

export function allOf(parts: readonly KlaxonCondition[]): KlaxonCondition {
  const flat = parts.flatMap((part) => (isOnly(part, 'all') ? (part.all as KlaxonCondition[]) : [part]));
  if (flat.length === 1) return flat[0] as KlaxonCondition;
  const merged: KlaxonCondition = {};
  for (const part of flat) {
    for (const key of Object.keys(part)) {
      if (Object.hasOwn(merged, key)) return { all: flat };
    }
    Object.assign(merged, part);
  }
  return merged;
}

export function anyOf(parts: readonly KlaxonCondition[]): KlaxonCondition {
  const flat = parts.flatMap((part) => (isOnly(part, 'any') ? (part.any as KlaxonCondition[]) : [part]));
  return flat.length === 1 ? (flat[0] as KlaxonCondition) : { any: flat };
}

export function noneOf(part: KlaxonCondition): KlaxonCondition {
  if (isOnly(part, 'not') && isMappingValue(part.not)) return part.not;
  return { not: part };
}

function isOnly(part: KlaxonCondition, key: string): boolean {
  const keys = Object.keys(part);
  return keys.length === 1 && keys[0] === key && (key === 'not' || Array.isArray(part[key]));
}

function isMappingValue(value: unknown): value is KlaxonCondition {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
