/** "Did you mean ...?" hints for misspelt keys, fields, operators and names. */

/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) >= bestDistance) continue;
    const d = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * ` (did you mean "x"?)`, or an empty string when nothing is close. With `prefixes`, a word
 * too far from every candidate may still be one that it starts with, or that starts with it
 * (`sudo_cmd` for `sudo`): the longest such candidate of at least three characters.
 */
export function didYouMean(word: string, candidates: Iterable<string>, options: { prefixes?: boolean } = {}): string {
  const list = [...candidates];
  const hint = closest(word, list) ?? (options.prefixes === true ? longestPrefixMatch(word, list) : undefined);
  return hint === undefined ? '' : ` (did you mean "${hint}"?)`;
}

function longestPrefixMatch(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const related = c.length >= 3 && lower.length >= 3 && (lower.startsWith(c) || c.startsWith(lower));
    if (related && (best === undefined || candidate.length > best.length)) best = candidate;
  }
  return best;
}

/** Levenshtein distance, giving up (returning `cap`) once it cannot be below `cap`. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= cap) return cap;
    previous = current;
  }
  return previous[b.length] as number;
}
