/**
 * An auth-log line whose time is far from the time CloudWatch Logs gave its log event (when it
 * was ingested) was most likely written in another zone than the one it is read in: the log
 * group's `timezone:` (or KLAXON_SYSLOG_TZ) is probably wrong. CloudWatch's time is only known
 * inside a CloudWatch Logs delivery, so only that path looks.
 */
import type { ParseResult } from '../events/event';

/** Further apart than this, the line's zone is probably wrong (an agent's shipping delay stays far below). */
export const MAX_SKEW_MS = 3_600_000;

export interface TimeSkew {
  logGroup: string;
  /** The zone the line was read in. */
  timeZone: string;
  /** The line's time minus CloudWatch's time for it, in ms: positive when the line is ahead. */
  skewMs: number;
}

/** Reports the first event of `result` that sits more than MAX_SKEW_MS from `envelopeTime`. */
export function checkTimeSkew(result: ParseResult, envelopeTime: number, logGroup: string, timeZone: string | undefined, report: (skew: TimeSkew) => void): void {
  if (result.status !== 'ok') return;
  for (const event of result.events) {
    const skewMs = event.timestamp - envelopeTime;
    if (Math.abs(skewMs) > MAX_SKEW_MS) {
      report({ logGroup, timeZone: timeZone ?? 'UTC', skewMs });
      return;
    }
  }
}

/** The skew in hours, to a tenth: `+2` when the lines are two hours ahead of CloudWatch's time. */
export function skewHours(skewMs: number): number {
  return Math.round(skewMs / 360_000) / 10;
}
