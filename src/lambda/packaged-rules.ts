/**
 * Rules and templates as the Lambda bundle carries them: checked, tested and parsed when
 * the bundle is built (src/deploy/package-rules.ts), so a cold start compiles plain data
 * instead of parsing YAML and validating it again. Nothing here imports the YAML parser or
 * the rule schema (zod).
 */
import { compileValidatedRule } from '../rules/build-rule';
import { compilePackagedLists, type PackagedList } from '../rules/lists';
import { formatProblem, Problems } from '../yaml/problems';
import type { CompiledRule, RuleErrorCode } from '../rules/types';
import type { Template } from '../slack/template-parse';
import { templateSet, type TemplateSet } from '../slack/template-set';

/** The import the bundler resolves to the packaged rules (see deploy/esbuild-plugins.js). */
export const PACKAGED_RULES_MODULE = 'klaxon:packaged-rules';

export interface PackagedRules {
  /** Each rule file's data (its `tests` removed: they ran at build time). */
  rules: Array<{ file: string; data: unknown }>;
  templates: Template[];
  /** The lists in `rules/lists/` the rules may name (absent: none). */
  lists?: PackagedList[];
}

/** Compiles the packaged lists, then the rules; throws when one no longer compiles (a bundle built by another Klaxon version). */
export function compilePackagedRules(packaged: PackagedRules): { rules: CompiledRule[]; templates: TemplateSet } {
  const templates = templateSet(packaged.templates);
  const lists = compilePackagedLists(packaged.lists ?? []);
  const rules: CompiledRule[] = [];
  const problems: string[] = [];
  for (const { file, data } of packaged.rules) {
    const found = new Problems<RuleErrorCode>(file);
    const rule = compileValidatedRule(data, file, found, lists);
    problems.push(...found.list().map(formatProblem));
    if (rule !== undefined) rules.push(rule);
  }
  if (problems.length > 0) throw new Error(`the packaged rules do not compile:\n${problems.join('\n')}`);
  return { rules, templates };
}
