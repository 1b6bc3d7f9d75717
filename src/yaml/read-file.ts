import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_YAML_FILE_BYTES, tooLargeMessage } from './limits';
import type { Problem } from './problems';

/**
 * The text of a YAML file on disk, or the READ_FAILED problem saying why there is none.
 * A file over the size limit is refused without reading it.
 */
export function readYamlFile(file: string): string | Problem<'READ_FAILED'> {
  try {
    const size = statSync(file).size;
    if (size > MAX_YAML_FILE_BYTES) return { code: 'READ_FAILED', file, line: 1, col: 1, message: tooLargeMessage(size) };
    return readFileSync(file, 'utf8');
  } catch (error) {
    return readFailed(file, error);
  }
}

/** A file or directory that cannot be read. */
export function readFailed(file: string, error: unknown): Problem<'READ_FAILED'> {
  return { code: 'READ_FAILED', file, line: 1, col: 1, message: `cannot read: ${(error as Error).message}` };
}

/** The texts of the named files of `dir`, in turn; a file that cannot be read is reported to `problems` instead. */
export function* readYamlFiles(dir: string, names: readonly string[], problems: { push(problem: Problem<'READ_FAILED'>): unknown }): Generator<{ file: string; text: string }> {
  for (const name of names) {
    const file = join(dir, name);
    const text = readYamlFile(file);
    if (typeof text === 'string') yield { file, text };
    else problems.push(text);
  }
}
