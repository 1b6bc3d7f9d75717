/**
 * Brings a group's Slack messages up to date from the outbox the group record holds: posts
 * the ones not yet posted and updates the ones Slack shows out of date, each under a claim so
 * that two invocations never send the same message at once.
 *
 * One claim covers one attempt (one request, with a timeout): a failure that provably did not
 * reach Slack releases the claim at once and schedules the next try (backoff, or Slack's
 * Retry-After up to a cap); a failure of unknown outcome, or a claim that lapsed with no ts
 * recorded, marks the post `unsure`, and the next attempt first looks for the message in the
 * channel (by its metadata) instead of posting blindly. A message Slack refuses is tried once
 * in the minimal rendering, then parked with its reason; it never holds up the others.
 */
import type { GroupRecord, Silence, StateStore } from '../store/types';
import { currentMessage, decodeGroupData, displayAlert, type GroupData, type MessageRecord } from './group-data';
import { mutateGroup } from './mutate-group';
import { asDeliveryFailure, type AlertView, type DeliveryFailure, type Notifier } from './notifier';
import { silenceFor } from './silences';

/** How long a claim holds: far longer than one attempt (a request times out after seconds), so a live claim is a live attempt. */
export const POST_CLAIM_MS = 60_000;
/** Default least time between two updates of one message that only change its counts (acknowledgements and silences show at once). */
export const DEFAULT_UPDATE_INTERVAL_MS = 30_000;
/** A Retry-After is honoured up to this; a longer one is cut to it. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;
/** Backoff after failures: the first retry may come at once (the next drain or Lambda retry), then 1 s, doubling, at most a minute. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** How far before an unsure attempt a lookup for its message starts (clock skew between Klaxon and Slack). */
const LOOKUP_MARGIN_MS = 5 * 60_000;

export interface DeliveryContext {
  store: StateStore;
  notifier: Notifier;
  /** Names this invocation in claims. */
  invocationId: string;
  now: () => number;
  /** Least time between count-only updates of one message (default {@link DEFAULT_UPDATE_INTERVAL_MS}). */
  updateIntervalMs?: number;
  /** How long a claim holds (default {@link POST_CLAIM_MS}); it must outlast one request to Slack. */
  claimMs?: number;
}

export interface DeliveryCounts {
  posted: number;
  updated: number;
  /** Messages of the group still waiting for Slack after this call. */
  waiting: number;
  /** Messages Slack refused for good in this call. */
  parked: number;
  /** The last failure of this call, if any. */
  failure?: DeliveryFailure;
}

/** The view of a message: only the group's current message shows acknowledgement and silence. */
export function messageView(data: GroupData, message: MessageRecord, silence: Silence | undefined): AlertView {
  const isCurrent = currentMessage(data) === message;
  const view: AlertView = { alert: displayAlert(message), status: {} };
  if (message.suppressedBefore !== undefined && message.suppressedBefore > 0) view.status.suppressed = message.suppressedBefore;
  if (isCurrent && data.acknowledged !== undefined) view.status.acknowledged = data.acknowledged;
  if (isCurrent && silence !== undefined) {
    view.status.silenced = { id: silence.id, until: silence.until, by: silence.createdBy, wholeRule: silence.fingerprint === undefined };
  }
  return view;
}

/** A digest of what a view shows, `counts#state`; a message whose `shown` differs needs an update. */
export function viewDigest(view: AlertView): string {
  const { alert, status } = view;
  return `${[alert.count, alert.lastSeen, alert.severity, status.suppressed ?? ''].join('|')}#${stateDigest(view)}`;
}

/** The part of the digest a person acts on (acknowledgement, silence): a change there is shown at once. */
function stateDigest(view: AlertView): string {
  const { acknowledged, silenced } = view.status;
  return [acknowledged?.at ?? '', acknowledged?.by ?? '', silenced?.id ?? '', silenced?.until ?? '', silenced?.wholeRule ?? ''].join('|');
}

/**
 * Delivers what one group's messages need, never throwing for Slack: a message that could
 * not go out stays in the outbox (the group's `pendingSince`) with its next attempt time.
 * `force` ignores backoff (a person just clicked a button).
 */
