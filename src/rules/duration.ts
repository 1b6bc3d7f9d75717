/**
 * Durations as rule files write them: `30s`, `10m`, `1h`, `7d`, or a combination in
 * descending units (`1h30m`, `1d12h`). `0` (number or string) means "none".
 * A bare number other than 0 is refused: `realert: 60` could mean seconds or minutes.
 */
export const DURATION_PATTERN = '^(?:0|(?=\\d)(?:\\d+d)?(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?)$';

const DURATION = new RegExp(DURATION_PATTERN);
const PART = /(\d+)([dhms])/g;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/**
 * Parses a duration into milliseconds; `undefined` when the text is not one.
 *
 * @example
 *   parseDuration('1h30m'); // 5_400_000
 *   parseDuration(0);       // 0
 *   parseDuration('90');    // undefined
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text === 0 ? 0 : undefined;
  if (typeof text !== 'string' || !DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    ms += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * A duration in milliseconds as a rule file would write it: the inverse of `parseDuration`.
 *
 * @example
 *   formatDuration(5_400_000); // '1h30m'
 */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0';
  let rest = ms;
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text === '' ? `${ms}ms` : text;
}
