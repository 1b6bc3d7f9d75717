/**
 * Escaping for Slack mrkdwn. Slack gives `&`, `<` and `>` their own meaning (`<!channel>`,
 * `<@U123>`, `<https://x|label>`), and decodes `&amp;`, `&lt;`, `&gt;` for display; every
 * character from a log goes through here before it reaches a message.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes the three characters that Slack reads as markup, so the text shows as it is.
 *
 * @example
 *   escapeMrkdwn('<!channel> & co'); // '&lt;!channel&gt; &amp; co'
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITIES[c] as string);
}

/** Turns the entities that `escapeMrkdwn` writes back into characters (for terminal output). */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_whole, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

const ZERO_WIDTH_SPACE = '\u200b';

/**
 * Escapes text for the inside of a ``` code block: mrkdwn-escaped, and with a zero-width space
 * after every backtick that another backtick follows, so that no run of backticks in the text
 * can close the block early.
 */
export function escapeCodeBlock(text: string): string {
  return escapeMrkdwn(text).replace(/`(?=`)/g, '`' + ZERO_WIDTH_SPACE);
}

/** Undoes `escapeCodeBlock` (for terminal output). */
export function unescapeCodeBlock(text: string): string {
  return unescapeMrkdwn(text.replace(/`\u200b/g, '`'));
}
