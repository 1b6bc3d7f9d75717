/**
 * Idempotency keys for input events: the same input delivered twice (a Lambda retry re-sends
 * the whole batch) must count and post nothing twice.
 *
 * A CloudWatch Logs event id or a CloudTrail/EventBridge event id names a record across
 * deliveries (a CloudTrail event by its own eventID, whichever way it came); where there is none (a local file, a WAF record read from disk) the content
 * is hashed. One record can give several events (`message repeated 5 times`), and identical
 * records can legitimately occur, so each key carries its occurrence number: the n-th event
 * with the same base key gets `#n`, which a retry of the same input reproduces.
 *
 * An id names its record wherever the record turns up: when the caller marks where each
 * record's events begin (`record()`), events with an id are numbered within their record, so
 * a record delivered twice in one batch (CloudWatch Logs delivers at least once; a CloudTrail
 * event may come from two log groups) gets the same keys both times, and counts once.
 */
import { createHash } from 'node:crypto';
import type { KlaxonEvent } from '../events/event';

export class InputKeys {
  private readonly seen = new Map<string, number>();
  /** Occurrences of id keys within the current record, when records are marked. */
  private inRecord: Map<string, number> | undefined;

  /** The events that follow, up to the next call, are one input record's (a log event, a CloudTrail record, an EventBridge event). */
  record(): void {
    this.inRecord = new Map();
  }

  /** The key for the next event; call once per event, in input order. */
  next(event: KlaxonEvent): string {
    const base = baseKey(event);
    const counts = this.inRecord !== undefined && !base.startsWith(HASHED) ? this.inRecord : this.seen;
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    return `${base}#${n}`;
  }
}

/** The prefix of keys hashed from content: without an id, identical records are told apart by their order in the stream. */
const HASHED = 'h:';

function baseKey(event: KlaxonEvent): string {
  const eventId = event.fields['event.id'];
  const hasEventId = typeof eventId === 'string' && eventId !== '';
  // A CloudTrail event can arrive twice by different roads (a trail's log group and EventBridge): its own id names it on both.
  if (hasEventId && event.source === 'cloudtrail') return `id:cloudtrail:${eventId}`;
  const logEventId = event.fields['aws.cloudwatch.event_id'];
  if (typeof logEventId === 'string' && logEventId !== '') return `cw:${logEventId}`;
  if (hasEventId) return `id:${event.source}:${eventId}`;
  const original = event.fields['event.original'];
  const content = typeof original === 'string' ? original : JSON.stringify(event.fields);
  return `${HASHED}${createHash('sha256').update(`${event.source}\n${event.timestamp}\n${content}`).digest('hex').slice(0, 32)}`;
}
