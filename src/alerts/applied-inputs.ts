/**
 * Exactly-once application of input events to alert groups, with single-item conditional
 * writes only (so it works alike on SQLite and DynamoDB, with no transactions).
 *
 * A group's write records, inside the group's own record, the digests of the events it
 * applied (`applying`): the state change and the proof of it are one atomic write. Once a
 * write has landed, a marker item per (group, event) is written too (idempotent), and a
 * later write of the group drops from `applying` the digests whose markers exist, writing
 * any that are missing (a writer that crashed in between) before dropping them. So an
 * event has been applied to a group exactly when its digest is in the group's `applying`
 * or its marker exists; a writer reads the group first, then the markers, and writes on
 * the condition that the group's version has not moved, which closes every interleaving.
 * `applying` holds at most the events of the last few writes, whatever the group's rate.
 */
import { createHash } from 'node:crypto';

/** A group's record and markers name an applied event by this digest of (fingerprint, input key): 22 characters, 128 bits. */
export function appliedDigest(fingerprint: string, inputKey: string): string {
  return createHash('sha256').update(`${fingerprint}\u0000${inputKey}`).digest('base64url').slice(0, 22);
}

/** The processed-input key of the marker that says an event was applied to a group. */
export function appliedMarker(digest: string): string {
  return `applied:${digest}`;
}
