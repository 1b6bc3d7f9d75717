/**
 * `{{field.path}}` placeholders in rule titles and Slack templates.
 *
 * Written here rather than taken from Mustache/Handlebars: those read `{{source.ip}}` as a
 * walk through nested objects, while Klaxon's fields are flat dotted ECS keys resolved by
 * `getField`; what is needed is only substitution, with escaping left to the caller.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_@.:-]+)\s*\}\}/g;

/** The field paths a text refers to, in order of appearance. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Replaces each placeholder with `lookup(path)`; the lookup decides escaping and what absent fields show. */
export function interpolate(text: string, lookup: (path: string) => string): string {
  return text.replace(PLACEHOLDER, (_whole, path: string) => lookup(path));
}
