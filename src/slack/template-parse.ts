/**
 * Parses one template file's text into a `Template`. It is read and located as rule files
 * are (same size and alias limits, same positions), and every problem is reported as
 * `file:line:col: message [CODE]`.
 */
import { Problems, formatProblem } from '../yaml/problems';
import type { ParseCache } from '../yaml/parse-cache';
import { readYamlCached } from '../yaml/read-yaml-cached';
import type { YamlReadCode } from '../yaml/read-yaml';
import { reportZodIssues } from '../yaml/zod-issues';
import type { ShapeProblemCode } from '../yaml/zod-issues';
import { templateFileSchema } from './template-schema';

export interface TemplateField {
  label: string;
  /** Alternatives, in order: the first whose placeholders all have values is shown (see `fillFirst`). */
  value: string[];
}

export interface Template {
  name: string;
  file: string;
  /** A line under the header, with `{{field}}` placeholders; alternatives as for a field's value. */
  summary?: string[];
  fields: TemplateField[];
}

type TemplateProblemCode = YamlReadCode | ShapeProblemCode | 'NOT_A_MAPPING';

export function parseTemplate(name: string, file: string, source: string, parseCache?: ParseCache): { template?: Template; problems: string[] } {
  const problems = new Problems<TemplateProblemCode>(file);
  const yaml = readYamlCached(source, problems, parseCache);
  if (yaml === undefined) return { problems: problems.list().map(formatProblem) };

  const located = new Problems<TemplateProblemCode>(file, yaml.locator);
  // An empty file is a template without fields.
  const data = yaml.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    located.add('NOT_A_MAPPING', [], 'a template is a mapping with the keys summary and fields');
    return { problems: located.list().map(formatProblem) };
  }
  const result = templateFileSchema.safeParse(data);
  if (!result.success) {
    reportZodIssues(result.error.issues, templateFileSchema, data, located);
    return { problems: located.list().map(formatProblem) };
  }
  const { summary, fields } = result.data;
  return { template: { name, file, ...(summary === undefined ? {} : { summary }), fields }, problems: [] };
}
