import type { FieldValue, KlaxonEvent } from './event';

export type FieldAccessor = (event: KlaxonEvent) => FieldValue | undefined;

/**
 * Compiles a dotted field path into a function that reads it from an event.
 *
 * Lookup order: the flat ECS key itself; then a shorter key holding a map or list that the
 * rest of the path walks into (`http.request.headers.user-agent`); then the raw record
 * (`requestParameters.ipPermissions.items.ipRanges.items.cidrIp`). Walking through a list
 * collects the values of every element, flattened, so that list-valued fields match when
 * any element does.
 *
 * @example
 *   const ip = compileFieldPath('source.ip');
 *   ip(event); // '203.0.113.9'
 */
export function compileFieldPath(path: string): FieldAccessor {
  const segments = path.split('.');
  const splits: Array<{ key: string; rest: string[] }> = [];
  for (let i = segments.length - 1; i >= 1; i--) {
    splits.push({ key: segments.slice(0, i).join('.'), rest: segments.slice(i) });
  }
  return (event) => {
    const direct = event.fields[path];
    if (direct !== undefined) return direct;
    for (const { key, rest } of splits) {
      const base = event.fields[key];
      if (base !== undefined && base !== null && typeof base === 'object') return walk(base, rest);
    }
    return event.raw === undefined ? undefined : walk(event.raw, segments);
  };
}

const accessorCache = new Map<string, FieldAccessor>();

/** Reads one field by path; accessors are cached, so this is cheap to call repeatedly. */
export function getField(event: KlaxonEvent, path: string): FieldValue | undefined {
  let accessor = accessorCache.get(path);
  if (accessor === undefined) {
    accessor = compileFieldPath(path);
    accessorCache.set(path, accessor);
  }
  return accessor(event);
}

function walk(value: unknown, segments: readonly string[]): FieldValue | undefined {
  let current: unknown = value;
  for (let i = 0; i < segments.length; i++) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      const rest = segments.slice(i);
      const collected: FieldValue[] = [];
      for (const item of current) {
        const v = walk(item, rest);
        if (v === undefined) continue;
        if (Array.isArray(v)) collected.push(...v);
        else collected.push(v);
      }
      return collected.length > 0 ? collected : undefined;
    }
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segments[i] as string];
  }
  return current === undefined ? undefined : (current as FieldValue);
}

/** The values of a field as a list: a scalar becomes a one-element list, absent becomes empty. */
export function fieldValues(value: FieldValue | undefined): FieldValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A field value as display text: lists joined with ", ", maps as JSON. */
export function fieldText(value: FieldValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => fieldText(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
