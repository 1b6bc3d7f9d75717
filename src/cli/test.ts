import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { runRuleTest } from '../engine/rule-tests';
import { formatProblem } from '../rules/load';
import { EXIT_FAILED, EXIT_OK, write, type CliIo } from './io';
import { terminalSafe } from './terminal-safe';
import { loadRulesAndTemplates, rulesDir, templatesDir } from './rules-dir';
import { defaultParseCache } from '../yaml/parse-cache';

export const TEST_USAGE = 'klaxon test [--rules DIR] [--templates DIR]';

/** `klaxon test`: runs the tests inside every rule file; ends with `N passed, N failed`. */
export async function testCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { rules: { type: 'string' }, templates: { type: 'string' } }, strict: true });
  const env = io.env ?? process.env;
  const loaded = loadRulesAndTemplates(rulesDir(values.rules, env), templatesDir(values.templates, env), defaultParseCache(env));
  let passed = 0;
  let failed = 0;
  for (const problem of [...loaded.templateProblems, ...loaded.problems.map(formatProblem)]) {
    await write(io.stderr, `${problem}\n`);
    failed++;
  }
  for (const rule of loaded.rules) {
    if (rule.tests.length === 0) await write(io.stdout, `- ${rule.id}: no tests\n`);
    for (const test of rule.tests) {
      const outcome = await runRuleTest(rule, test, loaded.rules);
      const where = `${relative(process.cwd(), rule.file) || rule.file}:${test.line}`;
      if (outcome.failures.length === 0) {
        passed++;
        await write(io.stdout, `ok   ${rule.id} › ${test.name}\n`);
      } else {
        failed++;
        await write(io.stdout, `FAIL ${rule.id} › ${test.name} (${where})\n`);
        // Failures quote the test's events, whose text is the log's: escaped for the terminal.
        for (const f of outcome.failures) await write(io.stdout, `       ${terminalSafe(f)}\n`);
      }
    }
  }
  await write(io.stdout, `${passed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}
