/**
 * A count with its thousands grouped, as `n.toLocaleString('en')` writes it: 1,234,567.
 * By hand because the first toLocaleString of a process loads ICU's number data, 17 ms of
 * every `klaxon scan` that prints its summary.
 */
export function countText(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en');
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out;
  return n < 0 ? `-${out}` : out;
}
