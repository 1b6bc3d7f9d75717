/**
 * How a rendered message reads to a person, for the terminal (`klaxon scan --format pretty`).
 * It reads back only the markup that `renderAlert` writes; everything else was escaped text.
 */
import { parseSilenceValue } from './actions';
import type { Block, Mrkdwn, PlainText } from './blocks';
import { unescapeCodeBlock, unescapeLeadingQuote, unescapeMrkdwn } from './escape';
import type { SlackMessage } from './render';

/**
 * @example
 *   messageToText(renderAlert(alert, templates));
 *   // 🟠 HIGH: SSH login as root from 192.0.2.7
 *   // Rule: `ssh-root-login` · Severity: high
 *   // User: root
 *   // ...
 *   // [Acknowledge] [Silence ▾ 1h 4h 24h 7d]
 */
export function messageToText(message: SlackMessage): string {
  return message.blocks.flatMap(blockLines).join('\n');
}

function blockLines(block: Block): string[] {
  switch (block.type) {
    case 'header':
      return [textOf(block.text)];
    case 'section': {
      const lines = block.text === undefined ? [] : [textOf(block.text)];
      for (const field of block.fields ?? []) lines.push(fieldLine(field));
      return lines;
    }
    case 'context':
      return [block.elements.map(textOf).join(' · ')];
    case 'divider':
      return ['───'];
    case 'actions':
      return [
        block.elements
          .map((e) =>
            e.type === 'button'
              ? `[${unescapeMrkdwn(e.text.text)}]`
              : `[${unescapeMrkdwn(e.placeholder.text)} ▾ ${e.options.map((o) => silenceOptionText(o.value) ?? unescapeMrkdwn(o.text.text)).join(' ')}]`,
          )
          .join(' '),
      ];
  }
}

function silenceOptionText(value: string): string | undefined {
  const choice = parseSilenceValue(value);
  if (choice === undefined) return undefined;
  return choice.scope === 'rule' ? `rule:${choice.key}` : choice.key;
}

/** A field `*Label*\nvalue` as `Label: value`. */
function fieldLine(field: Mrkdwn): string {
  const m = /^\*([^*\n]+)\*\n([\s\S]*)$/.exec(field.text);
  return m === null ? textOf(field) : `${unescapeMrkdwn(m[1] ?? '')}: ${mrkdwnToText(m[2] ?? '')}`;
}

function textOf(text: PlainText | Mrkdwn): string {
  return text.type === 'plain_text' ? unescapeMrkdwn(text.text) : mrkdwnToText(text.text);
}

/** Code blocks indented, Klaxon's own `<...>` markup as words, entities as characters. */
export function mrkdwnToText(text: string): string {
  return text
    .split(/```\n?/)
        // Klaxon's `*Heading*` lines are read before the markup is: a log's own `*` is a date fallback until then.
    .map((part, i) => (i % 2 === 1 ? indent(unescapeCodeBlock(part.replace(/\n$/, ''))) : unescapeMrkdwn(markupToText(unescapeLeadingQuote(part.replace(/^\*([^*\n]+)\*$/gm, '$1:'))))))
    .join('');
}

function indent(code: string): string {
  return code
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function markupToText(text: string): string {
  return text.replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_whole, target: string, label: string | undefined) => {
    if (target.startsWith('!date^')) return label ?? target;
    if (target.startsWith('http://') || target.startsWith('https://')) return label === undefined ? target : `${label} (${target})`;
    if (label !== undefined) return label;
    if (target.startsWith('!subteam^')) return `@${target.slice('!subteam^'.length)}`;
    if (target.startsWith('!')) return `@${target.slice(1)}`;
    return target;
  });
}