export async function deliverGroup(ctx: DeliveryContext, fingerprint: string, silences: readonly Silence[], force = false, latest?: GroupRecord): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { posted: 0, updated: 0, waiting: 0, parked: 0 };
  const record = latest ?? (await ctx.store.getGroup(fingerprint));
  if (record === undefined) return counts;
  const cursor: Cursor = { fingerprint, record, stale: false };
  const order = deliveryOrder(decodeGroupData(fingerprint, record.data).messages).map((m) => m.alert.sequence);
  for (const sequence of order) {
    const outcome = await deliverMessage(ctx, cursor, record.rule, sequence, silences, force);
    if (outcome === 'posted') counts.posted++;
    else if (outcome === 'updated') counts.updated++;
    else if (outcome !== undefined) {
      counts.failure = outcome.failure;
      if (outcome.parked) counts.parked++;
    }
  }
  const last = cursor.stale ? await ctx.store.getGroup(fingerprint) : cursor.record;
  if (last === undefined) return counts;
  const data = decodeGroupData(fingerprint, last.data);
  const final = pruneDelivered(data) ? ((await mutateGroup(ctx.store, fingerprint, pruneDelivered, last))?.data ?? data) : data;
  counts.waiting = final.messages.filter((m) => m.due !== undefined && m.silenced === undefined && m.parked === undefined).length;
  return counts;
}

/** The group as this delivery last wrote it: the next write starts from it instead of reading again. */
interface Cursor {
  fingerprint: string;
  record: GroupRecord;
  /** A write declined after a conflict may have seen a newer version than `record`: read afresh. */
  stale: boolean;
}

/**
 * A read-modify-write starting from the cursor, which then holds what was written, or the
 * current record when `change` declined (nothing was due): no read is needed after either.
 */
async function write(ctx: DeliveryContext, cursor: Cursor, change: (data: GroupData) => boolean): Promise<boolean> {
  let current: GroupRecord | undefined;
  const written = await mutateGroup(ctx.store, cursor.fingerprint, change, cursor.stale ? undefined : cursor.record, (record) => (current = record));
  if (written === undefined) {
    if (current === undefined) cursor.stale = true;
    else {
      cursor.record = current;
      cursor.stale = false;
    }
    return false;
  }
  cursor.record = written.record;
  cursor.stale = false;
  return true;
}

interface Attempt {
  /** Names this attempt in its claim: unique even between two deliveries of one process (a batch and the background drain). */
  token: string;
  kind: 'post' | 'update';
  channel: string;
  ts?: string;
  view: AlertView;
  digest: string;
  claimedAt: number;
  unsure?: number;
  fallback: boolean;
}

/** Numbers this process's attempts, for their claim tokens. */
let attemptCount = 0;

/** What one message's delivery came to: sent, nothing due (or someone else on it), or a failure (parked: for good). */
type Outcome = 'posted' | 'updated' | { failure: DeliveryFailure; parked: boolean } | undefined;

/**
 * What a delivery does with one message, editing it in `data`: claims it for an attempt when
 * Slack is owed something now (`attempt`), or clears an owed update already shown. `changed`:
 * the message was edited and must be written back.
 */
function claimMessage(ctx: DeliveryContext, data: GroupData, message: MessageRecord, silence: Silence | undefined, force: boolean): { changed: boolean; attempt?: Attempt } {
  const now = ctx.now();
  const view = messageView(data, message, silence);
  const digest = viewDigest(view);
  if (message.ts !== undefined && message.shown === digest) {
    // Shown as it is: nothing is owed.
    if (message.due === undefined) return { changed: false };
    delete message.due;
    return { changed: true };
  }
  message.due ??= now;
  const declined = { changed: false };
  if (message.claim !== undefined && message.claim.until > now) return declined;
  if (!force && message.retryAt !== undefined && message.retryAt > now) return declined;
  const stateChanged = message.shown?.split('#')[1] !== stateDigest(view);
  const interval = ctx.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
  if (!force && message.ts !== undefined && !stateChanged && message.sentAt !== undefined && now - message.sentAt < interval) return declined;
  // A lapsed claim on an unposted message: its poster vanished mid-post, which may have landed.
  if (message.ts === undefined && message.claim !== undefined && message.claim.until <= now) message.unsure ??= message.claim.at ?? message.claim.until - POST_CLAIM_MS;
  const token = `${ctx.invocationId}#${++attemptCount}`;
  message.claim = { by: token, until: now + (ctx.claimMs ?? POST_CLAIM_MS), at: now };
  const attempt: Attempt = {
    token,
    kind: message.ts === undefined ? 'post' : 'update',
    channel: message.channel,
    ...(message.ts === undefined ? {} : { ts: message.ts }),
    view,
    digest,
    claimedAt: now,
    ...(message.unsure === undefined ? {} : { unsure: message.unsure }),
    fallback: message.fallback === true,
  };
  return { changed: true, attempt };
}

