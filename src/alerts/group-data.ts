/**
 * What the lifecycle keeps per alert group in the state store: the engine's threshold window
 * and open alert, the group's Slack messages (posted, or waiting to be), its
 * acknowledgement, and the events counted while it was silenced.
 */
import type { Alert } from '../engine/alert';
import type { GroupSnapshot } from '../engine/engine';
import type { KlaxonEvent } from '../events/event';
import type { JsonObject } from '../store/types';

export const GROUP_DATA_VERSION = 1;

/** One Slack message of a group: the alert it shows, and how far its delivery got. */
export interface MessageRecord {
  /** The engine's alert (matched by `sequence`); its count grows while the alert is open. */
  alert: Alert;
  /** Counts of earlier alerts folded into this message while it was acknowledged (it stops re-notifying). */
  folded?: { count: number; firstSeen: number };
  /** Where to post; after posting, the channel id Slack answered with (chat.update needs the id). */
  channel: string;
  /** Slack's message ts, once posted. */
  ts?: string;
  /** What the message shows now (see `shownDigest`); differs from the wanted digest when an update is due. */
  shown?: string;
  /**
   * An invocation is posting or updating this message: others leave it alone until `until`
   * (epoch ms). `at` is when the attempt began. A claim outlives one attempt (one request with
   * a timeout), so a claim that lapsed with no ts recorded means its poster vanished mid-post.
   */
  claim?: { by: string; until: number; at?: number };
  /** Since when Slack has owed this message a post or an update (epoch ms): the outbox. */
  due?: number;
  /** A post whose outcome is unknown began here (epoch ms): before posting again, the channel is searched for it. */
  unsure?: number;
  /** Not tried again before this time (epoch ms): backoff after a failure, or Slack's Retry-After. */
  retryAt?: number;
  /** Failed attempts since the last success. */
  failures?: number;
  /** The last failure, as the user is told it. */
  lastError?: string;
  /** Slack refused the full rendering: the minimal one is sent instead. */
  fallback?: boolean;
  /** Slack refused even the minimal rendering: not tried again, reported. */
  parked?: { reason: string; at: number };
  /** When the message was last posted or updated (epoch ms): updates that only change counts wait for the update interval. */
  sentAt?: number;
  /** Held back by a silence: counted into the group's `suppressed`, not posted. */
  silenced?: { counted: number };
  /** Events suppressed before this message, reported in it. */
  suppressedBefore?: number;
}

export interface GroupData {
  v: typeof GROUP_DATA_VERSION;
  engine: GroupSnapshot;
  /** Oldest first; the last is the group's current message. Delivered older ones are dropped. */
  messages: MessageRecord[];
  acknowledged?: { by: string; at: number };
  /** Matching events counted while silenced and not yet reported in a message. */
  suppressed: number;
  /** Digests of the input events applied to the group, newest last, the oldest spilled to markers (see applied-inputs.ts). */
  applying?: string[];
  /**
   * Written with `applying` by writers that keep it as above: its first digest (a writer
   * that replaced `applying` without knowing this leaves it stale), and when digests were
   * last spilled to markers, while those markers live.
   */
  kept?: { first: string; spilledAt?: number };
}

export function newGroupData(engine: GroupSnapshot): GroupData {
  return { v: GROUP_DATA_VERSION, engine, messages: [], suppressed: 0 };
}

/** Longest event text kept in the store per sample: a group record must stay well under DynamoDB's 400 KB item limit. */
const STORED_SAMPLE_TEXT = 4096;

export function encodeGroupData(data: GroupData): JsonObject {
  const engine: GroupSnapshot = { ...data.engine, window: { ...data.engine.window, samples: data.engine.window.samples.map(compactEvent) } };
  if (engine.open !== undefined) engine.open = { ...engine.open, alert: compactAlert(engine.open.alert) };
  if (engine.sequence !== undefined) engine.sequence = { ...engine.sequence, finals: engine.sequence.finals.map((f) => ({ ...f, event: compactEvent(f.event) })) };
  return { ...data, engine, messages: data.messages.map((m) => ({ ...m, alert: compactAlert(m.alert) })) } as unknown as JsonObject;
}

/** Reads a stored group back; a record written by a newer Klaxon is refused by name rather than misread. */
export function decodeGroupData(fingerprint: string, json: JsonObject): GroupData {
  if (json.v !== GROUP_DATA_VERSION || typeof json.engine !== 'object' || !Array.isArray(json.messages)) {
    throw new Error(`state store: group ${fingerprint} has an unknown layout (v=${String(json.v)}); was it written by a newer Klaxon?`);
  }
  return json as unknown as GroupData;
}

/**
 * The group's current message: the latest one that is (or will be) in Slack. A later alert
 * held back by a silence does not replace it: the posted message keeps showing the
 * group's acknowledgement and silence, and stays reachable for updates and thread replies.
 */
export function currentMessage(data: GroupData): MessageRecord | undefined {
  return data.messages.findLast((m) => m.silenced === undefined);
}

/** Since when the group has had a message waiting for Slack: the earliest `due` among messages not held back by a silence and not parked. */
export function pendingSince(data: GroupData): number | undefined {
  let since: number | undefined;
  for (const m of data.messages) {
    if (m.due === undefined || m.silenced !== undefined || m.parked !== undefined) continue;
    if (since === undefined || m.due < since) since = m.due;
  }
  return since;
}

/** The alert the group's latest message shows (with folded counts), or its open alert. */
export function shownAlert(data: GroupData): Alert | undefined {
  const message = data.messages.at(-1);
  return message === undefined ? data.engine.open?.alert : displayAlert(message);
}

/** The alert as its message shows it: folded earlier counts included. */
export function displayAlert(message: MessageRecord): Alert {
  const { alert, folded } = message;
  if (folded === undefined) return alert;
  return { ...alert, count: alert.count + folded.count, firstSeen: Math.min(alert.firstSeen, folded.firstSeen) };
}

function compactAlert(alert: Alert): Alert {
  return { ...alert, samples: alert.samples.map(compactEvent) };
}

/** Caps long texts and drops a large parsed raw record (a big CloudTrail event): samples only feed the message. */
function compactEvent(event: KlaxonEvent): KlaxonEvent {
  const fields: KlaxonEvent['fields'] = {};
  for (const [key, value] of Object.entries(event.fields)) {
    fields[key] = typeof value === 'string' && value.length > STORED_SAMPLE_TEXT ? value.slice(0, STORED_SAMPLE_TEXT) : value;
  }
  const compact: KlaxonEvent = { timestamp: event.timestamp, source: event.source, fields };
  if (event.raw !== undefined && JSON.stringify(event.raw).length <= 2 * STORED_SAMPLE_TEXT) compact.raw = event.raw;
  return compact;
}
