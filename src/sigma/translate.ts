import { isMapping } from '../rules/field-tests';
import { RULE_ID_PATTERN, type Severity } from '../rules/types';
import type { Path } from '../yaml/locate';
import type { SourceLocator } from '../yaml/source-locator';
import { allOf, anyOf, noneOf, type KlaxonCondition } from './combine';
import { ConditionError, parseCondition, selectionsMatching, type ConditionNode } from './condition';
import { klaxonLogSource, type KlaxonLogSource } from './logsource';
import type { SigmaProblems } from './problems';
import { SigmaValueError, translateFieldTest, translateKeywords } from './values';

/** What one Sigma rule becomes: a Klaxon rule's data (keys in the order they are written). */
export interface TranslatedRule {
  id: string;
  sigmaId?: string;
  status?: string;
  data: Record<string, unknown>;
}

const LEVELS: Record<string, Severity> = { informational: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };
/** Sigma's level is optional; a rule without one is imported as medium (the README says so). */
export const DEFAULT_SEVERITY: Severity = 'medium';
const NOT_SELECTIONS = new Set(['condition', 'timeframe']);
/** Keys of Klaxon's condition grammar: a Sigma field of that name would be read as one. */
const GRAMMAR_KEYS = new Set(['all', 'any', 'not']);

/**
 * Translates one Sigma rule (already parsed YAML data) into a Klaxon rule, or reports, each
 * at its place in the Sigma file, everything that has no faithful Klaxon form.
 */
export function translateSigmaRule(data: unknown, locator: SourceLocator, problems: SigmaProblems): TranslatedRule | undefined {
  if (!isMapping(data)) {
    problems.addAt('NOT_A_MAPPING', { line: 1, col: 1 }, 'a Sigma rule is a mapping with title, logsource and detection');
    return undefined;
  }
  const before = problems.count;
  for (const key of ['correlation', 'filter']) {
    if (data[key] !== undefined) problems.add('UNSUPPORTED', [key], `Sigma ${key} rules are not supported: Klaxon imports detection rules (single events)`, { key: true });
  }
  if (problems.count > before) return undefined;
  const title = requiredString(data, 'title', problems);
  const logsource = readLogSource(data, problems);
  const severity = readLevel(data, problems);
  const match = logsource === undefined ? undefined : readDetection(data, logsource, locator, problems);
  if (problems.count > before || title === undefined || logsource === undefined || match === undefined) return undefined;

  const id = ruleIdFor(title, data.id);
  const description = [typeof data.description === 'string' ? data.description.trim() : undefined, falsePositives(data.falsepositives)]
    .filter((part) => part !== undefined && part !== '')
    .join('\n\n');
  const tags = Array.isArray(data.tags) ? data.tags.filter((tag): tag is string => typeof tag === 'string' && tag !== '') : [];
  const rule: Record<string, unknown> = { id, title };
  if (description !== '') rule.description = description;
  Object.assign(rule, { source: logsource.source, severity, match: logsource.narrowing === undefined ? match : allOf([logsource.narrowing, match]) });
  if (tags.length > 0) rule.tags = tags;
  return {
    id,
    data: rule,
    ...(typeof data.id === 'string' ? { sigmaId: data.id } : {}),
    ...(typeof data.status === 'string' ? { status: data.status } : {}),
  };
}

/** A Klaxon rule id from the Sigma title: lowercase words joined by `-` (the Sigma id when the title has none). */
export function ruleIdFor(title: string, sigmaId: unknown): string {
  const slug = slugify(title);
  if (slug !== '') return slug;
  const fromId = typeof sigmaId === 'string' ? slugify(sigmaId) : '';
  return fromId === '' ? 'sigma-rule' : `sigma-${fromId}`;
}

const MAX_ID_LENGTH = 64;

function slugify(text: string): string {
  let slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // the accents NFKD split off: Ü → u, not u-
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > MAX_ID_LENGTH) {
    // Cut at the last whole word that fits.
    const dash = slug.slice(0, MAX_ID_LENGTH + 1).lastIndexOf('-');
    slug = slug.slice(0, dash > 0 ? dash : MAX_ID_LENGTH);
  }
  return new RegExp(RULE_ID_PATTERN).test(slug) ? slug : '';
}

function falsePositives(list: unknown): string | undefined {
  const items = (Array.isArray(list) ? list : [list]).filter((item): item is string => typeof item === 'string' && item.trim() !== '');
  return items.length === 0 ? undefined : `False positives: ${items.join('; ')}.`;
}

function requiredString(data: Record<string, unknown>, key: string, problems: SigmaProblems): string | undefined {
  const value = data[key];
  if (value === undefined) problems.add('MISSING_KEY', [], `missing "${key}"`);
  else if (typeof value !== 'string' || value.trim() === '') problems.add('BAD_VALUE', [key], 'must be a non-empty string');
  else return value.trim();
  return undefined;
}

