import type { EventSource } from '../events/event';
import { fieldCatalogue, isKnownField } from '../sources/catalogue';
import { didYouMean } from '../yaml/suggest';

/** Returns a message for a field path the sources do not produce, `undefined` for a known one. */
export type FieldCheck = (path: string) => string | undefined;

/** For data whose field names were already checked (a loaded rule, a packaged one). */
export const ANY_FIELD: FieldCheck = () => undefined;

export function fieldCheck(sources: readonly EventSource[]): FieldCheck {
  const catalogue = fieldCatalogue(sources);
  // Prefixes ending in '.' open a namespace; the others (raw CloudTrail roots) are names in their own right.
  const candidates = [...catalogue.fields, ...catalogue.prefixes.filter((p) => !p.endsWith('.'))];
  const sourceList = sources.join(', ');
  return (path) =>
    isKnownField(catalogue, path) ? undefined : `unknown field "${path}" for source ${sourceList}${didYouMean(path, candidates)}`;
}
