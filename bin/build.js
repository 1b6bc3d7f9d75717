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
esbuild
  .build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile: join(root, 'dist', 'cli', 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Same depth as src/cli/, so paths built from __dirname (rules/, templates/, samples/) still resolve.
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
