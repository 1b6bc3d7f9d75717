/**
 * The terms one group has seen (`new_term`): for a user, the addresses it logged in from,
 * each with when it was last seen, and when the group's history began. Plain data, stored
 * with the group's record, so "never seen before" holds across invocations and processes.
 */
import type { FieldValue, KlaxonEvent } from '../events/event';
import type { FieldAccessor } from '../events/fields';
import type { CompiledRule } from '../rules/types';

/** Terms one group remembers (the most recently seen win): a user with more addresses than this sees the oldest as new again. */
export const MAX_TERMS = 1000;

export interface TermsSnapshot {
  /** The earliest event time of the group: its learning period runs from here. */
  since: number;
  /** Each term with the last time it was seen. Pairs, not an object: a term is attacker-chosen text. */
  seen: Array<[string, number]>;
}

export interface Terms {
  since: number;
  seen: Map<string, number>;
  latest: number;
}

export function restoreTerms(snapshot: TermsSnapshot): Terms {
  let latest = snapshot.since;
  for (const [, t] of snapshot.seen) if (t > latest) latest = t;
  return { since: snapshot.since, seen: new Map(snapshot.seen), latest };
}

export function snapshotTerms(terms: Terms): TermsSnapshot {
  return { since: terms.since, seen: [...terms.seen] };
}

/**
 * Records the event's term in the group's terms and says whether it counts: a term not seen
 * within `forget`, once the group's history is as long as the learning period. An event
 * without any of the term's fields is no term and does not count.
 */
export function countsAsNewTerm(newTerm: NonNullable<CompiledRule['newTerm']>, accessors: readonly FieldAccessor[], holder: { terms?: Terms }, event: KlaxonEvent): boolean {
  const term = termOf(accessors, event);
  if (term === undefined) return false;
  const t = event.timestamp;
  const terms = (holder.terms ??= { since: t, seen: new Map(), latest: t });
  if (t < terms.since) terms.since = t;
  if (t > terms.latest) terms.latest = t;
  const last = terms.seen.get(term);
  const known = last !== undefined && t - last <= newTerm.forgetMs;
  if (last === undefined || t > last) {
    terms.seen.delete(term);
    terms.seen.set(term, t);
  }
  // Forgetting only bounds memory (`known` reads the time itself): done when a term is added.
  if (last === undefined) forgetOld(terms, newTerm.forgetMs);
  return !known && t - terms.since >= newTerm.learningMs;
}

/** Drops terms not seen within `forget` of the group's latest event, then the least recently seen beyond the cap. */
function forgetOld(terms: Terms, forgetMs: number): void {
  const before = terms.latest - forgetMs;
  for (const [term, t] of terms.seen) if (t < before) terms.seen.delete(term);
  if (terms.seen.size <= MAX_TERMS) return;
  const oldest = [...terms.seen].sort((a, b) => a[1] - b[1]).slice(0, terms.seen.size - MAX_TERMS);
  for (const [term] of oldest) terms.seen.delete(term);
}

function termOf(accessors: readonly FieldAccessor[], event: KlaxonEvent): string | undefined {
  const values: FieldValue[] = accessors.map((get) => get(event) ?? null);
  if (values.every((v) => v === null)) return undefined;
  const [only] = values;
  // One plain string is its own term; JSON (which starts with `[`) for anything else, so the two never collide.
  return values.length === 1 && typeof only === 'string' && !only.startsWith('[') ? only : JSON.stringify(values);
}
