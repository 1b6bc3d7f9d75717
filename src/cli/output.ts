import type { FieldValue, KlaxonEvent } from '../events/event';
import { fieldText } from '../events/fields';
import type { Alert } from '../engine/alert';
import { terminalSafe } from './terminal-safe';

/** The JSON line `klaxon scan` prints per alert: a stable contract, snake_case like the rule files. */
export function alertJson(alert: Alert): Record<string, unknown> {
  return {
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    fingerprint: alert.fingerprint,
    count: alert.count,
    first_seen: new Date(alert.firstSeen).toISOString(),
    last_seen: new Date(alert.lastSeen).toISOString(),
    fields: alert.fields,
    sources: alert.sources,
    evidence: alert.samples.map(evidenceOf),
  };
}

const EVIDENCE_FIELDS = ['@timestamp', 'log.file.path', 'log.offset', 'aws.cloudwatch.log_group', 'aws.cloudwatch.log_stream', 'event.id', 'event.original'] as const;

function evidenceOf(event: KlaxonEvent): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const key of EVIDENCE_FIELDS) {
    const value = event.fields[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const SEVERITY_MARK: Record<string, string> = { info: 'INFO', low: 'LOW', medium: 'MEDIUM', high: 'HIGH', critical: 'CRITICAL' };

/** An alert as a person reads it in a terminal: a summary, then the Slack message it would post. */
export function alertPretty(alert: Alert, slackText: string): string {
  const lines = [
    `━━ ${SEVERITY_MARK[alert.severity] ?? alert.severity} ${alert.title}`,
    `   rule ${alert.rule} · ${alert.count} event${alert.count === 1 ? '' : 's'} · ${new Date(alert.firstSeen).toISOString()} → ${new Date(alert.lastSeen).toISOString()}`,
    `   fingerprint ${alert.fingerprint}`,
    ...Object.entries(alert.fields).map(([k, v]) => `   ${k}: ${fieldText(v)}`),
    '   Slack message:',
    ...slackText.split('\n').map((l) => `   │ ${l}`),
    '',
  ];
  return `${terminalSafe(lines.join('\n'))}\n`;
}

export function eventPretty(event: KlaxonEvent): string {
  const lines = Object.entries(event.fields)
    .filter(([k]) => k !== 'event.original')
    .map(([k, v]) => `  ${k}: ${fieldText(v)}`);
  return `${terminalSafe(String(event.fields['event.original'] ?? ''))}\n${terminalSafe(lines.join('\n'))}\n\n`;
}
