/**
 * Silences: a matcher (one alert group, or a whole rule) with an expiry. Matching alerts are
 * counted, not posted, until it ends or is lifted.
 */
import { randomBytes } from 'node:crypto';
import type { Silence } from '../store/types';

/** The silence in force for an alert group, if any: one for the group itself wins over one for its rule. */
export function silenceFor(silences: readonly Silence[], rule: string, fingerprint: string, now: number): Silence | undefined {
  const active = silences.filter((s) => s.until > now && s.rule === rule);
  return active.find((s) => s.fingerprint === fingerprint) ?? active.find((s) => s.fingerprint === undefined);
}

// Crockford base32 without look-alikes: easy to read out and type into `/klaxon unsilence`.
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short random id such as `S7K2Q9`. */
export function newSilenceId(): string {
  const bytes = randomBytes(6);
  let id = 'S';
  for (const byte of bytes) id += ID_ALPHABET[byte % 32];
  return id;
}
