#!/usr/bin/env node
'use strict';
// Shim: the CLI is the function `main` in src/cli/main.ts; tsx compiles it on load, so there is no build step.
require('tsx/cjs');
const { main } = require('../src/cli/main.ts');

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`klaxon: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
