/**
 * Parses one template file's text into a `Template`, with every problem located as
 * `file:line:col: message`.
 */
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { z } from 'zod';
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

export function parseTemplate(name: string, file: string, source: string): { template?: Template; problems: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const at = (offset: number, message: string): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}: ${message}`;
  };
  if (doc.errors.length > 0) return { problems: doc.errors.map((e) => at(e.pos[0], e.message)) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    // toJS throws on alias bombs (billion laughs) and other documents that cannot become data.
    return { problems: [at(0, (err as Error).message)] };
  }
  const result = templateFileSchema.safeParse(data ?? {});
  if (!result.success) {
    return { problems: result.error.issues.map((issue) => at(issueOffset(doc, issue), issueMessage(doc, issue))) };
  }
  const { summary, fields } = result.data;
  return { template: { name, file, ...(summary === undefined ? {} : { summary }), fields }, problems: [] };
}

function issueMessage(doc: Document, issue: z.core.$ZodIssue): string {
  const where = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
  if (issue.code === 'unrecognized_keys') return `${where}unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.path.length === 0) return 'a template is a mapping with the keys summary and fields';
  if (issue.code === 'invalid_type' && !doc.hasIn(issue.path)) return `${where}missing`;
  return `${where}${issue.message}`;
}

/** The offset of the YAML node an issue is about: the unknown key itself, else the deepest node on its path. */
function issueOffset(doc: Document, issue: z.core.$ZodIssue): number {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (!isNode(node)) continue;
    if (issue.code === 'unrecognized_keys' && depth === path.length && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && issue.keys.includes(String(p.key.value)));
      if (pair !== undefined && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    if (node.range) return node.range[0];
  }
  return 0;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}
