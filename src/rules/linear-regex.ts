import { RE2JS } from 're2js';

/** A compiled rule regex: `test` runs in time linear in the text, whatever the pattern. */
export interface LinearRegex {
  test(text: string): boolean;
}

export type LinearRegexResult = { regex: LinearRegex } | { error: string };

/**
 * Rule regexes run over attacker-chosen text (user names, URIs, headers). A backtracking
 * engine (V8's irregexp) can take exponential time on ambiguous patterns such as
 * `^([a-z]|[a-c])+$`, and no static check finds them all, so rule regexes run on RE2's
 * automaton (re2js, a pure-JS port that also runs in the Lambda bundle). RE2 cannot run
 * backreferences or lookaround; such a pattern is refused here, with RE2's reason, so a
 * rule never compiles to something that runs differently from what was validated.
 */
export function compileLinearRegex(pattern: string, ignoreCase: boolean): LinearRegexResult {
  try {
    const compiled = RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    return { regex: { test: (text) => compiled.test(text) } };
  } catch (error) {
    return { error: explain(pattern, (error as Error).message) };
  }
}

function explain(pattern: string, message: string): string {
  const reason = message.replace(/^error parsing regexp: /, '');
  if (!validInJavaScript(pattern)) return `/${pattern}/ is not a valid regex: ${reason}`;
  const hint = /\\[1-9]|\\k</.test(pattern)
    ? ' (backreferences cannot run in linear time)'
    : /\(\?<?[=!]/.test(pattern)
      ? ' (lookahead and lookbehind cannot run in linear time)'
      : '';
  return `/${pattern}/ cannot run in linear time: ${reason}${hint}. Rule regexes use RE2 syntax (JavaScript's, without backreferences or lookaround)`;
}

function validInJavaScript(pattern: string): boolean {
  try {
    // Only parsed, never run: V8 builds the matcher lazily, on the first match.
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
