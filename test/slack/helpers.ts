import type { Alert } from '../../src/engine/alert';
import type { EventSource, FieldValue, KlaxonEvent } from '../../src/events/event';
import type { Block, SlackMessage } from '../../src/slack/render';
import { FALLBACK_TEXT_MAX } from '../../src/slack/render';
import { SLACK_LIMITS } from '../../src/slack/limits';

export const FIRST_SEEN = Date.UTC(2024, 2, 3, 10, 15, 0);
export const LAST_SEEN = FIRST_SEEN + 5 * 60_000;

export function event(source: EventSource, fields: Record<string, FieldValue>, raw?: Record<string, unknown>): KlaxonEvent {
  return { timestamp: FIRST_SEEN, source, fields: { 'event.source': source, ...fields }, ...(raw === undefined ? {} : { raw }) };
}

export function sshEvent(fields: Record<string, FieldValue> = {}): KlaxonEvent {
  return event('ssh', {
    'user.name': 'deploy',
    'source.ip': '192.0.2.7',
    'source.port': 52144,
    'host.hostname': 'bastion-1',
    'process.name': 'sshd',
    'process.pid': 4242,
    'system.auth.ssh.event': 'Accepted',
    'system.auth.ssh.method': 'publickey',
    'event.action': 'ssh_login',
    'event.outcome': 'success',
    'event.original': 'Mar  3 10:15:00 bastion-1 sshd[4242]: Accepted publickey for deploy from 192.0.2.7 port 52144 ssh2',
    ...fields,
  });
}

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    rule: 'ssh-login',
    severity: 'high',
    title: 'SSH login by deploy from 192.0.2.7',
    description: 'Someone logged in over SSH.',
    fingerprint: '5f2b8c1d9e0a4b7c',
    sequence: 1,
    count: 3,
    firstSeen: FIRST_SEEN,
    lastSeen: LAST_SEEN,
    fields: { 'source.ip': '192.0.2.7' },
    samples: [sshEvent()],
    sources: ['ssh'],
    slack: { mention: [] },
    ...overrides,
  };
}

/** Every string in the message that Slack would display or parse as text (not ids or values). */
export function displayedTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        texts.push(block.text.text);
        break;
      case 'section':
        if (block.text) texts.push(block.text.text);
        for (const f of block.fields ?? []) texts.push(f.text);
        break;
      case 'context':
        for (const e of block.elements) texts.push(e.text);
        break;
      case 'actions':
        for (const e of block.elements) {
          if (e.type === 'button') texts.push(e.text.text);
          else texts.push(e.placeholder.text, ...e.options.map((o) => o.text.text));
        }
        break;
    }
  }
  return texts;
}

/** Problems with Slack's size limits in a message, as readable strings (empty when all hold). */
export function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  const check = (what: string, text: string, max: number): void => {
    if (text.length > max) problems.push(`${what}: ${text.length} > ${max}`);
    if (text.length === 0) problems.push(`${what}: empty`);
  };
  check('text', message.text, Math.min(FALLBACK_TEXT_MAX, SLACK_LIMITS.messageText));
  if (message.blocks.length > SLACK_LIMITS.blocks) problems.push(`blocks: ${message.blocks.length}`);
  message.blocks.forEach((block: Block, i) => {
    switch (block.type) {
      case 'header':
        check(`header ${i}`, block.text.text, SLACK_LIMITS.headerText);
        break;
      case 'section':
        if (block.text) check(`section ${i}`, block.text.text, SLACK_LIMITS.sectionText);
        if ((block.fields?.length ?? 0) > SLACK_LIMITS.sectionFields) problems.push(`section ${i}: ${block.fields?.length} fields`);
        for (const f of block.fields ?? []) check(`field in ${i}`, f.text, SLACK_LIMITS.sectionField);
        if (!block.text && !block.fields?.length) problems.push(`section ${i}: no text`);
        break;
      case 'context':
        if (block.elements.length > SLACK_LIMITS.contextElements) problems.push(`context ${i}: ${block.elements.length} elements`);
        for (const e of block.elements) check(`context ${i}`, e.text, SLACK_LIMITS.contextText);
        break;
      case 'actions':
        check(`block_id ${i}`, block.block_id, SLACK_LIMITS.blockId);
        for (const e of block.elements) {
          if (e.type === 'button') {
            check('button text', e.text.text, SLACK_LIMITS.buttonText);
            check('button value', e.value, SLACK_LIMITS.buttonValue);
          } else {
            check('select placeholder', e.placeholder.text, SLACK_LIMITS.placeholderText);
            for (const o of e.options) {
              check('option text', o.text.text, SLACK_LIMITS.optionText);
              check('option value', o.value, SLACK_LIMITS.optionValue);
            }
          }
        }
        break;
    }
  });
  return problems;
}

// Markup that Klaxon itself writes; anything else shaped like Slack markup was injected.
const KLAXON_MARKUP = [
  /<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|[0-9T:.Z-]+>/g,
  /<https:\/\/[a-z0-9-]+\.console\.(aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)\/[^<>|\s]+\|(CloudWatch Logs|CloudTrail event|CloudWatch alarm|WAF web ACL)>/g,
  /<https:\/\/runbooks\.example\/[^<>|\s]*\|Runbook>/g,
  // a formatting character from a log, shown literally (src/slack/escape.ts, escapeLiteral)
  /<!date\^00000000\^\{_\}\|[*_~`:]>/g,
];

/** The displayed texts with Klaxon's own markup (and the given rule mentions) removed. */
export function withoutKlaxonMarkup(message: SlackMessage, mentions: readonly string[] = []): string[] {
  return displayedTexts(message).map((text) => {
    let rest = text;
    for (const pattern of KLAXON_MARKUP) rest = rest.replace(pattern, '');
    for (const m of mentions) rest = rest.split(m).join('');
    return rest;
  });
}

/** True when the text has a lone surrogate (a code point split in half). */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** True when an `&` in the text does not start one of the three entities Slack decodes. */
export function hasBrokenEntity(text: string): boolean {
  return /&(?!amp;|lt;|gt;)/.test(text);
}
