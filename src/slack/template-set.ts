import type { Template } from './template-parse';

/** Templates by name. A module of its own so that Lambda bundles, which get templates as data, do not load the YAML parser. */
export interface TemplateSet {
  get(name: string): Template | undefined;
  names(): string[];
}

export function templateSet(templates: readonly Template[]): TemplateSet {
  const byName = new Map(templates.map((t) => [t.name, t]));
  return {
    get: (name) => byName.get(name),
    names: () => [...byName.keys()].sort(),
  };
}
