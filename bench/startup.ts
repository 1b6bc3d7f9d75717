/**
 * CLI start-up: the median wall time of `klaxon --help` and `klaxon validate` next to a bare
 * `node -e 0` on the same machine, each in a fresh process, and the ratios (targets: --help
 * within 4x, validate within 6x). The CLI runs from its build (dist/cli/main.js, `npm run
 * build`); the same commands through tsx (the TypeScript sources) are shown for comparison.
 * `validate` runs with the parse cache (warm after its first run) and without it.
 *
 *   npm run bench:startup
 *   BENCH_RUNS=20 npm run bench:startup
 *   BENCH_SMOKE=1 npm run bench:startup   # 2 runs each: checks the harness
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SMOKE = process.env.BENCH_SMOKE === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (SMOKE ? 2 : 10));
const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'klaxon.js');
const BUILT = join(ROOT, 'dist', 'cli', 'main.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function timeOf(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  }
  return median(times);
}

function main(): void {
  if (!existsSync(BUILT)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const floor = timeOf(['-e', '0']);
  const viaTsx = (cmd: string) => ['--require', 'tsx/cjs', '-e', `require(${JSON.stringify(join(ROOT, 'src', 'cli', 'main.ts'))}).main(${JSON.stringify(cmd.split(' '))}, { stdin: process.stdin, stdout: { write: (c, cb) => (cb && cb(), true) }, stderr: process.stderr })`];
  const rows: Array<[string, number, number | undefined]> = [
    ['klaxon --help', timeOf([BIN, '--help']), 4],
    // The parse cache is warm after the first run, as for any second command on the same rules.
    ['klaxon validate', timeOf([BIN, 'validate']), 6],
    ['klaxon validate (no parse cache)', timeOf([BIN, 'validate'], { ...process.env, KLAXON_CACHE_DIR: 'off' }), 6],
    ['klaxon --help (tsx, sources)', timeOf(viaTsx('--help')), undefined],
    ['klaxon validate (tsx, sources)', timeOf(viaTsx('validate')), undefined],
  ];
  console.log(`klaxon start-up benchmark: median of ${RUNS} runs each${SMOKE ? ' (smoke mode: figures are not meaningful)' : ''}, node ${process.version}`);
  console.log(`  node -e 0                          ${floor.toFixed(0).padStart(5)} ms`);
  for (const [name, ms, target] of rows) {
    const ratio = ms / floor;
    const goal = target === undefined ? '' : ` (target <= ${target}x: ${ratio <= target ? 'met' : 'MISSED'})`;
    console.log(`  ${name.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms  ${ratio.toFixed(1)}x node -e 0${goal}`);
  }
}

main();
