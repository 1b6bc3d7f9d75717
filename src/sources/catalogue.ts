import type { EventSource, FieldCatalogue, FieldKind } from '../events/event';
import { COMMON_FIELDS, COMMON_KINDS, ENRICHED_FIELDS, ENRICHED_SOURCES } from './common-fields';
import { SSH_FIELDS } from './ssh-fields';
import { WAF_FIELDS } from './waf-fields';
import { CLOUDTRAIL_FIELDS } from './cloudtrail-fields';
import { ALARM_FIELDS } from './alarm-fields';

const BY_SOURCE: Record<EventSource, FieldCatalogue> = {
  ssh: SSH_FIELDS,
  waf: WAF_FIELDS,
  cloudtrail: CLOUDTRAIL_FIELDS,
  alarm: ALARM_FIELDS,
};

/**
 * The fields a rule over these sources may name: the common ones plus each source's own, with
 * what they hold, and for the fields with a closed vocabulary the values any of the sources
 * gives them (`'any'` when one of them passes values through).
 */
export function fieldCatalogue(sources: readonly EventSource[]): FieldCatalogue {
  const fields = new Set<string>(COMMON_FIELDS);
  const prefixes = new Set<string>();
  const kinds: Record<string, FieldKind> = { ...COMMON_KINDS };
  const values: Record<string, string[] | 'any'> = {};
  for (const source of sources) {
    const catalogue = BY_SOURCE[source];
    for (const f of catalogue.fields) fields.add(f);
    if (ENRICHED_SOURCES.includes(source)) for (const f of ENRICHED_FIELDS) fields.add(f);
    for (const p of catalogue.prefixes) prefixes.add(p);
    Object.assign(kinds, catalogue.kinds);
    for (const [field, given] of Object.entries(catalogue.values ?? {})) {
      const known = values[field] ?? [];
      values[field] = known === 'any' || given === 'any' ? 'any' : [...new Set([...known, ...given])];
    }
  }
  return { fields: [...fields], prefixes: [...prefixes], kinds, values };
}

/** True when `path` names a field the catalogue knows, exactly or under one of its prefixes. */
export function isKnownField(catalogue: FieldCatalogue, path: string): boolean {
  return catalogue.fields.includes(path) || catalogue.prefixes.some((p) => path.startsWith(p));
}
