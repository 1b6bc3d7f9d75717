/**
 * Block Kit as HTML, for the local preview page (`klaxon run --serve` without Slack): the
 * header, sections, fields, context and controls of a message, looking roughly as Slack shows
 * them. Only the markup Klaxon writes is read (see src/slack/render.ts); everything else was
 * escaped text and is escaped again for HTML, so a log line cannot inject markup here either.
 */
import type { Block, ButtonElement, Mrkdwn, PlainText, StaticSelectElement } from './blocks';
import { unescapeCodeBlock, unescapeLeadingQuote, unescapeMrkdwn } from './escape';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** One message's blocks as an HTML fragment; controls carry `data-action-id` and `data-value` for the page's script. */
export function blocksToHtml(blocks: readonly Block[]): string {
  return blocks.map(blockHtml).join('\n');
}

function blockHtml(block: Block): string {
  switch (block.type) {
    case 'header':
      return `<h3 class="header">${textHtml(block.text)}</h3>`;
    case 'section': {
      const text = block.text === undefined ? '' : `<div class="text">${textHtml(block.text)}</div>`;
      const fields = block.fields === undefined ? '' : `<div class="fields">${block.fields.map((f) => `<div class="field">${textHtml(f)}</div>`).join('')}</div>`;
      const accessory = block.accessory === undefined ? '' : buttonHtml(block.accessory);
      return `<section>${text}${fields}${accessory}</section>`;
    }
    case 'context':
      return `<div class="context">${block.elements.map(textHtml).join(' · ')}</div>`;
    case 'divider':
      return '<hr>';
    case 'actions':
      return `<div class="actions">${block.elements.map((e) => (e.type === 'button' ? buttonHtml(e) : selectHtml(e))).join(' ')}</div>`;
  }
}

function buttonHtml(button: ButtonElement): string {
  const style = button.style === undefined ? '' : ` ${button.style}`;
  return `<button class="button${style}" data-action-id="${escapeHtml(button.action_id)}" data-value="${escapeHtml(button.value)}">${textHtml(button.text)}</button>`;
}

function selectHtml(select: StaticSelectElement): string {
  const options = select.options.map((o) => `<option value="${escapeHtml(o.value)}">${textHtml(o.text)}</option>`).join('');
  return `<select data-action-id="${escapeHtml(select.action_id)}"><option value="">${textHtml(select.placeholder)}</option>${options}</select>`;
}

function textHtml(text: PlainText | Mrkdwn): string {
  return text.type === 'plain_text' ? escapeHtml(unescapeMrkdwn(text.text)) : mrkdwnToHtml(text.text);
}

/** Klaxon's mrkdwn as HTML: code blocks, inline code, *bold*, links, dates (their fallback), mentions. */
export function mrkdwnToHtml(text: string): string {
  return text
    .split(/```\n?/)
    .map((part, i) => (i % 2 === 1 ? `<pre>${escapeHtml(unescapeCodeBlock(part.replace(/\n$/, '')))}</pre>` : inlineHtml(unescapeLeadingQuote(part))))
    .join('')
    .replace(/\n/g, '<br>');
}

function inlineHtml(text: string): string {
  // Slack markup `<…>` is Klaxon's own (every `<` from a log was escaped): read it; the rest is text.
  return text
    .split(/(<[^<>]*>)/)
    .map((piece) => (piece.startsWith('<') && piece.endsWith('>') ? markupHtml(piece.slice(1, -1)) : formattedText(piece)))
    .join('');
}

function formattedText(piece: string): string {
  return escapeHtml(unescapeMrkdwn(piece))
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1<b>$2</b>');
}

function markupHtml(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  if (target.startsWith('!date^')) return escapeHtml(unescapeMrkdwn(label ?? ''));
  if (/^https?:\/\//.test(target)) return `<a href="${escapeHtml(unescapeMrkdwn(target))}" rel="noreferrer noopener" target="_blank">${escapeHtml(unescapeMrkdwn(label ?? target))}</a>`;
  if (target.startsWith('@')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  if (target.startsWith('!subteam^')) return `<span class="mention">@${escapeHtml(label ?? target.slice('!subteam^'.length))}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  return escapeHtml(unescapeMrkdwn(label ?? target));
}
