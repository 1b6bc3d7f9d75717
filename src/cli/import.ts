import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importSigmaFile, ruleIdsIn } from '../sigma/import';
import { formatProblem } from '../yaml/problems';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';

export const IMPORT_USAGE = 'klaxon import sigma FILE|DIR... [--out DIR] [--force]';

const SIGMA_FILE = /\.ya?ml$/;

/**
 * `klaxon import sigma`: one Klaxon rule file per Sigma rule. A rule that cannot be imported
 * faithfully is reported (located in its Sigma file) and the others still are; exit 1 if any was refused.
 */
export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { out: { type: 'string' }, force: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const [format, ...inputs] = positionals;
  if (format !== 'sigma') throw new UsageError(format === undefined ? 'say what to import: klaxon import sigma FILE...' : `cannot import "${format}": only sigma rules can be imported`);
  if (inputs.length === 0) throw new UsageError('no Sigma rule file or directory given');
  const env = io.env ?? process.env;
  const outDir = values.out ?? (env.KLAXON_RULES || 'rules');
  const options = { outDir, force: values.force === true, taken: new Set<string>(), existing: ruleIdsIn(outDir) };
  let imported = 0;
  let refused = 0;
  for (const file of inputs.flatMap(sigmaFiles)) {
    const result = importSigmaFile(file, options);
    if (result.rule === undefined) {
      refused++;
      for (const problem of result.problems) await write(io.stderr, `${formatProblem(problem)}\n`);
      continue;
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(result.rule.path, result.rule.text);
    imported++;
    await write(io.stdout, `wrote ${result.rule.path} (from ${file})\n`);
  }
  const summary = `${imported} imported, ${refused} refused\n`;
  await write(refused > 0 ? io.stderr : io.stdout, summary);
  return refused > 0 ? EXIT_FAILED : EXIT_OK;
}

/** A file as given; a directory: its *.yml and *.yaml files, subdirectories included, in name order. */
function sigmaFiles(input: string): string[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(input).isDirectory();
  } catch {
    return [input]; // reported as unreadable by the import
  }
  if (!isDirectory) return [input];
  return readdirSync(input, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(input, entry.name);
      if (entry.isDirectory()) return sigmaFiles(path);
      return SIGMA_FILE.test(entry.name) ? [path] : [];
    });
}
