import type { GroupRecord, StateStore } from '../store/types';
import { decodeGroupData, encodeGroupData, pendingSince, type GroupData } from './group-data';

/** How often a read-modify-write is retried when another writer got there first. */
export const MAX_WRITE_ATTEMPTS = 8;

/**
 * Read-modify-write of one group under optimistic concurrency: `change` sees the current
 * data and returns true to write it back; on a conflict the record is read again and
 * `change` runs again on the fresh data. Returns the written record, or undefined when
 * there was no record or `change` declined. `latest`, a record the caller just read or wrote,
 * saves the first read (a stale one only costs a conflict and a read).
 */
export async function mutateGroup(
  store: StateStore,
  fingerprint: string,
  change: (data: GroupData, record: GroupRecord) => boolean,
  latest?: GroupRecord,
  /** Told the record `change` declined (unchanged, as stored): the caller's next write can start from it. */
  declined?: (record: GroupRecord) => void,
): Promise<{ record: GroupRecord; data: GroupData } | undefined> {
  let known = latest;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const handedIn = known !== undefined;
    const current = known ?? (await store.getGroup(fingerprint));
    known = undefined;
    if (current === undefined) return undefined;
    // `change` edits a copy when the record handed in may still be the caller's, or a declined one is reported as stored.
    const record = handedIn || declined !== undefined ? { ...current, data: structuredClone(current.data) } : current;
    const data = decodeGroupData(fingerprint, record.data);
    if (!change(data, record)) {
      declined?.(current);
      return undefined;
    }
    const next = withPendingSince({ ...record, data: encodeGroupData(data) }, data);
    const written = await store.putGroup(withoutVersion(next), record.version);
    if (written !== undefined) return { record: written, data };
  }
  throw new Error(`state store: gave up updating group ${fingerprint} after ${MAX_WRITE_ATTEMPTS} conflicting writes`);
}

/** The record with the outbox field that its data calls for: every write of a group keeps the outbox index true. */
export function withPendingSince<R extends Omit<GroupRecord, 'version'>>(record: R, data: GroupData): R {
  const since = pendingSince(data);
  const next = { ...record };
  if (since === undefined) delete next.pendingSince;
  else next.pendingSince = since;
  return next;
}

export function withoutVersion(record: GroupRecord): Omit<GroupRecord, 'version'> {
  const rest: Partial<GroupRecord> & Omit<GroupRecord, 'version'> = { ...record };
  delete rest.version;
  return rest;
}
