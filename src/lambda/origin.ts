import type { InputLocation } from '../input/location';
import type { Decoded } from '../sources/decode';

/** A Lambda trigger is no file: `-` keeps `log.file.path` off its events. */
export const TRIGGER_LOCATION: InputLocation = { path: '-', offset: 0, line: 1 };

/** Names an invocation's input in its log lines: a field of its first event (the log group, the API call), else `fallback`. */
export function originOf(decoded: readonly Decoded[], field: string, fallback: string): string {
  for (const d of decoded) {
    if (d.result.status !== 'ok') continue;
    const value = d.result.events[0]?.fields[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return fallback;
}
