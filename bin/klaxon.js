#!/usr/bin/env node
'use strict';
// The CLI is the function `main` in src/cli/main.ts, run from its build when that is up to date (bin/load-cli.js).
const { main } = require('./load-cli').loadMain();

// A reader that stops early (`klaxon scan … | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`klaxon: internal error (please report it): ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70; // EX_SOFTWARE: not a usage error (2), not a failed check (1)
  },
);
