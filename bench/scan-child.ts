/**
 * Runs `klaxon scan` in this process over one file and prints what it cost as JSON:
 * wall milliseconds of the scan itself (not Node's start-up) and peak resident memory.
 * Used by bench/scan.ts, one fresh process per measurement.
 */
import { Writable } from 'node:stream';
import type { main as Main } from '../src/cli/main';

// What `klaxon scan` runs: the build when it is up to date, else the sources (bin/load-cli.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main, built } = (require('../bin/load-cli') as { loadMain(): { main: typeof Main; built: boolean } }).loadMain();

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  let outBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      outBytes += chunk.length;
      done();
    },
  });
  const errs: Buffer[] = [];
  const stderr = new Writable({
    write(chunk: Buffer, _enc, done) {
      errs.push(chunk);
      done();
    },
  });
  const started = process.hrtime.bigint();
  const code = await main(['scan', ...args], { stdin: process.stdin, stdout: sink, stderr, env: process.env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const lines = Buffer.concat(errs).toString('utf8').split('\n');
  const summary = lines[0];
  const stateCap = lines.find((l) => l.includes('state cap reached'))?.trim();
  process.stdout.write(`${JSON.stringify({ code, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, outBytes, summary, stateCap, built })}\n`);
}

void run();