function readLogSource(data: Record<string, unknown>, problems: SigmaProblems): KlaxonLogSource | undefined {
  if (data.logsource === undefined) {
    problems.add('MISSING_KEY', [], 'missing "logsource"');
    return undefined;
  }
  if (!isMapping(data.logsource)) {
    problems.add('BAD_VALUE', ['logsource'], 'must be a mapping (product, service)');
    return undefined;
  }
  const result = klaxonLogSource(data.logsource);
  if (typeof result !== 'string') return result;
  problems.add('UNSUPPORTED_LOGSOURCE', ['logsource'], result, { key: true });
  return undefined;
}

function readLevel(data: Record<string, unknown>, problems: SigmaProblems): Severity {
  if (data.level === undefined) return DEFAULT_SEVERITY;
  const severity = typeof data.level === 'string' ? LEVELS[data.level.toLowerCase()] : undefined;
  if (severity === undefined) problems.add('BAD_VALUE', ['level'], `"${String(data.level)}" is not a Sigma level (${Object.keys(LEVELS).join(', ')})`);
  return severity ?? DEFAULT_SEVERITY;
}

function readDetection(data: Record<string, unknown>, logsource: KlaxonLogSource, locator: SourceLocator, problems: SigmaProblems): KlaxonCondition | undefined {
  const detection = data.detection;
  const before = problems.count;
  if (detection === undefined) {
    problems.add('MISSING_KEY', [], 'missing "detection"');
    return undefined;
  }
  if (!isMapping(detection)) {
    problems.add('BAD_VALUE', ['detection'], 'must be a mapping of named selections and a condition');
    return undefined;
  }
  if (detection.timeframe !== undefined) {
    problems.add('UNSUPPORTED', ['detection', 'timeframe'], 'timeframe (with aggregations) is not supported: Klaxon imports single-event rules; add a threshold to the Klaxon rule instead', { key: true });
  }
  const conditions = typeof detection.condition === 'string' ? [detection.condition] : detection.condition;
  if (conditions === undefined) {
    problems.add('MISSING_KEY', ['detection'], 'missing "condition"');
    return undefined;
  }
  if (!Array.isArray(conditions) || conditions.length === 0 || !conditions.every((c) => typeof c === 'string')) {
    problems.add('BAD_VALUE', ['detection', 'condition'], 'must be a condition expression (or a list of them)');
    return undefined;
  }
  const selections = new Selections(detection, logsource, problems);
  const parts: KlaxonCondition[] = [];
  (conditions as string[]).forEach((text, i) => {
    const path: Path = typeof detection.condition === 'string' ? ['detection', 'condition'] : ['detection', 'condition', i];
    const part = translateCondition(text, path, selections, locator, problems);
    if (part !== undefined) parts.push(part);
  });
  // A list of conditions means any of them (Sigma specification, "Condition").
  return parts.length === conditions.length && problems.count === before ? anyOf(parts) : undefined;
}

function translateCondition(text: string, path: Path, selections: Selections, locator: SourceLocator, problems: SigmaProblems): KlaxonCondition | undefined {
  let tree: ConditionNode;
  try {
    tree = parseCondition(text);
  } catch (error) {
    if (!(error instanceof ConditionError)) throw error;
    problems.addAt(error.unsupported ? 'UNSUPPORTED' : 'BAD_CONDITION', conditionPosition(locator, path, error.at), `condition: ${error.message}`);
    return undefined;
  }
  const build = (node: ConditionNode): KlaxonCondition | undefined => {
    switch (node.kind) {
      case 'ref': {
        if (!selections.has(node.name)) {
          problems.addAt('UNKNOWN_SELECTION', conditionPosition(locator, path, node.at), `condition: no selection named "${node.name}" (selections: ${selections.names.join(', ') || 'none'})`);
          return undefined;
        }
        return selections.get(node.name);
      }
      case 'of': {
        const names = selectionsMatching(node.pattern, selections.names);
        if (names.length === 0) {
          problems.addAt('UNKNOWN_SELECTION', conditionPosition(locator, path, node.at), `condition: no selection matches "${node.pattern ?? 'them'}"`);
          return undefined;
        }
        const parts = names.map((name) => selections.get(name));
        if (parts.some((part) => part === undefined)) return undefined;
        return node.quantifier === 'all' ? allOf(parts as KlaxonCondition[]) : anyOf(parts as KlaxonCondition[]);
      }
      case 'not': {
        const inner = build(node.item);
        return inner === undefined ? undefined : noneOf(inner);
      }
      default: {
        const parts = node.items.map(build);
        if (parts.some((part) => part === undefined)) return undefined;
        return node.kind === 'and' ? allOf(parts as KlaxonCondition[]) : anyOf(parts as KlaxonCondition[]);
      }
    }
  };
  return build(tree);
}

