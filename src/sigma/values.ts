import { allOf, anyOf, type KlaxonCondition } from './combine';
import { escapeRegex } from './condition';

/**
 * One Sigma field test (`field|mod|mod: value or [values]`) as a Klaxon condition, with
 * Sigma's semantics kept:
 * - plain strings compare case-insensitively (`ignore_case: true`; left out when the text has
 *   no letter a case could change), `cased` makes them case-sensitive;
 * - `*` (any run) and `?` (one character) are wildcards, `\` escapes them and itself; a
 *   pattern that is only `*text`, `text*` or `*text*` becomes endswith/startswith/contains,
 *   any other an anchored RE2 regex;
 * - `re` is case-sensitive unless `re|i`; `re|m` and `re|s` set RE2's flags;
 * - a list of values means any of them, with `all` every one of them; `null` means absent.
 * Anything else is a `SigmaValueError`: the importer never writes a rule that means less or more.
 */
export class SigmaValueError extends Error {
  override name = 'SigmaValueError';
  constructor(
    message: string,
    readonly code: 'UNKNOWN_MODIFIER' | 'UNSUPPORTED' | 'BAD_VALUE',
    /** Index of the offending value in a list, when it is one value's fault. */
    readonly index?: number,
  ) {
    super(message);
  }
}

const POSITIONS = ['contains', 'startswith', 'endswith'] as const;
const COMPARISONS = ['gt', 'gte', 'lt', 'lte'] as const;
const KINDS = [...POSITIONS, 're', 'cidr', 'exists', ...COMPARISONS] as const;
const FLAGS = ['all', 'cased'] as const;
const REGEX_FLAGS = ['i', 'm', 's'] as const;
/** Modifiers the Sigma specification defines that have no faithful Klaxon form. */
const UNSUPPORTED_MODIFIERS = [
  'base64',
  'base64offset',
  'utf16',
  'utf16le',
  'utf16be',
  'wide',
  'windash',
  'expand',
  'fieldref',
  'neq',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
];
export const SUPPORTED_MODIFIERS: readonly string[] = [...KINDS, ...FLAGS, ...REGEX_FLAGS.map((f) => `re|${f}`)];

type Kind = (typeof KINDS)[number] | 'equals';

interface Modifiers {
  kind: Kind;
  all: boolean;
  cased: boolean;
  regexFlags: Set<string>;
}

export function parseModifiers(modifiers: readonly string[]): Modifiers {
  const parsed: Modifiers = { kind: 'equals', all: false, cased: false, regexFlags: new Set() };
  for (const raw of modifiers) {
    const modifier = raw.toLowerCase();
    if ((REGEX_FLAGS as readonly string[]).includes(modifier) && parsed.kind === 're') parsed.regexFlags.add(modifier);
    else if (modifier === 'all') parsed.all = true;
    else if (modifier === 'cased') parsed.cased = true;
    else if ((KINDS as readonly string[]).includes(modifier)) {
      if (parsed.kind !== 'equals') throw new SigmaValueError(`modifiers "${parsed.kind}" and "${modifier}" cannot be combined`, 'UNSUPPORTED');
      parsed.kind = modifier as Kind;
    } else if (UNSUPPORTED_MODIFIERS.includes(modifier)) {
      throw new SigmaValueError(`modifier "${raw}" is not supported by the import (supported: ${SUPPORTED_MODIFIERS.join(', ')})`, 'UNSUPPORTED');
    } else {
      throw new SigmaValueError(`unknown modifier "${raw}" (supported: ${SUPPORTED_MODIFIERS.join(', ')})`, 'UNKNOWN_MODIFIER');
    }
  }
  return parsed;
}

/** One value's test: a Klaxon operator, its argument, and whether it ignores case. */
interface Test {
  op: string;
  arg: string | number | boolean;
  ignoreCase: boolean;
}

export function translateFieldTest(field: string, modifierList: readonly string[], spec: unknown): KlaxonCondition {
  const modifiers = parseModifiers(modifierList);
  const values = Array.isArray(spec) ? spec : [spec];
  if (values.length === 0) throw new SigmaValueError('an empty list of values matches nothing', 'BAD_VALUE');
  const tests = values.map((value, i) => {
    try {
      return valueTest(value, modifiers);
    } catch (error) {
      if (error instanceof SigmaValueError && Array.isArray(spec)) throw new SigmaValueError(error.message, error.code, i);
      throw error;
    }
  });
  if (modifiers.all) return allOf(tests.map((test) => ({ [field]: klaxonSpec(test.op, [test.arg], test.ignoreCase) })));
  return anyOf(groupTests(tests).map(({ op, args, ignoreCase }) => ({ [field]: klaxonSpec(op, args, ignoreCase) })));
}

/** Keywords (a list under a selection, no field) search the message text: `contains` per keyword. */
export function translateKeywords(field: string, keywords: readonly unknown[], all: boolean): KlaxonCondition {
  return translateFieldTest(field, all ? ['contains', 'all'] : ['contains'], keywords);
}

