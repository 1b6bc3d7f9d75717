/**
 * Build-time side of the Lambda bundles' rules: loads `rules/` (with its lists) and `templates/` as `klaxon
 * validate` does, runs every test inside the rule files, and returns the data the bundle
 * carries. Any problem or failing test stops the build with its location, so a broken rule
 * never reaches AWS.
 */
import { relative } from 'node:path';
import { runRuleTest } from '../engine/rule-tests';
import type { PackagedRules } from '../lambda/packaged-rules';
import { packageList } from '../rules/lists';
import { formatProblem, loadRulesFromDir } from '../rules/load';
import type { CompiledRule } from '../rules/types';
import { loadTemplates } from '../slack/templates';
import { readYamlFile } from '../yaml/read-file';
import { readYaml } from '../yaml/read-yaml';
import { Problems } from '../yaml/problems';

export class RulePackagingError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the rules cannot be packaged:\n${problems.join('\n')}`);
    this.name = 'RulePackagingError';
  }
}

/** Checks the rules, runs their tests, and returns what the bundle carries. */
export async function packageRules(rulesDir: string, templatesDir: string, base: string = process.cwd()): Promise<PackagedRules> {
  const packaged = collectRules(rulesDir, templatesDir, base);
  const failures: string[] = [];
  for (const rule of packaged.loaded) {
    for (const test of rule.tests) {
      const outcome = await runRuleTest(rule, test, packaged.loaded);
      for (const failure of outcome.failures) failures.push(`${rule.file}:${test.line}: test "${test.name}" fails: ${failure}`);
    }
  }
  if (failures.length > 0) throw new RulePackagingError(failures);
  return packaged.data;
}

/** Checks and collects the rules without running their tests. */
export function collectRules(rulesDir: string, templatesDir: string, base: string = process.cwd()): { data: PackagedRules; loaded: CompiledRule[] } {
  const templates = loadTemplates(templatesDir);
  const loaded = loadRulesFromDir(rulesDir, { knownTemplates: templates.templates.names() });
  const problems = [...templates.problems, ...loaded.problems.map(formatProblem)];
  if (loaded.rules.length === 0 && problems.length === 0) problems.push(`${rulesDir}: no rule files (*.yml) to package`);
  if (problems.length > 0) throw new RulePackagingError(problems);

  const rules = loaded.rules.map((rule) => {
    const text = readYamlFile(rule.file);
    const yaml = typeof text === 'string' ? readYaml(text, new Problems(rule.file)) : undefined;
    if (yaml === undefined) throw new RulePackagingError([`${rule.file}: changed while it was being packaged`]);
    const data = { ...(yaml.data as Record<string, unknown>) };
    delete data.tests;
    return { file: relative(base, rule.file), data };
  });
  const packagedTemplates = templates.templates.names().map((name) => {
    const template = templates.templates.get(name);
    if (template === undefined) throw new RulePackagingError([`template ${name} vanished`]);
    return { ...template, file: relative(base, template.file) };
  });
  const lists = [...loaded.lists.values()].map((list) => ({ ...packageList(list), file: relative(base, list.file) }));
  return { data: { rules, templates: packagedTemplates, lists }, loaded: loaded.rules };
}
