/**
 * A randomized chaos run of delivery: real `klaxon run --once` processes, three at a time, on
 * one SQLite state file and one input, against a Slack stand-in that fails 30 % of calls in
 * random ways (500, 503, 429 with Retry-After 1, a dropped connection, a connection dropped
 * after Slack stored the post, a hang after storing it), while a killer sends SIGKILL to
 * random workers. Rounds go on until a round's workers all exit 0 (nothing waits). Then it
 * counts what Slack holds against the alerts a clean run posts: duplicates and lost must be 0
 * (the run exits 1 otherwise), and reports the time until the backlog drained.
 *
 *   npm run bench:chaos
 *   BENCH_SMOKE=1 npm run bench:chaos     # 40 logins
 *   BENCH_SEED=7 npm run bench:chaos      # another random sequence
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedPasswords, successfulLogins } from '../test/helpers/auth-lines';
import { startSlackStandIn, type SlackFault, type SlackStandIn } from '../test/helpers/slack-standin';
import { random } from './generate';

const SMOKE = process.env.BENCH_SMOKE === '1';
const LOGINS = Number(process.env.BENCH_LOGINS ?? (SMOKE ? 40 : 300));
const BRUTE_FORCES = SMOKE ? 3 : 20;
const WORKERS = 3;
const FAILURE_RATE = 0.3;
const MAX_ROUNDS = 60;
const BIN = join(__dirname, '..', 'bin', 'klaxon.js');

const FAULTS: SlackFault[] = [{ status: 500 }, { status: 503 }, { status: 429, retryAfter: 1 }, { reset: true }, { afterProcessing: 'reset' }, { afterProcessing: 'hang' }];

function input(dir: string): string {
  const file = join(dir, 'auth.log');
  let text = successfulLogins(LOGINS);
  for (let i = 0; i < BRUTE_FORCES; i++) text += failedPasswords(`203.0.113.${i + 1}`, 6, 1000 + i * 10);
  writeFileSync(file, text);
  return file;
}

interface Worker {
  exited: Promise<number | null>;
  kill(): void;
}

function worker(slack: SlackStandIn, state: string, file: string): Worker {
  const child = spawn(process.execPath, [BIN, 'run', '--once', '--year', '2024', file], {
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: 'xoxb-chaos',
      SLACK_API_URL: slack.url,
      SLACK_CHANNEL: 'C0CHAOS',
      KLAXON_STATE: state,
      // Short claims, so a killed worker's messages come back within the run, not after a minute.
      KLAXON_CLAIM_SECONDS: '8',
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  return { exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))), kill: () => child.kill('SIGKILL') };
}

/** The alerts Slack holds, by the fingerprint and sequence in their metadata. */
function held(slack: SlackStandIn): string[] {
  return slack
    .messages()
    .filter((m) => m.thread_ts === undefined)
    .map((m) => JSON.stringify((m.metadata as { event_payload?: unknown } | undefined)?.event_payload));
}

async function cleanRun(file: string): Promise<Set<string>> {
  const slack = await startSlackStandIn();
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-chaos-clean-'));
  try {
    const code = await worker(slack, join(dir, 'state.db'), file).exited;
    if (code !== 0) throw new Error(`the clean run exited ${code}`);
    return new Set(held(slack));
  } finally {
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seed = Number(process.env.BENCH_SEED ?? 1);
  const rand = random(seed);
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-chaos-'));
  const file = input(dir);
  const expected = await cleanRun(file);
  const slack = await startSlackStandIn();
  let faults = 0;
  slack.faultPolicy((method) => {
    if (method !== 'chat.postMessage' && method !== 'chat.update' && method !== 'conversations.history') return undefined;
    if (rand() >= FAILURE_RATE) return undefined;
    faults++;
    return FAULTS[Math.floor(rand() * FAULTS.length)];
  });
  const state = join(dir, 'state.db');
  const started = Date.now();
  let kills = 0;
  let rounds = 0;
  let clean = false;
  try {
    while (!clean && rounds < MAX_ROUNDS) {
      rounds++;
      const workers = Array.from({ length: WORKERS }, () => worker(slack, state, file));
      // The killer: each worker has an even chance of a SIGKILL at a random moment in its first 3 s.
      const timers = workers.map((w) =>
        rand() < 0.5
          ? setTimeout(() => {
              kills++;
              w.kill();
            }, 200 + rand() * 2800)
          : undefined,
      );
      const codes = await Promise.all(workers.map((w) => w.exited));
      for (const t of timers) if (t !== undefined) clearTimeout(t);
      clean = codes.every((c) => c === 0);
    }
  } finally {
    await slack.close();
  }
  const drainedMs = Date.now() - started;
  const posted = held(slack);
  const distinct = new Set(posted);
  const duplicates = posted.length - distinct.size;
  const lost = [...expected].filter((a) => !distinct.has(a)).length;
  const unexpected = [...distinct].filter((a) => !expected.has(a)).length;
  rmSync(dir, { recursive: true, force: true });

  console.log(`chaos: seed ${seed}, ${expected.size} alerts (${LOGINS} logins, ${BRUTE_FORCES} brute forces), ${WORKERS} workers per round, ${Math.round(FAILURE_RATE * 100)} % of Slack calls failing`);
  console.log(`  rounds ${rounds}${clean ? '' : ' (gave up: still waiting)'}, workers killed ${kills}, Slack faults injected ${faults}, Slack calls ${slack.calls.length}`);
  console.log(`  posted ${posted.length}, duplicates ${duplicates}, lost ${lost}, unexpected ${unexpected}`);
  console.log(`  until the backlog drained: ${(drainedMs / 1000).toFixed(1)} s`);
  if (!clean || duplicates > 0 || lost > 0 || unexpected > 0) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
