/**
 * `klaxon run`'s background delivery: drains the outbox while the run reads and follows its
 * input, so an outage of Slack delays alerts but never stops the run, and says on stderr what
 * waits, since when, and when it went out.
 */
import type { AlertLifecycle, DrainReport } from '../alerts/lifecycle';
import { outboxStatus, type OutboxStatus } from '../alerts/outbox';
import { plural } from '../slack/status';
import type { StateStore } from '../store/types';

/** Drain cadence: soon while something waits, else now and then (another process may have queued work). */
const BUSY_TICK_MS = 500;
const IDLE_TICK_MS = 5_000;
/** How often `settle` looks again at messages another process is sending. */
const CLAIM_POLL_MS = 250;
/** While alerts wait, the reminder on stderr comes at most this often (and whenever their number changes). */
const REMINDER_EVERY_MS = 30_000;

export class OutboxDrainer {
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> = Promise.resolve();
  private stopped = false;
  private waitingSince: number | undefined;
  private lastReminder = 0;
  private lastWaiting = 0;
  /** Messages Slack refused for good during the run. */
  parked = 0;

  constructor(
    private readonly lifecycle: AlertLifecycle,
    private readonly store: StateStore,
    private readonly say: (line: string) => void,
    private readonly where: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drains in the background until `stop`. */
  start(): void {
    this.schedule(0);
  }

  /** Stops the background loop, after the drain under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.tick;
  }

  /**
   * Drains until nothing waits, or until the next attempt would come later than `maxWaitMs`
   * from now (`--once`): returns what still waits.
   */
  async settle(maxWaitMs: number): Promise<OutboxStatus> {
    const deadline = this.now() + maxWaitMs;
    await this.tick;
    for (;;) {
      const status = await this.drainOnce();
      if (status.waiting === 0 || this.now() >= deadline) return status;
      // Messages another process is sending are settled within seconds: look again soon. Otherwise wait for the next attempt, if it comes in time.
      const next = status.nextAttempt ?? this.now();
      if (status.claimed === 0 && next > deadline) return status;
      const pause = status.claimed > 0 ? Math.min(CLAIM_POLL_MS, next - this.now()) : next - this.now();
      await sleep(Math.max(50, Math.min(pause, BUSY_TICK_MS * 4, deadline - this.now())));
    }
  }

  /** One drain, and what it changed, said once. */
  async drainOnce(): Promise<OutboxStatus> {
    const report = await this.lifecycle.drain();
    const status = await outboxStatus(this.store, this.now());
    this.announce(report, status);
    return status;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick = this.drainOnce().then(
        (status) => this.schedule(status.waiting > 0 ? Math.max(BUSY_TICK_MS, Math.min((status.nextAttempt ?? 0) - this.now(), IDLE_TICK_MS)) : IDLE_TICK_MS),
        (error: unknown) => {
          this.say(`the outbox could not be read or written (${error instanceof Error ? error.message : String(error)}); trying again in ${IDLE_TICK_MS / 1000} s`);
          this.schedule(IDLE_TICK_MS);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  private announce(report: DrainReport, status: OutboxStatus): void {
    const now = this.now();
    if (report.parked > 0) {
      this.parked += report.parked;
      this.say(`Slack refused ${plural(report.parked, 'alert message')} for good (${report.failure?.message ?? 'refused'}): parked, the others go on`);
    }
    if (status.waiting > 0) {
      const first = this.waitingSince === undefined;
      this.waitingSince ??= status.oldest ?? now;
      if (first || status.waiting !== this.lastWaiting || now - this.lastReminder >= REMINDER_EVERY_MS) {
        this.lastReminder = now;
        this.lastWaiting = status.waiting;
        const next = status.nextAttempt === undefined ? 'now' : `at ${clock(status.nextAttempt)}`;
        const why = status.lastError === undefined ? '' : ` (${status.lastError})`;
        this.say(`${plural(status.waiting, 'alert message')} waiting for Slack since ${clock(this.waitingSince)}${why}; kept in ${this.where}, next attempt ${next}`);
      }
    } else if (this.waitingSince !== undefined) {
      this.say(`Slack took the waiting alert messages, ${Math.round((now - this.waitingSince) / 1000)} s after the first was due`);
      this.waitingSince = undefined;
      this.lastWaiting = 0;
    }
  }
}

function clock(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19) + 'Z';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