/** Where offset `at` of a condition is in the file: inside the scalar, past its opening quote. */
function conditionPosition(locator: SourceLocator, path: Path, at: number) {
  const range = locator.range(path);
  if (range === undefined) return locator.position(path);
  const quoted = locator.text[range[0]] === '"' || locator.text[range[0]] === "'";
  return locator.positionOf(range[0] + (quoted ? 1 : 0) + at);
}

/** The detection's named selections, each translated once, when the condition first names it. */
class Selections {
  readonly names: string[];
  private readonly done = new Map<string, KlaxonCondition | undefined>();

  constructor(
    private readonly detection: Record<string, unknown>,
    private readonly logsource: KlaxonLogSource,
    private readonly problems: SigmaProblems,
  ) {
    this.names = Object.keys(detection).filter((name) => !NOT_SELECTIONS.has(name));
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  get(name: string): KlaxonCondition | undefined {
    if (!this.done.has(name)) this.done.set(name, this.translate(this.detection[name], ['detection', name]));
    return this.done.get(name);
  }

  private translate(spec: unknown, path: Path): KlaxonCondition | undefined {
    if (typeof spec === 'string' || typeof spec === 'number') return this.keywords([spec], path, false);
    if (isMapping(spec)) return this.mapping(spec, path);
    if (Array.isArray(spec) && spec.length > 0) {
      if (spec.every((item) => typeof item === 'string' || typeof item === 'number')) return this.keywords(spec, path, false);
      if (spec.every(isMapping)) {
        const parts = spec.map((item, i) => this.mapping(item, [...path, i]));
        return parts.every((part) => part !== undefined) ? anyOf(parts as KlaxonCondition[]) : undefined;
      }
    }
    this.problems.add('BAD_VALUE', path, 'a selection is a mapping of field tests, a list of such mappings, or a list of keywords');
    return undefined;
  }

  private mapping(spec: Record<string, unknown>, path: Path): KlaxonCondition | undefined {
    const entries = Object.entries(spec);
    if (entries.length === 0) {
      this.problems.add('BAD_VALUE', path, 'an empty selection would match every event');
      return undefined;
    }
    const parts: KlaxonCondition[] = [];
    let ok = true;
    for (const [key, value] of entries) {
      const [field = '', ...modifiers] = key.split('|');
      const at = [...path, key];
      const part = field === '' ? this.keywordModifiers(modifiers, value, at) : this.field(field, modifiers, value, at);
      if (part === undefined) ok = false;
      else parts.push(part);
    }
    return ok ? allOf(parts) : undefined;
  }

  private field(field: string, modifiers: string[], value: unknown, at: Path): KlaxonCondition | undefined {
    const unknown = GRAMMAR_KEYS.has(field) ? `field "${field}" has no Klaxon equivalent` : this.logsource.checkField(field);
    if (unknown !== undefined) {
      this.problems.add('UNKNOWN_FIELD', at, `${unknown} (Sigma log source ${this.logsource.label})`, { key: true });
      return undefined;
    }
    return this.guard(at, () => translateFieldTest(field, modifiers, value));
  }

  /** `'|all': [keywords]`: every keyword must occur. */
  private keywordModifiers(modifiers: string[], value: unknown, at: Path): KlaxonCondition | undefined {
    if (modifiers.length !== 1 || modifiers[0]?.toLowerCase() !== 'all' || !Array.isArray(value)) {
      this.problems.add('UNSUPPORTED', at, 'a key without a field name is only supported as `|all:` over a list of keywords', { key: true });
      return undefined;
    }
    return this.keywords(value, at, true);
  }

  private keywords(list: readonly unknown[], at: Path, all: boolean): KlaxonCondition | undefined {
    const field = this.logsource.keywordField;
    if (field === undefined) {
      this.problems.add('UNSUPPORTED', at, `keywords (values without a field name) are not supported for ${this.logsource.label}: name the field they must be in`);
      return undefined;
    }
    return this.guard(at, () => translateKeywords(field, list, all));
  }

  private guard(at: Path, translate: () => KlaxonCondition): KlaxonCondition | undefined {
    try {
      return translate();
    } catch (error) {
      if (!(error instanceof SigmaValueError)) throw error;
      const key = error.code === 'UNKNOWN_MODIFIER' || error.code === 'UNSUPPORTED';
      this.problems.add(error.code, error.index === undefined ? at : [...at, error.index], error.message, { key: key && error.index === undefined });
      return undefined;
    }
  }
}
