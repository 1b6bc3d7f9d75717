import { parseArgs } from 'node:util';
import { formatProblem } from '../rules/load';
import { EXIT_FAILED, EXIT_OK, write, type CliIo } from './io';
import { loadRulesAndTemplates, rulesDir, templatesDir } from './rules-dir';
import { defaultParseCache } from '../yaml/parse-cache';

export const VALIDATE_USAGE = 'klaxon validate [--rules DIR] [--templates DIR]';

/** `klaxon validate`: exit 0 when every rule (and template) is valid, else one `path:line:col: message` per problem. */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { rules: { type: 'string' }, templates: { type: 'string' } }, strict: true });
  const env = io.env ?? process.env;
  const dir = rulesDir(values.rules, env);
  const loaded = loadRulesAndTemplates(dir, templatesDir(values.templates, env), defaultParseCache(env));
  const problems = [...loaded.templateProblems, ...loaded.problems.map(formatProblem)];
  for (const line of problems) await write(io.stderr, `${line}\n`);
  if (problems.length > 0) {
    await write(io.stderr, `${problems.length} problem${problems.length === 1 ? '' : 's'}; ${loaded.rules.length} rule${loaded.rules.length === 1 ? '' : 's'} valid in ${dir}\n`);
    return EXIT_FAILED;
  }
  await write(io.stdout, `${loaded.rules.length} rule${loaded.rules.length === 1 ? '' : 's'} valid in ${dir}\n`);
  return EXIT_OK;
}
