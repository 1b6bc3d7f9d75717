/**
 * Renders an alert as a Slack Block Kit message from its template.
 *
 * Everything that came from a log (title, description, field values, the sample line) is
 * escaped before it is placed; the only markup left in the message is what Klaxon writes
 * itself: dates, console links, the rule's mentions, bold labels and the sample's code fences.
 */
import type { Alert } from '../engine/alert';
import type { Severity } from '../rules/types';
import { actionsBlock, type ActionsState } from './actions';
import { mrkdwn, plainText } from './blocks';
import type { Block, Mrkdwn } from './blocks';
import { slackDate } from './dates';
import { escapeMrkdwn, escapePlain } from './escape';
import { evidenceLinks, linkMarkup, runbookText, sampleCodeBlock } from './evidence';
import { literalWithin, SLACK_LIMITS, truncate } from './limits';
import { mentionLine } from './mentions';
import { plural, statusText, type MessageStatus } from './status';
import { alertLookup, fillFirst } from './placeholders';
import type { FieldLookup } from './placeholders';
import type { Template, TemplateSet } from './templates';

export type { Block } from './blocks';
export type { MessageStatus } from './status';

export interface SlackMessage {
  /** The notification fallback: a short plain summary, escaped like the rest. */
  text: string;
  blocks: Block[];
}

export const SEVERITY_BADGE: Record<Severity, string> = {
  info: '⚪',
  low: '🔵',
  medium: '🟡',
  high: '🟠',
  critical: '🔴',
};

/** The notification text stays short: it is what phones and the sidebar show. */
export const FALLBACK_TEXT_MAX = 300;

// Per-part budgets inside the main section, so a long description cannot push out the rule line.
const SUMMARY_MAX = 700;
const DESCRIPTION_MAX = 2000;
const RULE_ID_MAX = 200;

const EMPTY_TEMPLATE: Template = { name: 'builtin', file: '(built in)', fields: [] };

/** The alert's template: the rule's choice, else the one named after its first source, else `generic`. */
export function pickTemplate(alert: Alert, templates: TemplateSet): Template {
  const candidates = [alert.slack.template, alert.sources[0], 'generic'];
  for (const name of candidates) {
    const template = name === undefined ? undefined : templates.get(name);
    if (template !== undefined) return template;
  }
  return EMPTY_TEMPLATE;
}

export interface RenderOptions {
  /** Region for console links when the events carry none (an SSH host's logs): the Lambda's AWS_REGION. */
  defaultRegion?: string;
  /** Acknowledgement, silence and suppressed counts, shown in the message and reflected in its buttons. */
  status?: MessageStatus;
}

/**
 * @example
 *   const { templates } = loadTemplates(DEFAULT_TEMPLATES_DIR);
 *   const message = renderAlert(alert, templates);
 *   await client.chat.postMessage({ channel, ...message, unfurl_links: false });
 */
