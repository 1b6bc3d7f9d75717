import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { declaredId } from '../rules/compile-rule';
import { loadRuleText } from '../rules/load';
import { Problems, type Problem } from '../yaml/problems';
import { readYamlFile } from '../yaml/read-file';
import { readYaml } from '../yaml/read-yaml';
import type { SigmaErrorCode } from './problems';
import { translateSigmaRule } from './translate';

/** One Sigma file's import: the Klaxon rule to write, or why there is none. */
export interface SigmaImport {
  file: string;
  problems: Problem<SigmaErrorCode>[];
  rule?: { id: string; path: string; text: string };
}

export interface ImportOptions {
  outDir: string;
  /** Overwrite rule files that exist. */
  force: boolean;
  /** Ids already written in this run: a second rule with the same id is refused. */
  taken: Set<string>;
  /** Ids the rule files already in the output directory declare, and their files. */
  existing: ReadonlyMap<string, string>;
}

/**
 * The ids of the rule files in `dir` (none when it does not exist yet), so that a rule is not
 * written beside another file with its id, which `klaxon validate` would refuse (DUPLICATE_ID).
 */
export function ruleIdsIn(dir: string): Map<string, string> {
  const ids = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
  } catch {
    return ids;
  }
  for (const name of names.sort()) {
    const file = join(dir, name);
    const text = readYamlFile(file);
    const yaml = typeof text === 'string' ? readYaml(text, new Problems<SigmaErrorCode>(file)) : undefined;
    const declared = yaml === undefined ? undefined : declaredId(yaml.data, yaml.locator, file);
    if (declared !== undefined && !ids.has(declared.id)) ids.set(declared.id, file);
  }
  return ids;
}

/**
 * Reads one Sigma rule file and returns the Klaxon rule file it becomes, checked with the
 * rule loader itself (so what is written passes `klaxon validate`), or its located problems.
 * Writes nothing: the caller writes the rules that came through.
 */
export function importSigmaFile(file: string, options: ImportOptions): SigmaImport {
  const text = readYamlFile(file);
  if (typeof text !== 'string') return { file, problems: [text] };
  const early = new Problems<SigmaErrorCode>(file);
  const yaml = readYaml(text, early);
  if (yaml === undefined) return { file, problems: early.list().map(explainCollection) };
  const problems = new Problems<SigmaErrorCode>(file, yaml.locator);
  const translated = translateSigmaRule(yaml.data, yaml.locator, problems);
  if (translated === undefined) return { file, problems: problems.list() };

  const path = join(options.outDir, `${translated.id}.yml`);
  if (options.taken.has(translated.id)) {
    problems.add('DUPLICATE_ID', ['title'], `another imported rule already has the id "${translated.id}" (from its title): change one title`);
  } else if (options.existing.has(translated.id) && options.existing.get(translated.id) !== path) {
    problems.add('DUPLICATE_ID', ['title'], `rule id "${translated.id}" (from the title) is already used by ${options.existing.get(translated.id) ?? ''}: change the title`);
  } else if (!options.force && existsSync(path)) {
    problems.add('OUTPUT_EXISTS', ['title'], `${path} exists: pass --force to overwrite it`);
  }
  const ruleText = renderRule(file, translated);
  for (const p of loadRuleText(ruleText, path).problems) {
    problems.add('INVALID_RULE', ['detection'], `the Klaxon rule it becomes does not validate: ${p.message} [${p.code}]`, { key: true });
  }
  if (problems.count > 0) return { file, problems: problems.list() };
  options.taken.add(translated.id);
  return { file, problems: [], rule: { id: translated.id, path, text: ruleText } };
}

/** Sigma rule collections (`---` between rules, `action: global`) are several documents in one file. */
function explainCollection(problem: Problem<SigmaErrorCode>): Problem<SigmaErrorCode> {
  if (!problem.message.startsWith('Source contains multiple documents')) return problem;
  return { ...problem, message: 'several YAML documents (a Sigma rule collection) are not supported: put one rule in each file' };
}

function renderRule(file: string, rule: { sigmaId?: string; status?: string; data: Record<string, unknown> }): string {
  const origin = [rule.sigmaId === undefined ? 'a Sigma rule' : `Sigma rule ${rule.sigmaId}`, rule.status === undefined ? '' : ` (status: ${rule.status})`].join('');
  const header = [
    '# yaml-language-server: $schema=./rule.schema.json',
    `# Imported by \`klaxon import sigma\` from ${oneLine(file)}: ${oneLine(origin)}.`,
    '# No tests yet: add a matching and a near-miss example under `tests:` (`klaxon test` runs them).',
  ];
  return `${header.join('\n')}\n${stringify(rule.data, { lineWidth: 100 })}`;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}
