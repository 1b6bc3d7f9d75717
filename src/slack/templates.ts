/**
 * Loads the Slack message templates (`templates/*.yml`). A bad template is reported and skipped;
 * it never stops the others from loading.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { formatProblem } from '../yaml/problems';
import { readYamlFile } from '../yaml/read-file';
import { parseTemplate } from './template-parse';
import type { Template } from './template-parse';

import { templateSet, type TemplateSet } from './template-set';
import type { ParseCache } from '../yaml/parse-cache';

export type { Template, TemplateField } from './template-parse';
export { templateSet, type TemplateSet } from './template-set';

/** The repository's own `templates/` directory. */
export const DEFAULT_TEMPLATES_DIR: string = resolve(__dirname, '..', '..', 'templates');

const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Reads every `*.yml` / `*.yaml` file in `dir`; the template's name is the file name without
 * its extension (`ssh.yml` is the template `ssh`).
 *
 * @example
 *   const { templates, problems } = loadTemplates(DEFAULT_TEMPLATES_DIR);
 *   for (const p of problems) console.error(p); // templates/waf.yml:4:5: fields[0]: unknown key "lable" (did you mean "label"?); allowed keys: label, value [UNKNOWN_KEY]
 */
export function loadTemplates(dir: string, parseCache?: ParseCache): { templates: TemplateSet; problems: string[] } {
  const problems: string[] = [];
  const loaded: Template[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')).sort();
  } catch (err) {
    return { templates: templateSet([]), problems: [`${dir}: cannot read templates directory: ${(err as Error).message}`] };
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const file = join(dir, entry);
    const name = basename(entry, extname(entry));
    if (!TEMPLATE_NAME.test(name)) {
      problems.push(formatProblem({ code: 'BAD_VALUE', file, line: 1, col: 1, message: `template name "${name}" must be lowercase letters, digits, - and _` }));
      continue;
    }
    if (seen.has(name)) {
      problems.push(formatProblem({ code: 'DUPLICATE_ID', file, line: 1, col: 1, message: `duplicate template "${name}" (both .yml and .yaml)` }));
      continue;
    }
    seen.add(name);
    const source = readYamlFile(file);
    if (typeof source !== 'string') {
      problems.push(formatProblem(source));
      continue;
    }
    const result = parseTemplate(name, file, source, parseCache);
    problems.push(...result.problems);
    if (result.template !== undefined) loaded.push(result.template);
  }
  return { templates: templateSet(loaded), problems };
}
