/**
 * The Lambda functions as deployed: each bundle's size (unzipped) and its cold
 * initialisation time, measured by loading the built bundle in a fresh Node process, as
 * Lambda's init phase does (module load, rule compilation, client construction; no network).
 *
 *   npm run bench:lambda             # 15 cold starts per function
 *   BENCH_RUNS=40 npm run bench:lambda
 *   BENCH_SMOKE=1 npm run bench:lambda   # 2 cold starts: checks the harness
 *
 * Targets (issue 4): logs and cloudtrail under 1 MB unzipped; init under 150 ms for logs
 * and 300 ms for slack. The size target is the code's: the GeoIP country database (5.2 MB,
 * in the logs, cloudtrail and kinesis zips since issue 12) is data read on the first event with
 * a public address, never at init, and is shown in its own column.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFunction, serverlessPackage } from '../test/helpers/lambda-package';

const SMOKE = process.env.BENCH_SMOKE === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (SMOKE ? 2 : 15));
const FUNCTIONS = ['logs', 'cloudtrail', 'alarm', 'slack'] as const;
const TARGETS: Record<string, { bytes?: number; initMs?: number }> = {
  logs: { bytes: 1_000_000, initMs: 150 },
  cloudtrail: { bytes: 1_000_000 },
  slack: { initMs: 300 },
};

/** One cold start: a fresh Node process that requires the handler module, timed from inside. */
function coldInit(taskRoot: string, fn: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(join(taskRoot, 'handlers', `${fn}.js`))});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: `klaxon-bench-${fn}`,
      KLAXON_TABLE: 'klaxon-bench-state',
      KLAXON_BOT_TOKEN_PARAMETER: '/klaxon/bench/slack-bot-token',
      KLAXON_SIGNING_SECRET_PARAMETER: '/klaxon/bench/slack-signing-secret',
      SLACK_CHANNEL: '#bench',
      POWERTOOLS_METRICS_NAMESPACE: 'Klaxon/bench',
      NODE_NO_WARNINGS: '1',
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${fn}: the bundle failed to load:\n${result.stderr}`);
  return Number(result.stdout);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'klaxon-bench-lambda-'));
  try {
    const out = join(work, 'package');
    const started = Date.now();
    await serverlessPackage({ stage: 'bench', out });
    console.log(`serverless package: ${((Date.now() - started) / 1000).toFixed(1)} s; ${RUNS} cold starts per function (fresh Node ${process.version} process each)\n`);
    console.log('function     zip       unzipped  code      data      init median  p90      min      target');
    for (const fn of FUNCTIONS) {
      const zip = join(out, `${fn}.zip`);
      const taskRoot = join(work, fn);
      const entries = await extractFunction(zip, taskRoot);
      const unzipped = entries.reduce((sum, e) => sum + e.bytes, 0);
      const data = entries.filter((e) => e.name.endsWith('.mmdb')).reduce((sum, e) => sum + e.bytes, 0);
      const code = unzipped - data;
      coldInit(taskRoot, fn); // the first run also warms the file cache
      const times = Array.from({ length: RUNS }, () => coldInit(taskRoot, fn)).sort((a, b) => a - b);
      const target = TARGETS[fn];
      const goals = [target?.bytes ? `code < ${kb(target.bytes)}` : '', target?.initMs ? `< ${target.initMs} ms` : ''].filter(Boolean).join(', ');
      const zipBytes = statSync(zip).size;
      console.log(
        `${fn.padEnd(12)} ${kb(zipBytes).padEnd(9)} ${kb(unzipped).padEnd(9)} ${kb(code).padEnd(9)} ${kb(data).padEnd(9)} ${`${percentile(times, 50).toFixed(0)} ms`.padEnd(12)} ${`${percentile(times, 90).toFixed(0)} ms`.padEnd(8)} ${`${(times[0] as number).toFixed(0)} ms`.padEnd(8)} ${goals}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
