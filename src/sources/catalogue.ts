import type { EventSource, FieldCatalogue } from '../events/event';
import { COMMON_FIELDS } from './common-fields';
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

/** The fields a rule over these sources may name: the common ones plus each source's own. */
export function fieldCatalogue(sources: readonly EventSource[]): FieldCatalogue {
  const fields = new Set<string>(COMMON_FIELDS);
  const prefixes = new Set<string>();
  for (const source of sources) {
    for (const f of BY_SOURCE[source].fields) fields.add(f);
    for (const p of BY_SOURCE[source].prefixes) prefixes.add(p);
  }
  return { fields: [...fields], prefixes: [...prefixes] };
}

/** True when `path` names a field the catalogue knows, exactly or under one of its prefixes. */
export function isKnownField(catalogue: FieldCatalogue, path: string): boolean {
  return catalogue.fields.includes(path) || catalogue.prefixes.some((p) => path.startsWith(p));
}
