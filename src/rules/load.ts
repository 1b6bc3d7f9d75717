import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Position } from '../yaml/locate';
import { Problems } from '../yaml/problems';
import { readFailed, readYamlFiles } from '../yaml/read-file';
import type { ParseCache } from '../yaml/parse-cache';
import { readYamlCached } from '../yaml/read-yaml-cached';
import { didYouMean } from '../yaml/suggest';
import { isMapping } from './field-tests';
import { compileRuleData, declaredId } from './compile-rule';
import { NO_LISTS, type RuleLists } from './lists';
import { LISTS_SUBDIR, loadListsFromDir } from './load-lists';
import type { CompiledRule, RuleErrorCode, RuleProblem } from './types';

export { formatProblem } from '../yaml/problems';

export interface LoadOptions {
  /** When given, `slack.template` must be one of these (UNKNOWN_TEMPLATE otherwise). */
  knownTemplates?: readonly string[];
  /** The lists `in_list` may name (`loadRulesFromDir` reads `DIR/lists/` when none are given). */
  lists?: RuleLists;
  /** What the files parsed to before (the CLI's cache on disk); none: every file is parsed. */
  parseCache?: ParseCache;
}

export interface LoadResult {
  rules: CompiledRule[];
  problems: RuleProblem[];
  /** The lists the rules could name. */
  lists: RuleLists;
}

const RULE_FILE = /\.ya?ml$/;

/**
 * Validates and compiles one rule file's text. Never throws: every problem in the file is
 * returned, located, and `rule` is set only when there are none.
 *
 * @example
 *   const { rule, problems } = loadRuleText(text, 'rules/ssh-brute-force.yml');
 *   for (const p of problems) console.error(formatProblem(p));
 */
export function loadRuleText(text: string, file: string, options: LoadOptions = {}): { rule?: CompiledRule; problems: RuleProblem[] } {
  const { rule, problems } = loadFile(text, file, options);
  return rule === undefined ? { problems } : { rule, problems };
}

/**
 * Loads every `*.yml` / `*.yaml` file directly in `dir`, in name order, after the lists in
 * `dir/lists/` (a folder, so never taken for a rule). A bad file is
 * reported and skipped; the others still load. A file whose id an earlier file (even a
 * broken one) already uses is reported (DUPLICATE_ID, naming that file) and skipped.
 */
export function loadRulesFromDir(dir: string, options: LoadOptions = {}): LoadResult {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => RULE_FILE.test(name)).sort();
  } catch (error) {
    return { rules: [], problems: [readFailed(dir, error)], lists: options.lists ?? NO_LISTS };
  }
  const listed = options.lists === undefined ? loadListsFromDir(join(dir, LISTS_SUBDIR)) : { lists: options.lists, problems: [] };
  const withLists = { ...options, lists: listed.lists };
  const rules: CompiledRule[] = [];
  const problems: RuleProblem[] = [...listed.problems];
  const firstFileById = new Map<string, string>();
  const suppressions: Suppressions[] = [];
  for (const { file, text } of readYamlFiles(dir, names, problems)) {
    const loaded = loadFile(text, file, withLists);
    problems.push(...loaded.problems);
    // Ids of broken files count too: fixing one file should not reveal a clash with another.
    const first = loaded.id === undefined ? undefined : firstFileById.get(loaded.id.id);
    if (loaded.id !== undefined && first !== undefined) {
      const { line, col } = loaded.id.position;
      problems.push({ code: 'DUPLICATE_ID', file, line, col, message: `rule id "${loaded.id.id}" is already used by ${first}` });
      continue;
    }
    if (loaded.id !== undefined) firstFileById.set(loaded.id.id, file);
    if (loaded.rule !== undefined) rules.push(loaded.rule);
    if (loaded.suppresses !== undefined) suppressions.push({ file, rule: loaded.id?.id, entries: loaded.suppresses });
  }
  problems.push(...unknownSuppressed(suppressions, [...firstFileById.keys()]));
  return { rules, problems, lists: listed.lists };
}

interface Suppressions {
  file: string;
  rule: string | undefined;
  entries: Array<{ id: string; position: Position }>;
}

/** Every id in `suppresses` must name another rule of the directory (broken files included). */
function unknownSuppressed(list: readonly Suppressions[], ids: readonly string[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const { file, rule, entries } of list) {
    for (const entry of entries) {
      const { id } = entry;
      const message =
        id === rule ? 'suppresses: a rule cannot suppress itself' : ids.includes(id) ? undefined : `suppresses: no rule has the id "${id}"${didYouMean(id, ids)}`;
      if (message !== undefined) problems.push({ code: 'UNKNOWN_RULE', file, line: entry.position.line, col: entry.position.col, message });
    }
  }
  return problems;
}

interface LoadedFile {
  rule?: CompiledRule;
  problems: RuleProblem[];
  id?: { id: string; position: Position };
  /** The ids the file's `suppresses` lists, where they are written. */
  suppresses?: Array<{ id: string; position: Position }>;
}

function loadFile(text: string, file: string, options: LoadOptions): LoadedFile {
  const problems = new Problems<RuleErrorCode>(file);
  const yaml = readYamlCached(text, problems, options.parseCache);
  if (yaml === undefined) return { problems: problems.list() };
  const located = new Problems<RuleErrorCode>(file, yaml.locator);
  const listProblems: RuleProblem[] = [];
  const rule = compileRuleData(yaml.data, yaml.locator, file, located, { ...options, listProblems });
  const suppresses = isMapping(yaml.data) && Array.isArray(yaml.data.suppresses) ? yaml.data.suppresses : undefined;
  return {
    rule,
    problems: [...listProblems, ...located.list()],
    id: declaredId(yaml.data, yaml.locator, file),
    ...(suppresses === undefined
      ? {}
      : {
          suppresses: suppresses.flatMap((id: unknown, i: number) =>
            // Where it is written matters only to a problem: looked up when read.
            typeof id === 'string' ? [{ id, get position(): Position { return yaml.locator.position(['suppresses', i]); } }] : [],
          ),
        }),
  };
}
