import type { FieldValue, KlaxonEvent } from '../events/event';
import { fieldText } from '../events/fields';
import type { Alert } from '../engine/alert';
import type { SlackMessage } from '../slack/render';
import { messageToText, mrkdwnToText } from '../slack/text';
import { terminalSafe } from './terminal-safe';

/** What every JSON listing of an alert starts with (`klaxon scan`, `klaxon alerts`), snake_case like the rule files. */
export function alertHeadJson(alert: Alert) {
  return {
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    fingerprint: alert.fingerprint,
    count: alert.count,
    first_seen: new Date(alert.firstSeen).toISOString(),
    last_seen: new Date(alert.lastSeen).toISOString(),
  };
}

/** The JSON line `klaxon scan` prints per alert: a stable contract. */
export function alertJson(alert: Alert): Record<string, unknown> {
  return {
    ...alertHeadJson(alert),
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

/** How much of an alert's evidence `--format pretty` prints: a few lines, or the whole Slack message. */
export type EvidenceDetail = 'short' | 'full';

/** Lines of the sample event shown in the short form, and their length. */
const SHORT_EVIDENCE_LINES = 3;
const SHORT_LINE_CHARS = 200;

/**
 * An alert as a person reads it in a terminal. Short (the default): its title, counts, the
 * message's summary and fields on one line each, a few lines of evidence, and (`previewLink`)
 * a link that opens the exact message in Slack's Block Kit Builder. Full: the whole message
 * as text.
 */
export function alertForTerminal(alert: Alert, message: SlackMessage, detail: EvidenceDetail, previewLink = true): string {
  if (detail === 'full') return alertPretty(alert, messageToText(message));
  const sections = message.blocks.filter((b) => b.type === 'section');
  const summary = sections[0]?.text === undefined ? undefined : mrkdwnToText(sections[0].text.text).split('\n')[0];
  const fields = sections.flatMap((s) => s.fields ?? []).map((f) => mrkdwnToText(f.text.replace(/^\*([^*\n]+)\*\n/, '$1: ')).replace(/\s*\n\s*/g, ' '));
  const lines = [
    `━━ ${SEVERITY_MARK[alert.severity] ?? alert.severity} ${alert.title}`,
    `   ${alert.rule} · ${alert.count} event${alert.count === 1 ? '' : 's'} · ${new Date(alert.firstSeen).toISOString()} → ${new Date(alert.lastSeen).toISOString()} · fingerprint ${alert.fingerprint}`,
  ];
  if (summary !== undefined && summary !== '') lines.push(`   ${summary}`);
  if (fields.length > 0) lines.push(`   ${fields.join(' · ')}`);
  const original = alert.samples[0]?.fields['event.original'];
  if (typeof original === 'string' && original !== '') lines.push(`   evidence: ${shortEvidence(original).join('\n             ')}`);
  if (previewLink) lines.push(`   preview: ${blockKitBuilderUrl(message)}`);
  lines.push('');
  return `${terminalSafe(lines.join('\n'))}\n`;
}

/** A few lines of the sample: a JSON record on one line, long lines cut, and a note of what was left out. */
function shortEvidence(original: string): string[] {
  let text = original;
  try {
    text = JSON.stringify(JSON.parse(original));
  } catch {
    // not JSON: a log line (or lines) as written
  }
  const all = text.split('\n');
  const shown = all.slice(0, SHORT_EVIDENCE_LINES).map((l) => (l.length > SHORT_LINE_CHARS ? `${l.slice(0, SHORT_LINE_CHARS)}… (${l.length} characters)` : l));
  if (all.length > SHORT_EVIDENCE_LINES) shown.push(`… ${all.length - SHORT_EVIDENCE_LINES} more lines`);
  return shown;
}

/** Slack's Block Kit Builder with the message loaded: what it looks like in Slack, without a workspace token. */
export function blockKitBuilderUrl(message: SlackMessage): string {
  return `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify({ blocks: message.blocks }))}`;
}

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
