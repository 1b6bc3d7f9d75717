import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRulesFromDir, type LoadResult } from '../rules/load';
import { DEFAULT_TEMPLATES_DIR, loadTemplates, type TemplateSet } from '../slack/templates';
import type { ParseCache } from '../yaml/parse-cache';

/** The rules shipped with Klaxon, used when neither --rules nor KLAXON_RULES names a directory and ./rules does not exist. */
export const BUNDLED_RULES_DIR = resolve(__dirname, '..', '..', 'rules');

export function rulesDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) return flag;
  if (env.KLAXON_RULES) return env.KLAXON_RULES;
  const local = join(process.cwd(), 'rules');
  return existsSync(local) ? local : BUNDLED_RULES_DIR;
}

export function templatesDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.KLAXON_TEMPLATES ?? DEFAULT_TEMPLATES_DIR;
}

export interface Loaded extends LoadResult {
  templates: TemplateSet;
  templateProblems: string[];
}

/** Loads templates, then the rules (checking their template names against them); `parseCache`: what their files parsed to before. */
export function loadRulesAndTemplates(rules: string, templates: string, parseCache?: ParseCache): Loaded {
  const t = loadTemplates(templates, parseCache);
  const r = loadRulesFromDir(rules, { knownTemplates: t.templates.names(), parseCache });
  return { ...r, templates: t.templates, templateProblems: t.problems };
}
