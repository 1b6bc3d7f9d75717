/**
 * Issue 13, part 4: every command has a complete `--help` (options with defaults, examples,
 * exit codes), and the options it lists are exactly those the command's parser accepts.
 */
import util from 'node:util';
import { main } from '../../src/cli/main';
import { HELP } from '../../src/cli/help';
import { runCli } from './helpers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

class StopAtParse extends Error {}

/** The option names a command hands to node:util parseArgs, caught before it runs. */
async function parsedOptions(argv: string[]): Promise<string[]> {
  let seen: Record<string, unknown> | undefined;
  const spy = jest.spyOn(util, 'parseArgs').mockImplementation(((config: { options?: Record<string, unknown> }) => {
    seen = config.options;
    throw new StopAtParse();
  }) as unknown as typeof util.parseArgs);
  try {
    await expect(runCli(argv)).rejects.toBeInstanceOf(StopAtParse);
  } finally {
    spy.mockRestore();
  }
  return Object.keys(seen ?? {}).sort();
}

describe('klaxon <command> --help', () => {
  const commands = Object.keys(HELP);

  it('covers every command of the CLI', async () => {
    const { stdout } = await runCli(['--help']);
    const listed = [...stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...commands].sort());
  });

  it.each(commands)('%s: usage, options, examples and exit codes, each option one its parser accepts', async (name) => {
    const { code, stdout } = await runCli([name, '--help']);
    expect(code).toBe(0);
    for (const heading of ['Usage: klaxon', 'Examples:', 'Exit codes:']) expect(stdout).toContain(heading);
    const documented = (HELP[name]?.options ?? []).map(([flag]) => flag.split(' ')[0]?.replace(/^--/, '') ?? '').sort();
    if (documented.length > 0) expect(stdout).toContain('Options:');
    expect(documented).toEqual(await parsedOptions(name === 'replay' ? [name, 'logs'] : [name]));
    expect(stdout).toMatch(/^ {2}0 /m);
    expect(stdout).toMatch(/^ {2}2 /m);
  });

  it('the README names every command', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const name of commands) expect(readme).toContain(`klaxon ${name}`);
  });

  it('answers without running the command (main returns at once)', async () => {
    const out: string[] = [];
    const io = { stdin: process.stdin, stdout: { write: (c: string, cb?: () => void) => (out.push(c), cb?.(), true) }, stderr: process.stderr } as never;
    expect(await main(['run', '--help'], io)).toBe(0);
    expect(out.join('')).toContain('--serve');
  });
});
