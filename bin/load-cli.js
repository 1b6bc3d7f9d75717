'use strict';
// Where the CLI's `main` comes from: its build (dist/cli/main.js, made by `npm ci` through
// bin/build.js) when that is newer than every source file, else the TypeScript sources through
// tsx (development: an edit takes effect without a rebuild). Used by bin/klaxon.js and the benchmarks.
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

/** The CLI's `main`, and whether it is the build. */
function loadMain() {
  if (existsSync(built) && !changedSince(join(root, 'src'), statSync(built).mtimeMs)) {
    process.setSourceMapsEnabled(true);
    return { main: require(built).main, built: true };
  }
  require('tsx/cjs');
  return { main: require('../src/cli/main.ts').main, built: false };
}

module.exports = { loadMain };
