/**
 * Engine memory under a flood of distinct addresses: `klaxon scan -` in a fresh process
 * reads failed SSH logins, each from a new address, all within one hour of event time
 * (so no group ages out), and its peak resident memory is printed against the ceiling
 * of a 512 MB Lambda function. The cap on groups per rule (KLAXON_MAX_GROUPS_PER_RULE,
 * default 50,000) is what keeps it flat.
 *
 *   npm run bench:memory                          # 10,000,000 addresses
 *   BENCH_ADDRESSES=2000000 npm run bench:memory
 *   BENCH_SMOKE=1 npm run bench:memory            # 200,000 addresses: checks the harness
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const SMOKE = process.env.BENCH_SMOKE === '1';
const ADDRESSES = Number(process.env.BENCH_ADDRESSES ?? (SMOKE ? 200_000 : 10_000_000));
const CEILING_MB = 512;
const SPREAD_SECONDS = 3600;
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 384);

function line(i: number): string {
  const second = Math.floor((i / ADDRESSES) * SPREAD_SECONDS);
  const hh = String(10 + Math.floor(second / 3600)).padStart(2, '0');
  const mm = String(Math.floor(second / 60) % 60).padStart(2, '0');
  const ss = String(second % 60).padStart(2, '0');
  return `Nov  2 ${hh}:${mm}:${ss} bastion sshd[${1000 + (i % 30000)}]: Failed password for root from 11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} port ${1024 + (i % 60000)} ssh2\n`;
}

async function main(): Promise<void> {
  // The heap is limited as on a 512 MB Lambda function: V8 otherwise grows its heap lazily up to
  // several GB before collecting, and RSS would measure its laziness, not what is live.
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, join(__dirname, 'scan-child.js'), '--year', '2024', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  // A scan that dies (out of memory) closes its stdin: the exit code below says so.
  child.stdin.on('error', () => undefined);
  const started = Date.now();
  const perChunk = 2_000;
  for (let i = 0; i < ADDRESSES; i += perChunk) {
    let chunk = '';
    for (let j = i; j < Math.min(ADDRESSES, i + perChunk); j++) chunk += line(j);
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (!child.stdin.write(chunk)) await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), exited]);
    if (i % 1_000_000 === 0 && i > 0) process.stderr.write(`  ${(i / 1e6).toFixed(0)} M addresses sent, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`scan exited ${code} (out of memory with a ${HEAP_MB} MB heap?)`);
  const m = JSON.parse(out.trim().split('\n').at(-1) as string) as { ms: number; maxRssMb: number; summary: string; stateCap?: string };
  console.log(`klaxon scan memory benchmark: ${ADDRESSES.toLocaleString('en')} failed logins from as many distinct addresses within ${SPREAD_SECONDS / 60} minutes${SMOKE ? ' (smoke mode)' : ''}, node ${process.version}`);
  console.log(`  heap limited to ${HEAP_MB} MB (--max-old-space-size); peak RSS ${Math.round(m.maxRssMb)} MB (ceiling ${CEILING_MB} MB: ${m.maxRssMb <= CEILING_MB ? 'within' : 'OVER'}), ${Math.round((ADDRESSES / m.ms) * 1000).toLocaleString('en')} lines/s`);
  console.log(`  ${m.summary}`);
  console.log(`  ${m.stateCap ?? 'state cap not reached'}`);
  if (m.maxRssMb > CEILING_MB) process.exitCode = 1;
}

void main();
