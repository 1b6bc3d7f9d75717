/**
 * The CLI keeps what valid rule and template files parse to (src/yaml/parse-cache.ts), so a
 * command reading the same files again does not parse them. A cached file must load exactly
 * as a parsed one: the same rules, the same problems at the same places.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRulesAndTemplates } from '../../src/cli/rules-dir';
import { formatProblem } from '../../src/rules/load';
import { defaultParseCache, diskParseCache, isJsonData } from '../../src/yaml/parse-cache';
import * as readYamlModule from '../../src/yaml/read-yaml';
import { runCli } from '../cli/helpers';

const REPO = join(__dirname, '..', '..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klaxon-parse-cache-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** What a load gives, without the compiled predicates (functions): rules as data, and the problems as printed. */
function loaded(rules: string, cacheDir?: string) {
  return described(loadRulesAndTemplates(rules, join(REPO, 'templates'), cacheDir === undefined ? undefined : diskParseCache(cacheDir)));
}

function described(result: ReturnType<typeof loadRulesAndTemplates>) {
  return {
    rules: JSON.stringify(result.rules),
    tests: result.rules.flatMap((rule) => rule.tests.map((test) => `${rule.file}:${test.line} ${test.name}`)),
    problems: result.problems.map(formatProblem),
    templateProblems: result.templateProblems,
    templates: result.templates.names(),
  };
}

describe('the parse cache', () => {
  it('loads the shipped rules and templates from the cache as from the files, without parsing them again', () => {
    const cache = join(dir, 'cache');
    const parsed = loaded(join(REPO, 'rules'));
    expect(loaded(join(REPO, 'rules'), cache)).toEqual(parsed);
    const stored = readdirSync(join(cache, 'yaml'));
    expect(stored.length).toBeGreaterThanOrEqual(20);
    const parses = jest.spyOn(readYamlModule, 'readYaml');
    const warm = loadRulesAndTemplates(join(REPO, 'rules'), join(REPO, 'templates'), diskParseCache(cache));
    // Only the lists are parsed (each value's position is kept for later checks); a test's line is looked up when read.
    expect(parses.mock.calls.length).toBeLessThanOrEqual(readdirSync(join(REPO, 'rules', 'lists')).length);
    expect(described(warm)).toEqual(parsed);
  });

  it('locates every problem of a cached file where the file itself would: unknown keys and fields, duplicate test names and ids, unknown suppressed rules', () => {
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    const rule = (id: string, extra = '') =>
      `id: ${id}\ntitle: "Odd {{user.nam}} from {{source.ip}}"\nsource: ssh\nseverity: low\nsuppresses: [nobody]\nmatch:\n  event.action: ssh_login\n  colour: blue\n${extra}tests:\n  - name: one\n    logs: ["x"]\n    expect: { alerts: 0 }\n  - name: one\n    logs: ["y"]\n    expect: { alerts: 0, fields: { not.a.field: 1 } }\n`;
    writeFileSync(join(rules, 'a.yml'), rule('odd', 'colour: red\n'));
    writeFileSync(join(rules, 'b.yml'), rule('odd'));
    const parsed = loaded(rules);
    expect(parsed.problems.length).toBeGreaterThanOrEqual(8);
    const cache = join(dir, 'cache');
    expect(loaded(rules, cache)).toEqual(parsed);
    expect(readdirSync(join(cache, 'yaml')).length).toBeGreaterThanOrEqual(2);
    expect(loaded(rules, cache)).toEqual(parsed);
  });

  it('keeps no data that JSON would change (.inf, .nan, -0.0) and ignores an entry it cannot read', () => {
    expect(isJsonData({ a: [1, 'x', true, null, { b: 2.5 }] })).toBe(true);
    for (const odd of [Infinity, -Infinity, NaN, -0, { a: Infinity }, [NaN], new Date(0), new Map()]) expect(isJsonData(odd)).toBe(false);
    expect(isJsonData(JSON.parse('{"__proto__": 1}'))).toBe(false);
    const cache = diskParseCache(join(dir, 'cache'));
    cache.set('x: .inf\n', { x: Infinity });
    expect(cache.get('x: .inf\n')).toBeUndefined();

    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules'), rules, { recursive: true });
    const parsed = loaded(rules);
    loaded(rules, join(dir, 'cache'));
    for (const name of readdirSync(join(dir, 'cache', 'yaml'))) writeFileSync(join(dir, 'cache', 'yaml', name), '{"truncated": ');
    expect(loaded(rules, join(dir, 'cache'))).toEqual(parsed);
  });

  it('lives in KLAXON_CACHE_DIR, else $XDG_CACHE_HOME/klaxon, else ~/.cache/klaxon; KLAXON_CACHE_DIR=off turns it off', () => {
    expect(defaultParseCache({ KLAXON_CACHE_DIR: 'off' })).toBeUndefined();
    defaultParseCache({ XDG_CACHE_HOME: join(dir, 'xdg') })?.set('a: 1\n', { a: 1 });
    expect(readdirSync(join(dir, 'xdg', 'klaxon', 'yaml'))).toHaveLength(1);
    defaultParseCache({ KLAXON_CACHE_DIR: join(dir, 'own'), XDG_CACHE_HOME: join(dir, 'xdg') })?.set('b: 1\n', { b: 1 });
    expect(readdirSync(join(dir, 'own', 'yaml'))).toHaveLength(1);
    expect(defaultParseCache({ KLAXON_CACHE_DIR: join(dir, 'own') })?.get('b: 1\n')).toEqual({ b: 1 });
  });

  it('klaxon validate and klaxon test print the same with the cache cold, warm, and off', async () => {
    const env = { ...process.env, KLAXON_CACHE_DIR: join(dir, 'cache') };
    const runs = [];
    for (const cacheDir of [join(dir, 'cache'), join(dir, 'cache'), 'off']) {
      const e = { ...env, KLAXON_CACHE_DIR: cacheDir };
      const validate = await runCli(['validate'], { env: e });
      const test = await runCli(['test'], { env: e });
      runs.push({ validate: [validate.code, validate.stdout, validate.stderr], test: [test.code, test.stdout, test.stderr] });
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(readdirSync(join(dir, 'cache', 'yaml')).length).toBeGreaterThanOrEqual(20);
    expect(readFileSync(join(dir, 'cache', 'yaml', readdirSync(join(dir, 'cache', 'yaml'))[0] as string), 'utf8')).toMatch(/^[[{"]/);
  });
});