/**
 * Claims taken inside a write made for another reason (a group's commit: see
 * {@link claimInWrite}), by token, until a delivery of this process takes them up and sends
 * without writing the claim again. Lost with the process: the claims then lapse, and the
 * next claimer looks for the message in Slack before posting.
 */
const heldClaims = new Map<string, { attempt: Attempt; until: number }>();

/**
 * Claims, in `data` that the caller is about to write, every message of the group that a
 * delivery would send now: the claim rides on that write instead of costing one of its own.
 * Call the returned function once the write has landed; the next delivery of the group in
 * this process then sends at once.
 */
export function claimInWrite(ctx: DeliveryContext, data: GroupData, rule: string, fingerprint: string, silences: readonly Silence[]): () => void {
  const silence = silenceFor(silences, rule, fingerprint, ctx.now());
  const attempts: Attempt[] = [];
  for (const message of deliveryOrder(data.messages)) {
    if (message.silenced !== undefined || message.parked !== undefined) continue;
    const { attempt } = claimMessage(ctx, data, message, silence, false);
    if (attempt !== undefined) attempts.push(attempt);
  }
  return () => {
    const now = ctx.now();
    // Claims never taken up (the delivery failed before reaching them) are forgotten when they lapse.
    for (const [token, held] of heldClaims) if (held.until <= now) heldClaims.delete(token);
    for (const attempt of attempts) heldClaims.set(attempt.token, { attempt, until: attempt.claimedAt + (ctx.claimMs ?? POST_CLAIM_MS) });
  };
}

/** The attempt of the message's claim if this process took it inside another write and has not sent under it yet: taken once. */
function takeHeldClaim(message: MessageRecord): Attempt | undefined {
  const token = message.claim?.by;
  const held = token === undefined ? undefined : heldClaims.get(token);
  if (token !== undefined) heldClaims.delete(token);
  return held?.attempt;
}

/** New alerts go out before updates of older ones. */
function deliveryOrder(messages: readonly MessageRecord[]): MessageRecord[] {
  return [...messages.filter((m) => m.ts === undefined), ...messages.filter((m) => m.ts !== undefined)];
}

async function deliverMessage(ctx: DeliveryContext, cursor: Cursor, rule: string, sequence: number, silences: readonly Silence[], force: boolean): Promise<Outcome> {
  const { fingerprint } = cursor;
  const silence = silenceFor(silences, rule, fingerprint, ctx.now());
  const find = (data: GroupData) => data.messages.find((m) => m.alert.sequence === sequence);

  // At most two attempts: the full rendering, then (after a refusal) the minimal one.
  for (let round = 0; round < 2; round++) {
    let attempt: Attempt | undefined;
    await write(ctx, cursor, (data) => {
      attempt = undefined;
      const message = find(data);
      if (message === undefined || message.silenced !== undefined || message.parked !== undefined) return false;
      const held = takeHeldClaim(message);
      if (held !== undefined) {
        // Claimed already, in the write that made the message due: send without writing.
        if ((message.claim?.until ?? 0) > ctx.now()) {
          attempt = held;
          return false;
        }
        // That claim lapsed before its delivery came: nothing was sent under it, so there is nothing to look for.
        delete message.claim;
      }
      const claimed = claimMessage(ctx, data, message, silence, force);
      attempt = claimed.attempt;
      return claimed.changed;
    });
    if (attempt === undefined) return undefined;

    let placed: { channel: string; ts: string } | undefined;
    try {
      placed = await send(ctx, attempt);
    } catch (error) {
      const failure = asDeliveryFailure(error);
      const refusedInFull = failure.kind === 'refused' && !attempt.fallback;
      await recordFailure(ctx, cursor, attempt, failure, find);
      if (!refusedInFull) return { failure, parked: failure.kind === 'refused' };
      continue;
    }
    // Slack has it. A store failure from here on is not a delivery failure: it propagates, the claim stays and lapses, and the next attempt finds the post instead of sending it again.
    await recordSent(ctx, cursor, attempt, placed, silence, find);
    return attempt.kind === 'post' ? 'posted' : 'updated';
  }
  return undefined;
}

