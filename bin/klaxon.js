#!/usr/bin/env node
'use strict';
// The CLI is the function `main` in src/cli/main.ts. It runs from its build (dist/cli/main.js,
// made by `npm ci` through bin/build.js) when that is newer than every source file, else from
// the TypeScript sources through tsx (development: an edit takes effect without a rebuild).
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'cli', 'main.js');

/** True when some .ts file under dir was changed after `time`. */
function changedSince(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? changedSince(path, time) : entry.name.endsWith('.ts') && statSync(path).mtimeMs > time) return true;
  }
  return false;
}

let main;
if (existsSync(built) && !changedSince(join(root, 'src'), statSync(built).mtimeMs)) {
  process.setSourceMapsEnabled(true);
  ({ main } = require(built));
} else {
  require('tsx/cjs');
  ({ main } = require('../src/cli/main.ts'));
}

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
