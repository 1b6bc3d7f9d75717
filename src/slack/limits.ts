/**
 * Slack Block Kit size limits (in characters) that a rendered alert must respect, and the
 * truncation that keeps text inside them.
 */
import { escapeLiteral } from './escape';

export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  contextText: 3000,
  contextElements: 10,
  blocks: 50,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  placeholderText: 150,
  actionId: 255,
  blockId: 255,
  messageText: 40000,
} as const;

export const TRUNCATION_MARKER = '… (truncated)';

/**
 * Shortens `text` to at most `limit` UTF-16 units (so also at most `limit` code points),
 * ending it with a visible marker. The cut falls on a code point boundary (a surrogate pair is
 * never split), never inside an `&amp;`-style entity, and never inside `<...>` markup: after
 * escaping, every `<` in the text is markup Klaxon wrote, and half a link is worse than none.
 *
 * @example
 *   truncate('a'.repeat(200), 150); // 136 × 'a' + '… (truncated)'
 */
export function truncate(text: string, limit: number, marker: string = TRUNCATION_MARKER): string {
  if (text.length <= limit) return text;
  if (limit <= marker.length) return cutAtCodePoint(marker, limit);
  let cut = cutAtCodePoint(text, limit - marker.length);
  cut = cut.replace(/&[a-z]*$/, '');
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return cut + marker;
}

/** The longest prefix of `text` of at most `max` UTF-16 units that ends on a code point boundary. */
export function cutAtCodePoint(text: string, max: number): string {
  let end = 0;
  for (const codePoint of text) {
    if (end + codePoint.length > max) break;
    end += codePoint.length;
  }
  return text.slice(0, end);
}

/**
 * Log text cut to `limit` characters as shown, then escaped with `escapeLiteral`: escaping
 * can lengthen text many times over (each formatting character becomes a date fallback),
 * and the cut must fall on what the reader sees. The block's own limit still applies.
 */
export function literalWithin(text: string, limit: number): string {
  const shown = text.length <= limit ? text : cutAtCodePoint(text, Math.max(0, limit - TRUNCATION_MARKER.length)) + TRUNCATION_MARKER;
  return escapeLiteral(shown);
}
