#!/usr/bin/env node
'use strict';
// Builds the CLI into dist/cli/main.js (one CommonJS file, packages left in node_modules), so
// `klaxon` starts without compiling TypeScript. Run by `npm ci`/`npm install` (prepare) and
// `npm run build`. Without esbuild (a production install) the CLI runs from src/ through tsx.
const { join } = require('node:path');

let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  console.error('klaxon build: esbuild is not installed (production install?): the CLI will run from src/ through tsx');
  process.exit(0);
}

const root = join(__dirname, '..');
const out = join(root, 'dist', 'cli');
/**
 * Pure-JavaScript packages that rule loading needs on every command but --help, each built
 * into one file of its own (dist/cli/vendor/NAME.js): Node resolves and reads one file
 * instead of zod's and yaml's hundred-odd modules (yaml 38 -> 10 ms, zod 70 -> 45 ms to
 * require). Not inside main.js, which --help compiles whole: that doubled --help's time.
 */
const VENDORED = ['zod', 'yaml'];

/** Imports of a vendored package go to its file, left for `require` at run time. */
const vendoredImports = {
  name: 'vendored',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${VENDORED.join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.js`, external: true }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile: join(out, 'main.js'),
    // Same depth as src/cli/, so paths built from __dirname (rules/, templates/, samples/) still resolve.
    packages: 'external',
    plugins: [vendoredImports],
    // The parse cache's key names the YAML library's version (src/yaml/parse-cache.ts).
    define: { KLAXON_YAML_VERSION: JSON.stringify(require('yaml/package.json').version) },
  }),
  ...VENDORED.map((name) =>
    esbuild.build({
      ...common,
      // Maps of the packages' own code would only add to start-up (Node reads a module's map as it loads it).
      sourcemap: false,
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root, sourcefile: `vendor-${name}.js` },
      outfile: join(out, 'vendor', `${name}.js`),
    }),
  ),
]).catch(() => process.exit(1));
