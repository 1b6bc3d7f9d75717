/** Limits every YAML file Klaxon reads (rules and templates) is held to. */

/** Files larger than this are refused before parsing (and, on disk, before reading). */
export const MAX_YAML_FILE_BYTES = 1024 * 1024;
/** Aliases resolved per file; beyond this an alias bomb ("billion laughs") is assumed. */
export const MAX_ALIAS_COUNT = 100;
/** YAML syntax errors reported per file; the rest are usually consequences of the first. */
export const MAX_SYNTAX_PROBLEMS = 10;

/** Why a file of `size` bytes is refused. */
export function tooLargeMessage(size: number): string {
  return `file is ${size} bytes; YAML files are limited to ${MAX_YAML_FILE_BYTES} bytes`;
}
