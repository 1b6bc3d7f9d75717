/**
 * Brings a group's Slack messages up to date: posts the ones not yet posted (claiming each
 * first, so that two invocations racing on one alert post it once), and updates the ones
 * whose count or state changed, at most once each per call.
 */
import type { Silence, StateStore } from '../store/types';
import { currentMessage, decodeGroupData, displayAlert, type GroupData, type MessageRecord } from './group-data';
import { mutateGroup } from './mutate-group';
import type { AlertView, Notifier } from './notifier';
import { silenceFor } from './silences';

/** How long a claim to post a message holds; a crashed poster's claim lapses after it. */
export const POST_CLAIM_MS = 60_000;

export interface DeliveryContext {
  store: StateStore;
  notifier: Notifier;
  /** Names this invocation in claims. */
  invocationId: string;
  now: () => number;
}

export interface DeliveryCounts {
  posted: number;
  updated: number;
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

/** A digest of what a view shows; a message whose `shown` differs needs an update. */
export function viewDigest(view: AlertView): string {
  const { alert, status } = view;
  const { acknowledged, silenced } = status;
  return [alert.count, alert.lastSeen, alert.severity, status.suppressed ?? '', acknowledged?.at ?? '', acknowledged?.by ?? '', silenced?.id ?? '', silenced?.until ?? '', silenced?.wholeRule ?? ''].join('|');
}

/**
 * Delivers what one group's messages need. Throws when Slack fails for good, leaving the
 * record as it was (an unposted message stays unposted, its claim lapses), so a retry of the
 * batch delivers it then.
 */
export async function deliverGroup(ctx: DeliveryContext, fingerprint: string, silences: readonly Silence[]): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { posted: 0, updated: 0 };
  const record = await ctx.store.getGroup(fingerprint);
  if (record === undefined) return counts;
  const sequences = decodeGroupData(fingerprint, record.data).messages.map((m) => m.alert.sequence);
  for (const sequence of sequences) {
    const delivered = await deliverMessage(ctx, fingerprint, record.rule, sequence, silences);
    if (delivered === 'posted') counts.posted++;
    if (delivered === 'updated') counts.updated++;
  }
  await mutateGroup(ctx.store, fingerprint, pruneDelivered);
  return counts;
}

async function deliverMessage(ctx: DeliveryContext, fingerprint: string, rule: string, sequence: number, silences: readonly Silence[]): Promise<'posted' | 'updated' | undefined> {
  const silence = silenceFor(silences, rule, fingerprint, ctx.now());
  const find = (data: GroupData) => data.messages.find((m) => m.alert.sequence === sequence);

  let claimed: { message: MessageRecord; view: AlertView } | undefined;
  const claim = await mutateGroup(ctx.store, fingerprint, (data) => {
    const message = find(data);
    if (message === undefined || message.silenced !== undefined || message.ts !== undefined) return false;
    const now = ctx.now();
    if (message.claim !== undefined && message.claim.until > now && message.claim.by !== ctx.invocationId) return false;
    message.claim = { by: ctx.invocationId, until: now + POST_CLAIM_MS };
    claimed = { message, view: messageView(data, message, silence) };
    return true;
  });
  if (claim !== undefined && claimed !== undefined) {
    const { message, view } = claimed;
    const posted = await ctx.notifier.post(message.channel, view);
    await mutateGroup(ctx.store, fingerprint, (data) => {
      const stored = find(data);
      if (stored === undefined) return false;
      stored.ts = posted.ts;
      stored.channel = posted.channel;
      stored.shown = viewDigest(view);
      delete stored.claim;
      return true;
    });
    return 'posted';
  }

  const record = await ctx.store.getGroup(fingerprint);
  if (record === undefined) return undefined;
  const data = decodeGroupData(fingerprint, record.data);
  const message = find(data);
  if (message?.ts === undefined) return undefined;
  const view = messageView(data, message, silence);
  const digest = viewDigest(view);
  if (message.shown === digest) return undefined;
  await ctx.notifier.update(message.channel, message.ts, view);
  await mutateGroup(ctx.store, fingerprint, (fresh) => {
    const stored = find(fresh);
    if (stored === undefined || stored.shown === digest) return false;
    stored.shown = digest;
    return true;
  });
  return 'updated';
}

/**
 * Drops messages that can no longer change: older alerts held back by a silence, and older
 * posted messages showing their final count. The last record (the engine's open alert) and
 * the current message stay.
 */
function pruneDelivered(data: GroupData): boolean {
  const last = data.messages.at(-1);
  const current = currentMessage(data);
  const done = (m: MessageRecord) => m.silenced !== undefined || (m.ts !== undefined && m.shown === viewDigest(messageView(data, m, undefined)));
  const next = data.messages.filter((m) => m === last || m === current || !done(m));
  if (next.length === data.messages.length) return false;
  data.messages = next;
  return true;
}
