/**
 * Reading parsed JSON (log records, CloudTrail request parameters, CloudWatch Logs payloads)
 * whose shape nothing guarantees: every access checks what it got.
 */

/** A JSON object: not null, not an array. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string with something in it; anything else (missing, null, `''`, a number, an object) is absent. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Any value as text, for an id or a message: strings as they are, anything else as JSON. Never
 * `String(value)`: JSON can write objects that have no usable toString ({"toString": false}),
 * and String() throws on them, as it does on a null-prototype object.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return json ?? typeof value;
  } catch {
    return typeof value;
  }
}