/** The attempt's request: a lookup first when an earlier post may have landed, then the post (its place in Slack) or the update. */
async function send(ctx: DeliveryContext, attempt: Attempt): Promise<{ channel: string; ts: string } | undefined> {
  const { notifier } = ctx;
  if (attempt.kind === 'update') {
    await notifier.update(attempt.channel, attempt.ts as string, attempt.view, { fallback: attempt.fallback });
    return undefined;
  }
  const found = attempt.unsure === undefined ? undefined : await notifier.find(attempt.channel, attempt.unsure - LOOKUP_MARGIN_MS, attempt.view.alert);
  return found ?? (await notifier.post(attempt.channel, attempt.view, { fallback: attempt.fallback }));
}

/** Records what Slack now shows, and releases the claim. */
async function recordSent(ctx: DeliveryContext, cursor: Cursor, attempt: Attempt, placed: { channel: string; ts: string } | undefined, silence: Silence | undefined, find: (data: GroupData) => MessageRecord | undefined): Promise<void> {
  await write(ctx, cursor, (data) => {
    const stored = find(data);
    if (stored === undefined) return false;
    // A post recorded by another invocation first (its claim lapsed while it was still sending) keeps its ts.
    if (placed !== undefined && stored.ts === undefined) {
      stored.ts = placed.ts;
      stored.channel = placed.channel;
    }
    stored.shown = attempt.digest;
    stored.sentAt = ctx.now();
    // Still owed only if the alert changed while this attempt was under way.
    if (viewDigest(messageView(data, stored, silence)) === attempt.digest) delete stored.due;
    if (stored.claim?.by === attempt.token) delete stored.claim;
    for (const field of ['unsure', 'retryAt', 'failures', 'lastError'] as const) delete stored[field];
    return true;
  });
}

/** Releases the claim and schedules what comes next: a retry after backoff, a lookup before re-posting, the minimal rendering, or parking. */
async function recordFailure(ctx: DeliveryContext, cursor: Cursor, attempt: Attempt, failure: DeliveryFailure, find: (data: GroupData) => MessageRecord | undefined): Promise<void> {
  await write(ctx, cursor, (data) => {
    const stored = find(data);
    if (stored === undefined || stored.ts !== undefined && attempt.kind === 'post') return false;
    const now = ctx.now();
    if (stored.claim?.by === attempt.token) delete stored.claim;
    stored.failures = (stored.failures ?? 0) + 1;
    stored.lastError = failure.message;
    if (failure.kind === 'refused') {
      if (attempt.fallback) stored.parked = { reason: failure.code, at: now };
      else stored.fallback = true;
      delete stored.retryAt;
      return true;
    }
    if (failure.kind === 'unsure' && attempt.kind === 'post') stored.unsure ??= attempt.claimedAt;
    stored.retryAt = now + retryDelay(stored.failures, failure.retryAfterMs);
    return true;
  });
}

/** Slack's Retry-After (capped), else exponential backoff with jitter. */
export function retryDelay(failures: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  if (failures <= 1) return 0;
  const backoff = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 2), BACKOFF_MAX_MS);
  return Math.round(backoff * (0.75 + Math.random() / 2));
}

/**
 * Drops messages that can no longer change: older alerts held back by a silence, and older
 * posted messages showing their final count. The last record (the engine's open alert) and
 * the current message stay.
 */
function pruneDelivered(data: GroupData): boolean {
  const last = data.messages.at(-1);
  const current = currentMessage(data);
  const done = (m: MessageRecord) => m.silenced !== undefined || (m.ts !== undefined && m.due === undefined && m.shown === viewDigest(messageView(data, m, undefined)));
  const next = data.messages.filter((m) => m === last || m === current || !done(m));
  if (next.length === data.messages.length) return false;
  data.messages = next;
  return true;
}
