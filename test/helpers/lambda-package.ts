/**
 * The Lambda functions as `serverless package` builds them (osls + serverless-esbuild, offline),
 * for the tests and benchmarks that check the real bundles.
 *
 * @example
 *   await serverlessPackage({ stage: 'bundle', out, region: 'eu-west-1' });
 *   const entries = await extractFunction(join(out, 'logs.zip'), taskRoot);
 *   // taskRoot/handlers/logs.js is the function as Lambda loads it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import yauzl from 'yauzl';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const SERVERLESS = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

export interface PackageOptions {
  stage: string;
  /** The directory `serverless package` writes the zips and templates to. */
  out: string;
  /** Where deploy/<stage>.yml is looked for (KLAXON_DEPLOY_DIR); default: deploy/, falling back to its example.yml. */
  deployDir?: string;
  /** Default: serverless.yml's (us-east-1 without AWS_REGION, which the clean environment leaves out). */
  region?: string;
}

/**
 * Runs `serverless package` from the repository root with a clean environment: no AWS
 * credentials, profile or region of the developer's leak in. Rejects with the CLI's output
 * (osls writes its errors to stdout).
 *
 * One run at a time per checkout, across processes (jest runs test files in parallel workers):
 * serverless-esbuild builds in the service's own .esbuild/ and .serverless/ and deletes .esbuild/
 * when done, so two concurrent runs fail each other with ENOENT.
 */
export async function serverlessPackage(options: PackageOptions): Promise<{ stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', SLS_TELEMETRY_DISABLED: '1' };
  if (options.deployDir !== undefined) env.KLAXON_DEPLOY_DIR = options.deployDir;
  const args = [SERVERLESS, 'package', '--stage', options.stage, ...(options.region === undefined ? [] : ['--region', options.region]), '--package', options.out];
  const release = await lockPackaging();
  try {
    const { stderr } = await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    return { stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package --stage ${options.stage} failed:\n${stderr ?? ''}${stdout ?? ''}`, { cause: error });
  } finally {
    release();
  }
}

/** The lock file of this checkout: holds the pid of the process packaging. */
const LOCK = join(tmpdir(), `klaxon-serverless-package-${createHash('sha256').update(ROOT).digest('hex').slice(0, 16)}.lock`);

/** Waits for the packaging lock (taking over one left by a process that died); the function releases it. */
async function lockPackaging(timeoutMs = 180_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(LOCK, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!holderAlive()) {
      rmSync(LOCK, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`serverless package: still waiting for ${LOCK} after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** Whether the lock's holder still runs (a lock without a pid yet is being taken: alive). */
function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(LOCK, 'utf8'));
  } catch {
    return true; // gone since: the next attempt takes it
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One file of a function's zip, with its uncompressed size. */
export interface ZipEntry {
  name: string;
  bytes: number;
}

/** Unzips a function's package into `taskRoot` (created as needed), as Lambda lays it out; the entries. */
export function extractFunction(zipPath: string, taskRoot: string): Promise<ZipEntry[]> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`cannot open ${zipPath}`));
      const entries: ZipEntry[] = [];
      const fail = (error: unknown) => {
        zip.close();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      zip.on('entry', (entry: yauzl.Entry) => {
        const target = resolve(taskRoot, entry.fileName);
        const inside = relative(taskRoot, target);
        if (inside.startsWith('..') || isAbsolute(inside)) return fail(new Error(`${zipPath}: entry ${entry.fileName} lies outside the task root`));
        if (entry.fileName.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return fail(streamErr ?? new Error(`cannot read ${entry.fileName}`));
          mkdirSync(dirname(target), { recursive: true });
          pipeline(stream, createWriteStream(target)).then(() => {
            entries.push({ name: entry.fileName, bytes: entry.uncompressedSize });
            zip.readEntry();
          }, fail);
        });
      });
      zip.on('end', () => resolvePromise(entries));
      zip.on('error', fail);
      zip.readEntry();
    });
  });
}
