'use strict';
/**
 * Runs `klaxon scan` in this process over one file and prints what it cost as JSON:
 * wall milliseconds of the scan itself (not Node's start-up) and peak resident memory.
 * Used by bench/scan.ts, one fresh process per measurement, with plain `node` as users run
 * bin/klaxon.js: through `--require tsx/cjs` every module the scan loads lazily (inside the
 * timed part) went through tsx's loader too, about 80 ms more per scan on this machine.
 * (bench/scan-child.ts runs this file for the callers that start it through tsx.)
 */
const { Buffer } = require('node:buffer');
const { Writable } = require('node:stream');

// What `klaxon scan` runs: the build when it is up to date, else the sources through tsx (bin/load-cli.js).
const { main, built } = require('../bin/load-cli').loadMain();

async function run() {
  const args = process.argv.slice(2);
  let outBytes = 0;
  const sink = new Writable({
    write(chunk, _enc, done) {
      outBytes += chunk.length;
      done();
    },
  });
  const errs = [];
  const stderr = new Writable({
    write(chunk, _enc, done) {
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
