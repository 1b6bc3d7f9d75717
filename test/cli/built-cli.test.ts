/**
 * Issue 15, part 1: the CLI runs from its build (bin/build.js → dist/cli/main.js), with no
 * TypeScript compiled at start-up and each command loaded only when it runs. The build must
 * behave exactly as the sources do.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, runCli } from './helpers';

const BUILT = join(REPO, 'dist', 'cli', 'main.js');

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'bin', 'build.js')], { cwd: REPO });
}, 60_000);

/** Runs `main(argv)` of the build in a fresh process; what it printed, and the packages it loaded (from node_modules, or built into dist/cli/vendor/). */
function built(argv: string[]): { code: number; stdout: string; stderr: string; packages: string[] } {
  const script = `
    const { main } = require(${JSON.stringify(BUILT)});
    main(${JSON.stringify(argv)}, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then((code) => {
      const packages = new Set(Object.keys(require.cache).flatMap((p) => { const m = /node_modules\\/((@[^/]+\\/)?[^/]+)|dist\\/cli\\/vendor\\/([^/]+)\\.js$/.exec(p); return m ? [m[1] ?? 'vendor/' + m[3]] : []; }));
      process.stderr.write('\\nPACKAGES ' + JSON.stringify([...packages].sort()) + '\\n');
      process.exitCode = code;
    });`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8', env: { ...process.env, SLACK_BOT_TOKEN: '' } });
  const marker = result.stderr.lastIndexOf('\nPACKAGES ');
  return {
    code: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr.slice(0, marker),
    packages: JSON.parse(result.stderr.slice(marker + '\nPACKAGES '.length)) as string[],
  };
}

describe('the built CLI', () => {
  it.each([[['--help']], [['--version']], [['validate']], [['scan', '--year', '2024']], [['ack', '--help']]])('klaxon %j prints what the sources print', async (argv) => {
    const fromBuild = built(argv);
    const fromSources = await runCli(argv, { env: process.env });
    expect({ code: fromBuild.code, stdout: fromBuild.stdout }).toEqual({ code: fromSources.code, stdout: fromSources.stdout });
  });

  it('--help loads no package at all, validate only what rules need', () => {
    expect(built(['--help']).packages).toEqual([]);
    // zod and yaml from their one-file builds (bin/build.js), not their hundred-odd modules
    expect(built(['validate']).packages).toEqual(['re2js', 'vendor/yaml', 'vendor/zod']);
    // --version reads the GeoIP database's metadata, and nothing else
    expect(built(['--version']).packages).toEqual(['mmdb-lib']);
    // scan reads logs and renders messages, without Slack's SDK, the AWS SDK or SQLite
    expect(built(['scan']).packages.filter((p) => /^@slack|^@aws-sdk|better-sqlite3/.test(p))).toEqual([]);
  });
});
