import type { StateStore } from '../store/types';

/**
 * The fingerprint a person typed, whole or as a prefix (as git takes a hash prefix): the group
 * on record with exactly that fingerprint, else the one group whose fingerprint starts with it.
 * Prefixes are looked for among the groups that have had a message and have not expired.
 */
export async function resolveFingerprint(store: StateStore, typed: string, now: number): Promise<{ fingerprint: string } | { problem: string }> {
  const prefix = typed.trim();
  if (prefix === '') return { problem: 'give an alert fingerprint (klaxon alerts lists them)' };
  if ((await store.getGroup(prefix)) !== undefined) return { fingerprint: prefix };
  const matches = (await store.listActiveGroups(0)).filter((g) => g.expiresAt > now && g.fingerprint.startsWith(prefix)).map((g) => g.fingerprint);
  if (matches.length === 1) return { fingerprint: matches[0] as string };
  if (matches.length === 0) return { problem: `no alert on record has a fingerprint starting with "${prefix}" (klaxon alerts --all lists them)` };
  const shown = matches.slice(0, 10).join(', ');
  return { problem: `"${prefix}" is ambiguous: ${matches.length} alerts start with it (${shown}${matches.length > 10 ? ', …' : ''}); type more of the fingerprint` };
}
