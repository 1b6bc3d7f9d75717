/**
 * What valid YAML files parse to, kept on disk by their text, so that a command reading the
 * same rules and templates again (every `klaxon scan`, `validate`, `run`, `test`) does not
 * parse them again: a cold YAML parse of the shipped rules is about 60-100 ms, most of
 * `klaxon validate`. The key is a hash of everything the data depends on (the text, the YAML
 * library's version, the limits it is read under), so an entry can never be stale; only
 * files that parsed without a problem are kept, and positions for problems found later are
 * worked out by parsing the text then (readYamlCached). Best effort: a cache that cannot be
 * read or written is no cache, never an error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MAX_ALIAS_COUNT, MAX_SYNTAX_PROBLEMS, MAX_YAML_FILE_BYTES } from './limits';

export interface ParseCache {
  /** The data a text parsed to, or undefined when unknown. */
  get(text: string): unknown;
  set(text: string, data: unknown): void;
}

/** Bumped when what is stored changes shape. */
const FORMAT = 'klaxon-yaml-1';
/** Entries kept; past this the oldest fifth goes (edits to rules leave old texts behind). */
const MAX_ENTRIES = 2_000;

/** The directory KLAXON_CACHE_DIR names (`off`: none), else $XDG_CACHE_HOME/klaxon, else ~/.cache/klaxon. */
export function defaultParseCache(env: NodeJS.ProcessEnv = process.env): ParseCache | undefined {
  const chosen = env.KLAXON_CACHE_DIR?.trim();
  if (chosen === 'off') return undefined;
  if (chosen !== undefined && chosen !== '') return diskParseCache(chosen);
  const base = env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return diskParseCache(join(base, 'klaxon'));
}

export function diskParseCache(dir: string): ParseCache {
  const entries = join(dir, 'yaml');
  const fileOf = (text: string) => join(entries, `${keyOf(text)}.json`);
  return {
    get(text) {
      try {
        return JSON.parse(readFileSync(fileOf(text), 'utf8')) as unknown;
      } catch {
        return undefined;
      }
    },
    set(text, data) {
      if (!isJsonData(data)) return;
      try {
        mkdirSync(entries, { recursive: true, mode: 0o700 });
        const file = fileOf(text);
        // Written aside and renamed: a reader (another klaxon at the same moment) sees all of it or nothing.
        const aside = `${file}.${process.pid}.tmp`;
        writeFileSync(aside, JSON.stringify(data), { mode: 0o600 });
        renameSync(aside, file);
        pruneOldest(entries);
      } catch {
        // best effort
      }
    },
  };
}

/** The YAML library's version, put in by the CLI's build (bin/build.js) so that no package file is read for it. */
declare const KLAXON_YAML_VERSION: string | undefined;
let libraryVersion: string | undefined;

function keyOf(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  libraryVersion ??= typeof KLAXON_YAML_VERSION === 'string' ? KLAXON_YAML_VERSION : (require('yaml/package.json') as { version: string }).version;
  return createHash('sha256').update(`${FORMAT}\0${libraryVersion}\0${MAX_ALIAS_COUNT}\0${MAX_SYNTAX_PROBLEMS}\0${MAX_YAML_FILE_BYTES}\0`).update(text).digest('hex');
}

/** Whether JSON gives back exactly this value: no NaN, Infinity or -0 (YAML's .nan, .inf, -0.0), no __proto__ key. */
export function isJsonData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isJsonData);
  if (typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.entries(value).every(([key, item]) => key !== '__proto__' && isJsonData(item)) && !Object.hasOwn(value, '__proto__');
}

function pruneOldest(entries: string): void {
  const names = readdirSync(entries);
  if (names.length <= MAX_ENTRIES) return;
  const aged = names.map((name) => ({ name, time: statSync(join(entries, name)).mtimeMs })).sort((a, b) => a.time - b.time);
  for (const { name } of aged.slice(0, Math.ceil(names.length / 5))) unlinkSync(join(entries, name));
}