function valueTest(value: unknown, modifiers: Modifiers): Test {
  const { kind } = modifiers;
  if (value === null) {
    if (kind !== 'equals') throw new SigmaValueError(`null cannot be used with "${kind}"`, 'BAD_VALUE');
    return { op: 'exists', arg: false, ignoreCase: false };
  }
  if (kind === 'exists') {
    if (typeof value !== 'boolean') throw new SigmaValueError('exists takes true or false', 'BAD_VALUE');
    return { op: 'exists', arg: value, ignoreCase: false };
  }
  if ((COMPARISONS as readonly string[]).includes(kind)) {
    if (typeof value !== 'number') throw new SigmaValueError(`${kind} takes a number`, 'BAD_VALUE');
    return { op: kind, arg: value, ignoreCase: false };
  }
  if (typeof value === 'boolean' || typeof value === 'number') {
    if (kind === 'equals') return { op: 'equals', arg: value, ignoreCase: false };
    if (typeof value === 'boolean') throw new SigmaValueError(`${kind} takes text, not ${String(value)}`, 'BAD_VALUE');
  }
  if (typeof value !== 'string' && typeof value !== 'number') throw new SigmaValueError('a value must be a string, number, boolean or null', 'BAD_VALUE');
  const text = String(value);
  if (kind === 're') return { op: 'regex', arg: regexWithFlags(text, modifiers.regexFlags), ignoreCase: modifiers.regexFlags.has('i') };
  if (kind === 'cidr') return { op: 'cidr', arg: text, ignoreCase: false };
  return patternTest(text, kind, modifiers.cased);
}

function regexWithFlags(pattern: string, flags: ReadonlySet<string>): string {
  const inline = [...flags].filter((f) => f !== 'i').sort().join('');
  return inline === '' ? pattern : `(?${inline})${pattern}`;
}

type Piece = { wildcard: '*' | '?' } | { text: string };

/** Sigma's escaping: `\` before `*`, `?` or `\` makes it plain; any other `\` is itself. */
export function parseWildcards(value: string): Piece[] {
  const pieces: Piece[] = [];
  let text = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    const next = value[i + 1];
    if (c === '\\' && (next === '*' || next === '?' || next === '\\')) {
      text += next;
      i++;
    } else if (c === '*' || c === '?') {
      if (text !== '') pieces.push({ text });
      text = '';
      const last = pieces[pieces.length - 1];
      if (!(c === '*' && last !== undefined && 'wildcard' in last && last.wildcard === '*')) pieces.push({ wildcard: c });
    } else {
      text += c;
    }
  }
  if (text !== '') pieces.push({ text });
  return pieces;
}

function patternTest(value: string, kind: Kind, cased: boolean): Test {
  const pieces = parseWildcards(value);
  if (kind === 'contains' || kind === 'endswith') pieces.unshift({ wildcard: '*' });
  if (kind === 'contains' || kind === 'startswith') pieces.push({ wildcard: '*' });
  const collapsed = pieces.filter((piece, i) => !(isStar(piece) && isStar(pieces[i - 1])));
  const texts = collapsed.filter((piece): piece is { text: string } => 'text' in piece);
  const ignoreCase = !cased && texts.some((piece) => hasCase(piece.text));
  const shape = collapsed.map((piece) => ('text' in piece ? 't' : piece.wildcard)).join('');
  const only = texts[0]?.text ?? '';
  switch (shape) {
    case '':
      return { op: 'equals', arg: '', ignoreCase: false };
    case 't':
      return { op: 'equals', arg: only, ignoreCase };
    case '*t':
      return { op: 'endswith', arg: only, ignoreCase };
    case 't*':
      return { op: 'startswith', arg: only, ignoreCase };
    case '*t*':
      return { op: 'contains', arg: only, ignoreCase };
    default: {
      // Klaxon regexes search (unanchored): a leading or trailing `*` is that search's own freedom.
      const open = isStar(collapsed[0]);
      const close = isStar(collapsed[collapsed.length - 1]);
      const inner = collapsed.slice(open ? 1 : 0, close ? -1 : undefined);
      const body = inner.map((piece) => ('text' in piece ? escapeRegex(piece.text) : piece.wildcard === '*' ? '.*' : '.')).join('');
      return { op: 'regex', arg: `(?s)${open ? '' : '^'}${body}${close ? '' : '$'}`, ignoreCase };
    }
  }
}

function isStar(piece: Piece | undefined): boolean {
  return piece !== undefined && 'wildcard' in piece && piece.wildcard === '*';
}

function hasCase(text: string): boolean {
  return text.toLowerCase() !== text.toUpperCase();
}

/** Tests of one operator and case rule share one operator map (their values are alternatives). */
function groupTests(tests: readonly Test[]): Array<{ op: string; args: Array<string | number | boolean>; ignoreCase: boolean }> {
  const groups = new Map<string, { op: string; args: Array<string | number | boolean>; ignoreCase: boolean }>();
  for (const test of tests) {
    const listable = !['exists', ...COMPARISONS].includes(test.op);
    const key = listable ? `${test.op}/${String(test.ignoreCase)}` : `${test.op}/${String(test.arg)}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { op: test.op, args: [test.arg], ignoreCase: test.ignoreCase });
    else if (!group.args.includes(test.arg)) group.args.push(test.arg);
  }
  return [...groups.values()];
}

function klaxonSpec(op: string, args: ReadonlyArray<string | number | boolean>, ignoreCase: boolean): unknown {
  const caseFlag = ignoreCase ? { ignore_case: true } : {};
  if (op === 'equals') {
    if (!ignoreCase) return args.length === 1 ? args[0] : [...args];
    return args.length === 1 ? { equals: args[0], ...caseFlag } : { in: [...args], ...caseFlag };
  }
  return { [op]: args.length === 1 ? args[0] : [...args], ...caseFlag };
}
