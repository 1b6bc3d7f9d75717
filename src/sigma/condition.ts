/**
 * Sigma's `condition` expressions, parsed by recursive descent into a tree of selection
 * references. Grammar (least to most binding, as the Sigma specification orders it):
 *
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | primary
 *   primary := '(' or ')' | ('1' | 'any' | 'all') 'of' (PATTERN | 'them') | NAME
 *
 * Keywords are case-insensitive. Aggregations (`| count() > 5`) and `near` belong to
 * correlations Klaxon's single-event rules cannot express: they are refused, never dropped.
 */

export type ConditionNode =
  | { kind: 'ref'; name: string; at: number }
  | { kind: 'of'; quantifier: 'one' | 'all'; /** `undefined`: `them` */ pattern: string | undefined; at: number }
  | { kind: 'and' | 'or'; items: ConditionNode[] }
  | { kind: 'not'; item: ConditionNode };

/** A problem at a character offset of the condition text. */
export class ConditionError extends Error {
  override name = 'ConditionError';
  constructor(
    message: string,
    readonly at: number,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

interface Token {
  text: string;
  at: number;
}

/** Conditions longer than this are refused: no real rule needs one, and it bounds recursion. */
const MAX_CONDITION_LENGTH = 4096;

export function parseCondition(text: string): ConditionNode {
  if (text.length > MAX_CONDITION_LENGTH) throw new ConditionError(`a condition longer than ${MAX_CONDITION_LENGTH} characters`, 0);
  const parser = new Parser(tokenize(text), text.length);
  const node = parser.or();
  parser.end();
  return node;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:([()|])|([^\s()|]+))/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null && match[0] !== '') {
    const word = match[1] ?? match[2] ?? '';
    const at = match.index + match[0].length - word.length;
    if (word === '|') throw new ConditionError('aggregations (`| count() ...`) are not supported: Klaxon imports single-event rules; write a threshold in the Klaxon rule instead', at, true);
    tokens.push({ text: word, at });
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', '1', 'any', 'all', 'near']);

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  or(): ConditionNode {
    const items = [this.and()];
    while (this.takeKeyword('or')) items.push(this.and());
    return items.length === 1 ? (items[0] as ConditionNode) : { kind: 'or', items };
  }

  end(): void {
    const next = this.peek();
    if (next?.text.toLowerCase() === 'near') throw nearUnsupported(next.at);
    if (next !== undefined) throw new ConditionError(`expected "and", "or" or the end, found "${next.text}"`, next.at);
  }

  private and(): ConditionNode {
    const items = [this.not()];
    while (this.takeKeyword('and')) items.push(this.not());
    return items.length === 1 ? (items[0] as ConditionNode) : { kind: 'and', items };
  }

  private not(): ConditionNode {
    if (this.takeKeyword('not')) return { kind: 'not', item: this.nested(() => this.not()) };
    return this.primary();
  }

  private primary(): ConditionNode {
    const token = this.next('a selection name, "(", "not", "1 of" or "all of"');
    const word = token.text.toLowerCase();
    if (token.text === '(') {
      const inner = this.nested(() => this.or());
      const close = this.next('")"');
      if (close.text !== ')') throw new ConditionError(`expected ")", found "${close.text}"`, close.at);
      return inner;
    }
    if (word === '1' || word === 'any' || word === 'all') {
      const of = this.next('"of"');
      if (of.text.toLowerCase() !== 'of') throw new ConditionError(`expected "of" after "${token.text}", found "${of.text}"`, of.at);
      const target = this.next('a selection pattern or "them"');
      if (target.text === '(' || target.text === ')' || (KEYWORDS.has(target.text.toLowerCase()) && target.text.toLowerCase() !== 'them')) {
        throw new ConditionError(`expected a selection pattern or "them" after "of", found "${target.text}"`, target.at);
      }
      return { kind: 'of', quantifier: word === 'all' ? 'all' : 'one', pattern: target.text.toLowerCase() === 'them' ? undefined : target.text, at: token.at };
    }
    if (word === 'near') throw nearUnsupported(token.at);
    if (/^\d+$/.test(word)) throw new ConditionError(`"${token.text} of" is not supported: only "1 of" and "all of"`, token.at, true);
    if (KEYWORDS.has(word) || token.text === ')') throw new ConditionError(`expected a selection name, found "${token.text}"`, token.at);
    return { kind: 'ref', name: token.text, at: token.at };
  }

  private nested(parse: () => ConditionNode): ConditionNode {
    if (++this.depth > 64) throw new ConditionError('the condition nests too deeply', this.peek()?.at ?? this.length);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private takeKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token === undefined || token.text.toLowerCase() !== keyword) return false;
    this.index++;
    return true;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.index++];
    if (token === undefined) throw new ConditionError(`expected ${expected}, found the end of the condition`, this.length);
    return token;
  }
}

function nearUnsupported(at: number): ConditionError {
  return new ConditionError('"near" (events close in time) is not supported: Klaxon imports single-event rules', at, true);
}

/** Sigma's `them` leaves out selections whose names start with `_`; patterns match with `*`. */
export function selectionsMatching(pattern: string | undefined, names: readonly string[]): string[] {
  if (pattern === undefined) return names.filter((name) => !name.startsWith('_'));
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
  return names.filter((name) => regex.test(name));
}

export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
