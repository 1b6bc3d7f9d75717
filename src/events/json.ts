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
