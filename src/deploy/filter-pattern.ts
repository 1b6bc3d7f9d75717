/**
 * An evaluator for the CloudWatch Logs filter patterns Klaxon deploys, written from AWS's
 * documented syntax ("Filter pattern syntax for metric filters, subscription filters, filter
 * log events, and Live Tail"), so tests can check that the metric filters and subscription
 * filters see the same lines as the rules. It covers what the deploy uses:
 *
 * - terms: `ERROR` (the message contains it), `"exact phrase"`, `?a ?b` (any of them),
 *   `-term` (not); case-sensitive; terms without `?` must all be there;
 * - JSON patterns: `{ $.a.b = "x" }`, `!=`, `&&`, `||`, parentheses, unquoted and `*`
 *   wildcard string values, numbers.
 *
 * Anything else (space-delimited `[...]` patterns, `%regex%`, `IS NULL`) is refused by name
 * rather than evaluated wrongly.
 */

export function matchesFilterPattern(pattern: string, message: string): boolean {
  const text = pattern.trim();
  if (text === '') return true;
  if (text.startsWith('{')) return matchesJsonPattern(text, message);
  if (text.startsWith('[') || text.includes('%')) throw new Error(`filter pattern not supported by this evaluator: ${pattern}`);
  return matchesTerms(text, message);
}

function matchesTerms(pattern: string, message: string): boolean {
  const anyOf: string[] = [];
  const allOf: string[] = [];
  const noneOf: string[] = [];
  for (const raw of pattern.match(/[?-]?"[^"]*"|\S+/g) ?? []) {
    const kind = raw.startsWith('?') ? anyOf : raw.startsWith('-') ? noneOf : allOf;
    const body = kind === allOf ? raw : raw.slice(1);
    kind.push(body.startsWith('"') ? body.slice(1, -1) : body);
  }
  if (noneOf.some((t) => message.includes(t))) return false;
  if (!allOf.every((t) => message.includes(t))) return false;
  return anyOf.length === 0 || anyOf.some((t) => message.includes(t));
}

// ---------------------------------------------------------------- JSON patterns

type Token = { kind: 'op'; value: string } | { kind: 'selector'; value: string } | { kind: 'value'; value: string | number; quoted: boolean };

function matchesJsonPattern(pattern: string, message: string): boolean {
  let record: unknown;
  try {
    record = JSON.parse(message);
  } catch {
    return false;
  }
  const inner = pattern.trim();
  if (!inner.endsWith('}')) throw new Error(`JSON filter pattern must end with }: ${pattern}`);
  const tokens = tokenize(inner.slice(1, -1));
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const next = (): Token => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`filter pattern ends early: ${pattern}`);
    return token;
  };
  const orExpr = (): boolean => {
    let result = andExpr();
    while (peek()?.value === '||') {
      next();
      const right = andExpr();
      result = result || right;
    }
    return result;
  };
  const andExpr = (): boolean => {
    let result = unary();
    while (peek()?.value === '&&') {
      next();
      const right = unary();
      result = result && right;
    }
    return result;
  };
  const unary = (): boolean => {
    const token = next();
    if (token.kind === 'op' && token.value === '(') {
      const result = orExpr();
      if (next().value !== ')') throw new Error(`unbalanced parentheses: ${pattern}`);
      return result;
    }
    if (token.kind !== 'selector') throw new Error(`expected $.field in: ${pattern}`);
    const op = next();
    const value = next();
    if (op.kind !== 'op' || value.kind !== 'value') throw new Error(`expected an operator and a value in: ${pattern}`);
    return compare(select(record, token.value), op.value, value);
  };
  const result = orExpr();
  if (at !== tokens.length) throw new Error(`unexpected text in filter pattern: ${pattern}`);
  return result;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\|\||&&|!=|>=|<=|=|>|<|\(|\)|\$[\w.[\]]+|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?![\w*])|[^\s()=!<>&|"]+)/gy;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0].trim() !== '') {
    end = re.lastIndex;
    const t = m[1] as string;
    if (t.startsWith('$')) tokens.push({ kind: 'selector', value: t });
    else if (['||', '&&', '!=', '>=', '<=', '=', '>', '<', '(', ')'].includes(t)) tokens.push({ kind: 'op', value: t });
    else if (t.startsWith('"')) tokens.push({ kind: 'value', value: JSON.parse(t) as string, quoted: true });
    else if (/^-?\d+(?:\.\d+)?$/.test(t)) tokens.push({ kind: 'value', value: Number(t), quoted: false });
    else tokens.push({ kind: 'value', value: t, quoted: false });
  }
  if (text.slice(end).trim() !== '') throw new Error(`cannot read filter pattern near: ${text.slice(end)}`);
  return tokens;
}

/** `$.a.b[0].c` of the record; undefined when a step is missing. */
function select(record: unknown, selector: string): unknown {
  let value: unknown = record;
  for (const step of selector.slice(2).split(/\.|(?=\[)/)) {
    if (step === '') continue;
    const index = /^\[(\d+)\]$/.exec(step);
    if (index !== null) value = Array.isArray(value) ? value[Number(index[1])] : undefined;
    else value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[step] : undefined;
  }
  return value;
}

function compare(actual: unknown, op: string, expected: Token & { kind: 'value' }): boolean {
  if (typeof expected.value === 'number') {
    if (typeof actual !== 'number') return op === '!=';
    const a = actual;
    const b = expected.value;
    return op === '=' ? a === b : op === '!=' ? a !== b : op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b;
  }
  // Assumed: a missing field equals nothing, so it matches `!=` (the deployed patterns compare fields every record has).
  const text = typeof actual === 'string' ? actual : actual === undefined || actual === null ? undefined : String(actual);
  const equal = text !== undefined && wildcard(expected.value).test(text);
  if (op === '=') return equal;
  if (op === '!=') return !equal;
  throw new Error(`operator ${op} compares numbers only`);
}

function wildcard(value: string): RegExp {
  return new RegExp(`^${value.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