export function renderAlert(alert: Alert, templates: TemplateSet, options: RenderOptions = {}): SlackMessage {
  const template = pickTemplate(alert, templates);
  const lookup = alertLookup(alert);
  // The title carries log text: literal in the header (plain text, no emoji shortcodes) and in the notification.
  const label = alert.severity.toUpperCase();

  const blocks: Block[] = [{ type: 'header', text: plainText(`${SEVERITY_BADGE[alert.severity]} ${label}: ${oneLine(escapePlain(alert.title))}`, SLACK_LIMITS.headerText, false) }];
  blocks.push({ type: 'section', text: mrkdwn(mainText(alert, template, lookup)) });
  const mentions = mentionLine(alert.slack.mention);
  if (mentions !== '') blocks.push({ type: 'section', text: mrkdwn(mentions) });
  blocks.push(...fieldSections(template, lookup));
  blocks.push({ type: 'context', elements: [mrkdwn(seenText(alert), SLACK_LIMITS.contextText)] });
  const status = options.status ?? {};
  const statusLines = statusText(alert, status);
  if (statusLines !== '') blocks.push({ type: 'context', elements: [mrkdwn(statusLines, SLACK_LIMITS.contextText)] });
  const sample = sampleCodeBlock(alert, lookup);
  if (sample !== undefined) blocks.push({ type: 'section', text: mrkdwn(sample) });
  const links = [...evidenceLinks(alert, lookup, options.defaultRegion).map(linkMarkup), runbookText(alert)].filter((l): l is string => l !== undefined);
  if (links.length > 0) blocks.push({ type: 'context', elements: [mrkdwn(links.join(' · '), SLACK_LIMITS.contextText)] });
  const actionsState: ActionsState = { acknowledged: status.acknowledged !== undefined };
  if (status.silenced !== undefined) actionsState.silenceId = status.silenced.id;
  const actions = actionsBlock(alert.fingerprint, actionsState);
  const tail: Block = actions ?? { type: 'context', elements: [mrkdwn('Acknowledge and Silence are unavailable: the alert fingerprint is too long.')] };

  const text = truncate(`${label}: ${oneLine(literalWithin(alert.title, FALLBACK_TEXT_MAX))} (${oneLine(escapeMrkdwn(alert.rule))})`, FALLBACK_TEXT_MAX);
  return { text, blocks: capBlocks(blocks, tail) };
}

function mainText(alert: Alert, template: Template, lookup: FieldLookup): string {
  const lines: string[] = [];
  const summary = template.summary === undefined ? undefined : fillFirst(template.summary, lookup);
  if (summary !== undefined) lines.push(truncate(summary, SUMMARY_MAX));
  if (alert.description !== undefined && alert.description.trim() !== '') {
    lines.push(truncate(escapeMrkdwn(alert.description.trim()), DESCRIPTION_MAX));
  }
  lines.push(`Rule: \`${truncate(oneLine(escapeMrkdwn(alert.rule)), RULE_ID_MAX)}\` · Severity: ${alert.severity}`);
  return lines.join('\n');
}

/** The template's fields that have something to show, as sections of at most 10 fields each. */
function fieldSections(template: Template, lookup: FieldLookup): Block[] {
  const fields: Mrkdwn[] = [];
  for (const field of template.fields) {
    const value = fillFirst(field.value, lookup);
    if (value !== undefined) fields.push(mrkdwn(`*${escapeMrkdwn(field.label)}*\n${value}`, SLACK_LIMITS.sectionField));
  }
  const sections: Block[] = [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.sectionFields) {
    sections.push({ type: 'section', fields: fields.slice(i, i + SLACK_LIMITS.sectionFields) });
  }
  return sections;
}

function seenText(alert: Alert): string {
  return `Count: ${alert.count} · First seen: ${slackDate(alert.firstSeen)} · Last seen: ${slackDate(alert.lastSeen)}`;
}

/** Keeps the message within Slack's block count, always ending with `tail` (the buttons). */
function capBlocks(blocks: Block[], tail: Block): Block[] {
  if (blocks.length + 1 <= SLACK_LIMITS.blocks) return [...blocks, tail];
  const kept = blocks.slice(0, SLACK_LIMITS.blocks - 2);
  const dropped = blocks.length - kept.length;
  return [...kept, { type: 'context', elements: [mrkdwn(`${dropped} more blocks omitted`)] }, tail];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The minimal rendering, for a message Slack refused in full: the notification text and the count, no blocks. */
export function renderMinimal(alert: Alert, templates: TemplateSet, options: RenderOptions = {}): SlackMessage {
  const { text } = renderAlert(alert, templates, options);
  const acknowledged = options.status?.acknowledged === undefined ? '' : ' · acknowledged';
  return { text: truncate(`${text} · ${plural(alert.count, 'event')}${acknowledged} · ${escapeMrkdwn(alert.fingerprint)}`, SLACK_LIMITS.sectionText), blocks: [] };
}
