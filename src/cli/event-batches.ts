/**
 * Feeds events read from files to the lifecycle in batches, one batch at a time: the reader
 * calls `add` per parsed chunk and awaits what it returns, so reading waits while a batch is
 * delivered. Keys come from one `InputKeys` for the whole run, so that a file processed
 * again (the same `klaxon run` twice) posts nothing twice.
 */
import { InputKeys } from '../alerts/input-keys';
import { emptyReport, type AlertLifecycle, type BatchReport } from '../alerts/lifecycle';
import type { KlaxonEvent } from '../events/event';

/** Events per lifecycle batch when reading files: about what one CloudWatch Logs delivery holds. */
export const RUN_BATCH_EVENTS = 2_000;

export class EventBatches {
  readonly totals: BatchReport = emptyReport();
  private readonly keys = new InputKeys();
  private events: KlaxonEvent[] = [];
  private eventKeys: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Told of every batch's report as it ends (say what Slack refused while a follower runs). */
  onReport: (report: BatchReport) => void = () => undefined;

  constructor(
    private readonly lifecycle: AlertLifecycle,
    private readonly batchSize: number = RUN_BATCH_EVENTS,
  ) {}

  /** Queues events; returns a promise when a batch was started, to be awaited before reading on. */
  add(events: readonly KlaxonEvent[]): Promise<void> | undefined {
    for (const event of events) {
      this.events.push(event);
      this.eventKeys.push(this.keys.next(event));
    }
    return this.events.length >= this.batchSize ? this.flush() : undefined;
  }

  /** Processes what is queued; resolves when every batch so far is done, rejects with the first failure. */
  flush(): Promise<void> {
    if (this.events.length > 0) {
      const events = this.events;
      const keys = this.eventKeys;
      this.events = [];
      this.eventKeys = [];
      this.chain = this.chain.then(async () => this.count(await this.lifecycle.processBatch(events, keys)));
    }
    return this.chain;
  }

  private count(report: BatchReport): void {
    this.onReport(report);
    const { failure, ...counts } = report;
    for (const key of Object.keys(counts) as Array<keyof typeof counts>) this.totals[key] += counts[key];
    if (failure !== undefined) this.totals.failure = failure;
  }
}
