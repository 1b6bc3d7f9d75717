/**
 * Reading past CloudTrail events with LookupEvents. LookupEvents takes one lookup attribute
 * per call, so each event name is its own query, paginated with NextToken; and AWS allows
 * it 2 requests per second per account and region, so calls are paced (on an injectable
 * clock, so that tests do not wait) and a ThrottlingException is retried with backoff.
 */
import { LookupEventsCommand, type CloudTrailClient, type Event as TrailEvent, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';

import { isThrottling } from './errors';

export type { TrailEvent };

/** Time as the pacing sees it: the system clock, or a test's fake one. */
export interface PaceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: PaceClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** LookupEvents is limited to 2 requests per second per account and region: one call every 500 ms. */
export const LOOKUP_EVENTS_INTERVAL_MS = 500;
/** Retries of a throttled call, waiting 1 s, 2 s, 4 s, 8 s and 16 s. */
export const THROTTLE_RETRIES = 5;
export const THROTTLE_BACKOFF_MS = 1_000;
/** The most LookupEvents returns per page. */
export const LOOKUP_PAGE_SIZE = 50;

export interface TrailQuery {
  /** One query per name (LookupAttribute EventName). */
  eventNames: readonly string[];
  startTime: Date;
  endTime: Date;
}

export interface TrailPage {
  eventName: string;
  events: TrailEvent[];
}

export interface TrailReadOptions {
  clock?: PaceClock;
  /** Least time between the starts of two calls (default LOOKUP_EVENTS_INTERVAL_MS). */
  intervalMs?: number;
  retries?: number;
  backoffMs?: number;
  /** Told before each wait after a throttled call. */
  onThrottled?: (waitMs: number, attempt: number) => void;
}

/** Spaces calls at least `intervalMs` apart, start to start. */
export class Pacer {
  private last: number | undefined;

  constructor(
    private readonly clock: PaceClock,
    private readonly intervalMs: number,
  ) {}

  async wait(): Promise<void> {
    if (this.last !== undefined) {
      const due = this.last + this.intervalMs - this.clock.now();
      if (due > 0) await this.clock.sleep(due);
    }
    this.last = this.clock.now();
  }
}

/**
 * The pages of LookupEvents for each event name in turn, every call paced and a throttled
 * call retried with exponential backoff (after the last retry the error is thrown). Other
 * AWS errors are thrown as the SDK throws them.
 */
export async function* trailEventPages(client: CloudTrailClient, query: TrailQuery, options: TrailReadOptions = {}): AsyncGenerator<TrailPage> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const pacer = new Pacer(clock, options.intervalMs ?? LOOKUP_EVENTS_INTERVAL_MS);
  const retries = options.retries ?? THROTTLE_RETRIES;
  const backoffMs = options.backoffMs ?? THROTTLE_BACKOFF_MS;
  for (const eventName of query.eventNames) {
    let token: string | undefined;
    do {
      const command = new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
        StartTime: query.startTime,
        EndTime: query.endTime,
        MaxResults: LOOKUP_PAGE_SIZE,
        ...(token === undefined ? {} : { NextToken: token }),
      });
      const page = await sendWithRetries(client, command, pacer, clock, { retries, backoffMs, onThrottled: options.onThrottled });
      yield { eventName, events: page.Events ?? [] };
      token = page.NextToken === token ? undefined : page.NextToken;
    } while (token !== undefined && token !== '');
  }
}

/** One call, paced; a throttled call is retried after 1 s, 2 s, 4 s… until `retries` are used up. */
async function sendWithRetries(
  client: CloudTrailClient,
  command: LookupEventsCommand,
  pacer: Pacer,
  clock: PaceClock,
  options: { retries: number; backoffMs: number; onThrottled?: (waitMs: number, attempt: number) => void },
): Promise<LookupEventsCommandOutput> {
  for (let attempt = 0; ; attempt++) {
    await pacer.wait();
    try {
      return await client.send(command);
    } catch (err) {
      if (!isThrottling(err) || attempt >= options.retries) throw err;
      const wait = options.backoffMs * 2 ** attempt;
      options.onThrottled?.(wait, attempt + 1);
      await clock.sleep(wait);
    }
  }
}

/**
 * Drops events already seen, by EventId: a page boundary that moved while new events came
 * in can return an event twice, and the same event must never count twice.
 */
export class TrailEventDedupe {
  private readonly seen = new Set<string>();
  duplicates = 0;

  fresh(events: readonly TrailEvent[]): TrailEvent[] {
    const out: TrailEvent[] = [];
    for (const event of events) {
      const key = event.EventId ?? event.CloudTrailEvent;
      if (key !== undefined && this.seen.has(key)) {
        this.duplicates++;
        continue;
      }
      if (key !== undefined) this.seen.add(key);
      out.push(event);
    }
    return out;
  }
}
