/**
 * Idempotency keys for input events: the same input delivered twice (a Lambda retry re-sends
 * the whole batch) must count and post nothing twice.
 *
 * A CloudWatch Logs event id or a CloudTrail/EventBridge event id names a record across
 * deliveries (a CloudTrail event by its own eventID, whichever way it came); where there is none (a local file, a WAF record read from disk) the content
 * is hashed. One record can give several events (`message repeated 5 times`), and identical
 * records can legitimately occur, so each key carries its occurrence number: the n-th event
 * with the same base key gets `#n`, which a retry of the same input reproduces.
 */
import { createHash } from 'node:crypto';
import type { KlaxonEvent } from '../events/event';

export class InputKeys {
  private readonly seen = new Map<string, number>();

  /** The key for the next event; call once per event, in input order. */
  next(event: KlaxonEvent): string {
    const base = baseKey(event);
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return `${base}#${n}`;
  }
}

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
  return `h:${createHash('sha256').update(`${event.source}\n${event.timestamp}\n${content}`).digest('hex').slice(0, 32)}`;
}
