/**
 * Bounds on what one parsed JSON record may carry into an event, applied where records are
 * decoded: a record nested thousands of levels deep (an attacker's request parameters) would
 * otherwise overflow the stack of every later stage that walks it (encoding group state,
 * rendering evidence), failing its whole batch on every retry.
 */

/** Deeper than any real CloudTrail, WAF or alarm record (they stay within about 15 levels). */
export const MAX_JSON_DEPTH = 32;

/** What stands in for a part of a record nested deeper than {@link MAX_JSON_DEPTH}. */
export const TOO_DEEP = `[nested deeper than ${MAX_JSON_DEPTH} levels: not kept]`;

/**
 * The value as it is when it is at most `maxDepth` levels deep (the common case: checked,
 * not copied); otherwise a copy with every deeper part replaced by {@link TOO_DEEP}, so that
 * the rest of the record (its event name, its addresses) still reaches the rules.
 *
 * `text`, when given, is the JSON text the value was parsed from: a text with at most
 * `maxDepth` brackets and braces cannot nest deeper, which counting them proves several
 * times faster than walking the value (the walk is left for texts with more).
 */
export function boundJsonDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH, text?: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // An empty text proves nothing: a caller with no text at hand (a Lambda's already parsed event) passes ''.
  if (text !== undefined && text !== '' && openersAtMost(text, maxDepth)) return value;
  return exceeds(value, maxDepth) ? prune(value, maxDepth) : value;
}

/** True when `text` holds at most `limit` of `{` and `[` together (in strings too: an overcount only costs the walk). */
function openersAtMost(text: string, limit: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++n > limit) return false;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++n > limit) return false;
  return true;
}

/** True when an object or array lies `depth` or more levels below `value` (itself one); primitives are skipped without a call. */
function exceeds(value: object, depth: number): boolean {
  if (depth === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null && exceeds(item, depth - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && exceeds(item, depth - 1)) return true;
  }
  return false;
}

function prune(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth === 0) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => prune(item, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = prune(item, depth - 1);
  return out;
}
