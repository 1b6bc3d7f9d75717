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

/**
 * Characters that change how text around them reads without showing themselves: bidi
 * overrides and isolates (U+202E turns `gpj.exe` into `exe.jpg`), zero-width spaces and
 * joiners, the soft hyphen, the byte-order mark. In log text they are shown as `\u202E`.
 */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Shows each invisible formatting character as its `\uXXXX` escape. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/**
 * Slack has no escape for `*`, `_`, `~` and backticks. The fallback text of a date that
 * cannot be formatted is always shown as plain text, so each such character is written as
 * one (the approach of jsx-slack's <Escape>). `*`, `_` and `~` format only at a word's edge
 * (`MANAGED_RULE_GROUP` stays as it is); backticks anywhere; a `:` that opens an emoji
 * shortcode (`:skull:`, not the `:05:` of a time) too.
 */
// The shortcode look-ahead takes no letter before the first one, so it cannot backtrack over a
// long run of word characters (`[\w+-]*[a-zA-Z]` could: quadratic on ':' + 'a' × 20,000).
const FORMATTING = /(?<![\p{L}\p{N}])[*_~]|[*_~](?![\p{L}\p{N}])|`|:(?=[\d_+-]*[a-zA-Z][\w+-]*:)/gu;
const LITERAL = (c: string): string => `<!date^00000000^{_}|${c}>`;
/** `>` at the start of a line quotes it; a soft hyphen before it (invisible, and never from a log: see INVISIBLE) prevents that. */
const LEADING_QUOTE = /(^|\n)&gt;/g;

/**
 * Text from a log (or any text Klaxon did not write) for mrkdwn, shown literally: markup
 * characters escaped, formatting and emoji shortcodes neutralized, invisible characters made
 * visible.
 *
 * @example
 *   escapeLiteral('*root* :skull:'); // each * and the first : as a date fallback
 */
export function escapeLiteral(text: string): string {
  return escapeMrkdwn(showInvisible(text)).replace(FORMATTING, LITERAL).replace(LEADING_QUOTE, '$1\u00ad&gt;');
}

/** Text from a log for a plain_text object (rendered with `emoji: false`): markup characters escaped, invisible characters visible. */
export function escapePlain(text: string): string {
  return escapeMrkdwn(showInvisible(text));
}

const ZERO_WIDTH_SPACE = '\u200b';

/**
 * Escapes text for the inside of a ``` code block: mrkdwn-escaped, and with a zero-width space
 * after every backtick that another backtick follows, so that no run of backticks in the text
 * can close the block early.
 */
export function escapeCodeBlock(text: string): string {
  return escapeMrkdwn(showInvisible(text)).replace(/`(?=`)/g, '`' + ZERO_WIDTH_SPACE);
}

/** Undoes `escapeCodeBlock` (for terminal output). */
export function unescapeCodeBlock(text: string): string {
  return unescapeMrkdwn(text.replace(/`\u200b/g, '`'));
}

/** Undoes the soft hyphen `escapeLiteral` puts before a leading `>` (for terminal output); a log's own soft hyphens were made visible. */
export function unescapeLeadingQuote(text: string): string {
  return text.replace(/\u00ad&gt;/g, '&gt;');
}
