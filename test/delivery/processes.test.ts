/**
 * Issue 9 with real processes: several `klaxon run` on one SQLite state file over one input,
 * `--follow` through a Slack outage, and `kill -9` of a run while it posts. Each ends with
 * every alert in Slack exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, tempDir } from '../cli/helpers';
import { failedPasswords, successfulLogins } from '../helpers/auth-lines';
import { useSlackStandIn } from '../helpers/slack-standin';

jest.setTimeout(120_000);

const slack = useSlackStandIn();
let dir: string;

beforeEach(() => {
  dir = tempDir();
});

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function klaxon(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [BIN, 'run', '--year', '2024', ...args], {
    env: { ...process.env, SLACK_BOT_TOKEN: 'xoxb-processes', SLACK_API_URL: slack.url, SLACK_CHANNEL: 'C0ALERTS', KLAXON_STATE: join(dir, 'state.db'), ...env },
    cwd: dir,
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout?.resume();
  return { child, stderr: () => stderr, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** Top-level messages posted, by the alert their metadata names: each must appear once. */
function postedAlerts(): string[] {
  return slack
    .messages()
    .filter((m) => m.thread_ts === undefined)
    .map((m) => JSON.stringify((m.metadata as { event_payload?: unknown } | undefined)?.event_payload));
}

it('three `klaxon run --once` started together over one file of 300 logins post 300 messages, not 910', async () => {
  const log = join(dir, 'auth.log');
  writeFileSync(log, successfulLogins(300) + failedPasswords('203.0.113.50', 6, 400));
  const runs = [klaxon(['--once', log]), klaxon(['--once', log]), klaxon(['--once', log])];
  const codes = await Promise.all(runs.map((r) => r.exited));
  expect({ codes, stderr: codes.some((c) => c !== 0) ? runs.map((r) => r.stderr()) : [] }).toEqual({ codes: [0, 0, 0], stderr: [] });
  const alerts = postedAlerts();
  expect({ distinct: new Set(alerts).size, posted: alerts.length, secondSequences: alerts.filter((a) => a.includes('"sequence":2')).length }).toEqual({ distinct: 301, posted: 301, secondSequences: 0 });
  expect(slack.callsTo('chat.postMessage')).toHaveLength(301);
  // The brute force counted 6, not 12 or 18.
  const brute = slack.messages().find((m) => String(m.text).includes('brute force'));
  expect(JSON.stringify(brute?.blocks)).toContain("Count: 6 ·");
});

it('a brute force that worked, its failures and its success in files read by three `klaxon run` at once: one alert', async () => {
  const failures = failedPasswords('203.0.113.60', 6, 100);
  const success = 'Nov  2 10:05:00 bastion sshd[9000]: Accepted password for alice from 203.0.113.60 port 40006 ssh2\n';
  const files = ['first.log', 'second.log', 'third.log'].map((name) => join(dir, name));
  writeFileSync(files[0] as string, failures.split('\n').slice(0, 3).join('\n') + '\n');
  writeFileSync(files[1] as string, success);
  writeFileSync(files[2] as string, failures.split('\n').slice(3).join('\n'));
  const runs = files.map((file) => klaxon(['--once', file]));
  const codes = await Promise.all(runs.map((r) => r.exited));
  expect({ codes, stderr: codes.some((c) => c !== 0) ? runs.map((r) => r.stderr()) : [] }).toEqual({ codes: [0, 0, 0], stderr: [] });
  const worked = postedAlerts().filter((a) => a.includes('ssh-brute-force-success'));
  expect(worked).toHaveLength(1);
});

it('`klaxon run --follow` keeps following through a Slack outage (auth.test and posts failing) and delivers once Slack is back', async () => {
  const log = join(dir, 'auth.log');
  writeFileSync(log, successfulLogins(2));
  slack.failAlways('auth.test', { status: 503 });
  slack.failAlways('chat.postMessage', { status: 503 });
  const run = klaxon(['--follow', log], { SLACK_SIGNING_SECRET: 'secret', PORT: '0' });
  await waitFor(() => /2 alert messages waiting for Slack since/.test(run.stderr()));
  expect(run.stderr()).toContain('Acknowledge and Silence are off for this run');
  // Still following: lines appended during the outage are read too.
  appendFileSync(log, successfulLogins(1, 50));
  await waitFor(() => /3 alert messages waiting for Slack/.test(run.stderr()), 40_000);
  slack.reset();
  await waitFor(() => postedAlerts().length === 3, 40_000);
  await waitFor(() => run.stderr().includes('Slack took the waiting alert messages'));
  run.child.kill('SIGINT');
  expect(await run.exited).toBe(0);
  expect(new Set(postedAlerts()).size).toBe(3);
});

it('`kill -9` of a run while Slack holds its post: a new run on the same state posts every alert exactly once', async () => {
  const log = join(dir, 'auth.log');
  writeFileSync(log, successfulLogins(5));
  // Slack stores the first post and never answers: the process is killed with its claim taken.
  slack.failNext('chat.postMessage', { afterProcessing: 'hang' });
  const doomed = klaxon(['--once', log], { KLAXON_CLAIM_SECONDS: '2' });
  await waitFor(() => slack.callsTo('chat.postMessage').length >= 1);
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  // Its claim (2 s here, 60 s by default) lapses; the next run then looks for the message before posting it again.
  const next = klaxon(['--once', log]);
  expect(await next.exited).toBe(0);
  expect(new Set(postedAlerts()).size).toBe(5);
  expect(postedAlerts()).toHaveLength(5);
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
