/**
 * Exactly-once application of input events to alert groups, with single-item conditional
 * writes only (so it works alike on SQLite and DynamoDB, with no transactions).
 *
 * A group's write records, inside the group's own record, the digests of the events it
 * applied (`applying`): the state change and the proof of it are one atomic write. The
 * record keeps them, and later writes add theirs, until it holds more than
 * {@link KEPT_DIGESTS}; then a write spills the oldest: it first puts a marker item per
 * spilled (group, event) (idempotent puts), then drops them in its conditional write. So an
 * event has been applied to a group exactly when its digest is in the group's `applying` or
 * its marker exists. A writer reads the group first, then the markers (only if some were
 * spilled within their retention: most groups never spill, and need no marker at all), and
 * writes on the condition that the group's version has not moved, which closes every
 * interleaving.
 */
import { createHash } from 'node:crypto';
import type { GroupData } from './group-data';

/** Digests a group's record keeps (25 bytes each in its JSON): a write that would keep more spills the oldest to markers. */
export const KEPT_DIGESTS = 200;
/** A spill keeps this many: a busy group spills in bulk (batched marker writes), not at every write. */
export const KEPT_AFTER_SPILL = 100;

/** A group's record and markers name an applied event by this digest of (fingerprint, input key): 22 characters, 128 bits. */
export function appliedDigest(fingerprint: string, inputKey: string): string {
  return createHash('sha256').update(`${fingerprint}\u0000${inputKey}`).digest('base64url').slice(0, 22);
}

/** The processed-input key of the marker that says an event was applied to a group. */
export function appliedMarker(digest: string): string {
  return `applied:${digest}`;
}

/**
 * Whether some applied event of the group may be proven by a marker rather than by its
 * record, so that a writer must read the markers of its events: the record spilled digests
 * less than `retentionMs` ago (markers expire then), or it was last written by a Klaxon
 * that did not keep this log (its writes dropped digests after marking them).
 */
export function markersMayProve(data: GroupData | undefined, now: number, retentionMs: number): boolean {
  if (data === undefined) return false;
  if (!keptByThisLog(data)) return true;
  const spilledAt = data.kept?.spilledAt;
  return spilledAt !== undefined && now < spilledAt + retentionMs;
}

/** Whether the last write that applied events to the group kept this log. A writer that does not know `kept` replaces `applying` with its own digests, never ours: the first differs. */
function keptByThisLog(data: GroupData): boolean {
  return data.kept !== undefined && data.applying?.[0] === data.kept.first;
}

/**
 * What a write that applies `digests` to the group keeps in its record, and what it must
 * spill first (mark, before the write drops them from `applying`).
 */
export function keepApplied(data: GroupData | undefined, digests: readonly string[], now: number, retentionMs: number): { applying: string[]; kept: NonNullable<GroupData['kept']>; spilled: string[] } {
  const earlier = data?.applying ?? [];
  const room = digests.length + earlier.length > KEPT_DIGESTS ? Math.min(earlier.length, Math.max(0, KEPT_AFTER_SPILL - digests.length)) : earlier.length;
  const spilled = earlier.slice(0, earlier.length - room);
  const applying = [...earlier.slice(earlier.length - room), ...digests];
  // A record last written by a Klaxon that did not keep this log may have dropped digests it had marked: as if spilled now.
  const unkept = data !== undefined && !keptByThisLog(data);
  const spilledAt = spilled.length > 0 || unkept ? now : data?.kept?.spilledAt;
  const kept: NonNullable<GroupData['kept']> = { first: applying[0] as string };
  if (spilledAt !== undefined && now < spilledAt + retentionMs) kept.spilledAt = spilledAt;
  return { applying, kept, spilled };
}
