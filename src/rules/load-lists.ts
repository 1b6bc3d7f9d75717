import { readdirSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Problems } from '../yaml/problems';
import { readFailed, readYamlFiles } from '../yaml/read-file';
import { readYaml } from '../yaml/read-yaml';
import type { Position } from '../yaml/locate';
import { reportZodIssues } from '../yaml/zod-issues';
import { isMapping } from './field-tests';
import { listFileSchema } from './list-schema';
import { compileList, type ListEntry, type RuleList } from './lists';
import { RULE_ID_PATTERN, type RuleErrorCode, type RuleProblem } from './types';

/** Where the lists of a rules directory live: `DIR/lists/`. */
export const LISTS_SUBDIR = 'lists';

const LIST_FILE = /\.(ya?ml|txt)$/;
const LIST_ID = new RegExp(RULE_ID_PATTERN);

/**
 * Loads every list file directly in `dir` (`*.yml`/`*.yaml`: id, description, values;
 * `*.txt`: one value per line, `#` comments), in name order. A missing directory holds no
 * lists; one that cannot be read is READ_FAILED. A bad file is reported and skipped; a list whose id an earlier file uses is
 * reported (DUPLICATE_ID) and skipped.
 */
export function loadListsFromDir(dir: string): { lists: Map<string, RuleList>; problems: RuleProblem[] } {
  const lists = new Map<string, RuleList>();
  const problems: RuleProblem[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => LIST_FILE.test(name)).sort();
  } catch (error) {
    // No lists folder: no lists. One that cannot be read is a problem, not an empty set of lists.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(readFailed(dir, error));
    return { lists, problems };
  }
  for (const { file, text } of readYamlFiles(dir, names, problems)) {
    const loaded = loadListText(text, file);
    problems.push(...loaded.problems);
    if (loaded.id === undefined) continue;
    const first = lists.get(loaded.id.id);
    if (first !== undefined) {
      const { line, col } = loaded.id.position;
      problems.push({ code: 'DUPLICATE_ID', file, line, col, message: `list id "${loaded.id.id}" is already used by ${first.file}` });
    } else if (loaded.list !== undefined) {
      lists.set(loaded.id.id, loaded.list);
    }
  }
  return { lists, problems };
}

interface LoadedList {
  list?: RuleList;
  id?: { id: string; position: Position };
  problems: RuleProblem[];
}

/** One list file's text, by its extension; `list` is set only when there were no problems. */
export function loadListText(text: string, file: string): LoadedList {
  return extname(file) === '.txt' ? textList(text, file) : yamlList(text, file);
}

function yamlList(text: string, file: string): LoadedList {
  const problems = new Problems<RuleErrorCode>(file);
  const yaml = readYaml(text, problems);
  if (yaml === undefined) return { problems: problems.list() };
  const located = new Problems<RuleErrorCode>(file, yaml.locator);
  const data = yaml.data;
  if (!isMapping(data)) {
    located.addAt('NOT_A_MAPPING', { line: 1, col: 1 }, 'a list file is a mapping: id (optional), description, values: [...]');
    return { problems: located.list() };
  }
  const parsed = listFileSchema.safeParse(data);
  if (!parsed.success) reportZodIssues(parsed.error.issues, listFileSchema, data, located);
  const id = listId(data.id, file, data.id === undefined ? { line: 1, col: 1 } : yaml.locator.position(['id']), located);
  if (!parsed.success || id === undefined) return { ...(id === undefined ? {} : { id }), problems: located.list() };
  const entries = parsed.data.values.map((value, i) => ({ value, position: yaml.locator.position(['values', i]) }));
  return { list: compileList(id.id, file, entries), id, problems: located.list() };
}

/** One value per line; blank lines and `#` comments (at a line's start or after a space) are skipped. */
function textList(text: string, file: string): LoadedList {
  const problems = new Problems<RuleErrorCode>(file);
  const id = listId(undefined, file, { line: 1, col: 1 }, problems);
  const entries: ListEntry[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const content = line.replace(/(^|\s)#.*$/, '');
      const value = content.trim();
      if (value !== '') entries.push({ value, position: { line: i + 1, col: content.indexOf(value) + 1 } });
    });
  if (id === undefined) return { problems: problems.list() };
  return { list: compileList(id.id, file, entries), id, problems: problems.list() };
}

/** The id as written, or the file name; `undefined` (reported) when neither is a valid id. */
function listId(written: unknown, file: string, position: Position, problems: Problems<RuleErrorCode>): { id: string; position: Position } | undefined {
  if (written !== undefined) return typeof written === 'string' && LIST_ID.test(written) ? { id: written, position } : undefined;
  const fromName = basename(file, extname(file));
  if (LIST_ID.test(fromName)) return { id: fromName, position };
  problems.addAt('BAD_VALUE', position, `the list id defaults to the file name "${fromName}", which is not a valid id: rename the file or (in YAML) set id`);
  return undefined;
}
