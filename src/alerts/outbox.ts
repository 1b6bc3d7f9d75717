/**
 * What waits in the outbox, as a person wants to know it: how many messages, since when,
 * when the next attempt is, and why the last one failed. (Messages Slack refused for good
 * are parked, out of the outbox: the batch and drain reports count them.)
 */
import type { StateStore } from '../store/types';
import { decodeGroupData } from './group-data';

export interface OutboxStatus {
  /** Messages owed a post or an update. */
  waiting: number;
  /** How many of them were never posted. */
  unposted: number;
  /** The earliest `due` among them (epoch ms). */
  oldest?: number;
  /** The earliest time one of them may be tried again, as backoff or Slack's Retry-After allow (epoch ms); undefined: now. */
  nextAttempt?: number;
  /** How many of them another invocation is sending right now (a live claim): they are settled within seconds. */
  claimed: number;
  lastError?: string;
}

export async function outboxStatus(store: StateStore, now: number): Promise<OutboxStatus> {
  const status: OutboxStatus = { waiting: 0, unposted: 0, claimed: 0 };
  let nextAttempt = Infinity;
  let lastErrorAt = -Infinity;
  for (const record of await store.listPendingGroups(now)) {
    const data = decodeGroupData(record.fingerprint, record.data);
    for (const m of data.messages) {
      if (m.silenced !== undefined || m.parked !== undefined || m.due === undefined) continue;
      status.waiting++;
      if (m.ts === undefined) status.unposted++;
      if (status.oldest === undefined || m.due < status.oldest) status.oldest = m.due;
      if (m.claim !== undefined && m.claim.until > now) status.claimed++;
      else nextAttempt = Math.min(nextAttempt, Math.max(m.retryAt ?? now, now));
      if (m.lastError !== undefined && m.due >= lastErrorAt) {
        status.lastError = m.lastError;
        lastErrorAt = m.due;
      }
    }
  }
  if (nextAttempt !== Infinity && nextAttempt > now) status.nextAttempt = nextAttempt;
  return status;
}
