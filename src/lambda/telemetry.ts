/**
 * Structured JSON logs and CloudWatch EMF metrics for the handlers, with Powertools for AWS
 * Lambda. Metrics go out as log lines (no PutMetricData call, no extra permission), in the
 * namespace POWERTOOLS_METRICS_NAMESPACE names.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchReport, DrainReport } from '../alerts/lifecycle';
import type { ReadStats } from '../sources/read-events';

export const logger = new Logger({ serviceName: 'klaxon' });
export const metrics = new Metrics({ serviceName: 'klaxon', namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Klaxon' });

/** The metric names, one per figure a batch reports. */
export const METRIC = {
  parsed: 'EventsParsed',
  parseErrors: 'ParseErrors',
  generic: 'LinesGeneric',
  skipped: 'RecordsSkipped',
  matched: 'EventsMatched',
  duplicates: 'DuplicateEvents',
  posted: 'AlertsPosted',
  updated: 'AlertsUpdated',
  suppressed: 'EventsSuppressed',
  waiting: 'AlertsWaiting',
  parked: 'AlertsParked',
  backlogGroups: 'OutboxGroups',
  backlogAge: 'OutboxOldestAgeSeconds',
} as const;

/** Adds one batch's figures; `publish` writes them as one EMF record. */
export function recordBatch(stats: ReadStats, report: BatchReport | undefined): void {
  metrics.addMetric(METRIC.parsed, MetricUnit.Count, stats.events);
  metrics.addMetric(METRIC.parseErrors, MetricUnit.Count, stats.errors);
  metrics.addMetric(METRIC.generic, MetricUnit.Count, stats.generic);
  metrics.addMetric(METRIC.skipped, MetricUnit.Count, stats.skipped);
  metrics.addMetric(METRIC.matched, MetricUnit.Count, report?.matched ?? 0);
  metrics.addMetric(METRIC.duplicates, MetricUnit.Count, report?.duplicates ?? 0);
  metrics.addMetric(METRIC.posted, MetricUnit.Count, report?.posted ?? 0);
  metrics.addMetric(METRIC.updated, MetricUnit.Count, report?.updated ?? 0);
  metrics.addMetric(METRIC.suppressed, MetricUnit.Count, report?.suppressed ?? 0);
  metrics.addMetric(METRIC.waiting, MetricUnit.Count, report?.waiting ?? 0);
  metrics.addMetric(METRIC.parked, MetricUnit.Count, report?.parked ?? 0);
}

/** One drain's figures, and the outbox backlog after it (the alarm watches its age). */
export function recordDrain(report: DrainReport, backlogGroups: number, oldestAgeMs: number): void {
  metrics.addMetric(METRIC.posted, MetricUnit.Count, report.posted);
  metrics.addMetric(METRIC.updated, MetricUnit.Count, report.updated);
  metrics.addMetric(METRIC.waiting, MetricUnit.Count, report.waiting);
  metrics.addMetric(METRIC.parked, MetricUnit.Count, report.parked);
  metrics.addMetric(METRIC.backlogGroups, MetricUnit.Count, backlogGroups);
  metrics.addMetric(METRIC.backlogAge, MetricUnit.Seconds, Math.round(oldestAgeMs / 1000));
}
