import type { ParseCache } from './parse-cache';
import { readYaml, type YamlReadCode } from './read-yaml';
import { Problems, type ProblemSink } from './problems';
import type { SourceLocator } from './source-locator';

/**
 * `readYaml`, answered from `cache` when the text parsed before. The locator of a cached text
 * parses it only if a position is asked for (a problem found while checking the data), so
 * problems are located exactly as without the cache.
 */
export function readYamlCached(text: string, problems: ProblemSink<YamlReadCode>, cache: ParseCache | undefined): { data: unknown; locator: SourceLocator } | undefined {
  if (cache === undefined) return readYaml(text, problems);
  const data = cache.get(text);
  if (data !== undefined) return { data, locator: locatorParsedOnUse(text) };
  const read = readYaml(text, problems);
  if (read !== undefined) cache.set(text, read.data);
  return read;
}

function locatorParsedOnUse(text: string): SourceLocator {
  let parsed: SourceLocator | undefined;
  const locator = (): SourceLocator => {
    parsed ??= readYaml(text, new Problems<YamlReadCode>('cached'))?.locator;
    if (parsed === undefined) throw new Error('internal: a cached YAML text no longer parses');
    return parsed;
  };
  return {
    text: text.startsWith('\uFEFF') ? text.slice(1) : text,
    position: (path, options) => locator().position(path, options),
    range: (path) => locator().range(path),
    positionOf: (offset) => locator().positionOf(offset),
  };
}
