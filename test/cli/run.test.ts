import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useSlackStandIn } from '../helpers/slack-standin';
import { BIN, REPO, runCli, tempDir } from './helpers';

// The bundled samples' alerts (`klaxon scan` finds the same: a root login and a world opening are one alert each).
const SAMPLE_ALERTS = 10;

describe('klaxon run', () => {
  const slack = useSlackStandIn();
  let dir: string;

  beforeEach(() => {
    dir = tempDir();
  });

  const slackEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slack.url,
    SLACK_CHANNEL: 'C0ALERTS',
    KLAXON_STATE: join(dir, 'state.db'),
    ...extra,
  });

  it('prints the alerts of the bundled samples without Slack, with state in its own fresh file', async () => {
    const samplesState = join(dir, 'samples.db');
    const first = await runCli(['run'], { env: { KLAXON_STATE: samplesState } });
    expect(first.code).toBe(0);
    expect(first.stdout.match(/^━━ /gm)).toHaveLength(SAMPLE_ALERTS);
    expect(first.stderr).toContain('SLACK_BOT_TOKEN is not set');
    expect(first.stderr).toContain(`${SAMPLE_ALERTS} alerts printed`);
    expect(existsSync(samplesState)).toBe(true);
  });

  it('posts each alert once with --once, and nothing when the same input comes again', async () => {
    const first = await runCli(['run', '--once'], { env: slackEnv() });
    expect(first.code).toBe(0);
    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(SAMPLE_ALERTS);
    expect(new Set(posts.map((p) => p.body.channel))).toEqual(new Set(['C0ALERTS']));
    expect(posts.every((p) => p.body.unfurl_links === false)).toBe(true);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(`${SAMPLE_ALERTS} alerts posted to Slack`);

    const again = await runCli(['run', '--once'], { env: slackEnv() });
    expect(again.code).toBe(0);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(SAMPLE_ALERTS);
    expect(again.stderr).toMatch(/0 alerts posted to Slack, 0 updated, 0 events held back by silences, \d+ events skipped as already processed/);
  });

  it('with --once, exits 1 saying what waits when Slack stays down, and the next run delivers everything exactly once', async () => {
    slack.failAlways('chat.postMessage', { status: 500 });
    const down = await runCli(['run', '--once', join(REPO, 'samples', 'auth.log')], { env: slackEnv() });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('HTTP 500');
    expect(down.stderr).toMatch(/3 alert messages still waiting for Slack since/);
    expect(down.stderr).toContain('nothing is lost');
    expect(down.stderr).not.toContain('xoxb-test-token');
    slack.reset();
    const up = await runCli(['run', '--once', join(REPO, 'samples', 'auth.log')], { env: slackEnv() });
    expect(up.code).toBe(0);
    const posted = slack.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === undefined);
    expect(posted).toHaveLength(3);
    expect(new Set(posted.map((p) => JSON.stringify(p.body.blocks))).size).toBe(3);
  }, 60_000);

  it('a message Slack refuses in full and in the minimal rendering is parked and named; the others are posted; exit 1', async () => {
    // Slack refuses the root login's message ("Root logged in over SSH…"), however it is rendered.
    slack.faultPolicy((method, body) => (method === 'chat.postMessage' && String(body.text).includes('Root logged in') ? { error: 'invalid_blocks' } : undefined));
    const run = await runCli(['run', '--once', join(REPO, 'samples', 'auth.log')], { env: slackEnv() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Slack refused 1 alert message for good \(Slack chat\.postMessage to C0ALERTS failed: invalid_blocks\): parked/);
    expect(run.stderr).toContain('2 alerts posted to Slack, 0 updated, 1 refused by Slack (parked)');
  });

  it('a token with a line break, or a password in SLACK_API_URL, is a configuration error (exit 2) that never prints the secret (issue 10)', async () => {
    const newline = await runCli(['run', '--once'], { env: slackEnv({ SLACK_BOT_TOKEN: 'xoxb-abc\ndef' }) });
    expect(newline.code).toBe(2);
    expect(newline.stderr).toContain('Slack token is malformed');
    expect(newline.stderr).not.toContain('xoxb-abc');
    const password = await runCli(['run', '--once'], { env: slackEnv({ SLACK_API_URL: slack.url.replace('http://', 'http://klaxon:s3cret-pw@') }) });
    expect(password.code).toBe(2);
    expect(password.stderr).toContain('SLACK_API_URL must not contain a user name or password');
    expect(password.stderr).not.toContain('s3cret-pw');
    const garbage = await runCli(['run', '--once'], { env: slackEnv({ SLACK_API_URL: 'ftp://klaxon:s3cret-pw@example.com/api' }) });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).not.toContain('s3cret-pw');
    expect(slack.calls).toHaveLength(0);
  });

  it('refuses to post when no channel is known for a rule', async () => {
    const result = await runCli(['run', '--once'], { env: slackEnv({ SLACK_CHANNEL: '' }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SLACK_CHANNEL is not set and these rules name no slack.channel');
    expect(slack.calls).toHaveLength(0);
  });

  it('--tz reads RFC3164 lines in that zone (issue 11)', async () => {
    const file = join(dir, 'auth.log');
    const line = (i: number) => `Jul 15 10:00:0${i} bastion sshd[${i}]: Failed password for root from 203.0.113.9 port 4000${i} ssh2\n`;
    writeFileSync(file, [0, 1, 2, 3, 4, 5].map(line).join(''));
    const result = await runCli(['run', '--tz', 'America/New_York', '--year', '2024', file], { env: { KLAXON_STATE: join(dir, 's.db') } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2024-07-15T14:00:00.000Z → 2024-07-15T14:00:05.000Z');
  });

  it.each([
    [['--tz', 'Berlin'], '--tz: "Berlin" is not an IANA time zone name'],
    [['--follow'], '--follow needs the FILEs to follow'],
    [['--follow', '--once', 'x.log'], '--follow and --once exclude each other'],
    [['--source', 'syslog'], '--source must be one of'],
  ])('rejects %j', async (args, message) => {
    const result = await runCli(['run', ...args], { env: { KLAXON_STATE: join(dir, 's.db') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('follows a growing file and alerts on lines appended later, until SIGINT', async () => {
    const log = join(dir, 'auth.log');
    writeFileSync(log, 'Nov  2 09:00:00 bastion sshd[1]: Server listening on 0.0.0.0 port 22.\n');
    const child = spawn(process.execPath, [BIN, 'run', '--follow', '--year', '2024', log], { env: { ...process.env, KLAXON_STATE: join(dir, 'state.db'), SLACK_BOT_TOKEN: '' }, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => stderr.includes('following 1 file'));
    appendFileSync(log, 'Nov  2 10:00:00 bastion sshd[2]: Accepted publickey for carol from 198.51.100.9 port 50000 ssh2\n');
    await waitFor(() => stdout.includes('SSH login: carol'));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('1 alert printed');
  });

  it('serves Slack interactions over HTTP until SIGINT when a signing secret is set', async () => {
    const child = spawn(process.execPath, [BIN, 'run', join(REPO, 'samples', 'auth.log')], {
      env: { ...process.env, ...slackEnv({ SLACK_SIGNING_SECRET: 'test-secret', PORT: '0' }) },
      cwd: dir,
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /http:\/\/0\.0\.0\.0:(\d+)\/slack\/events/.test(stderr));
    const port = /http:\/\/0\.0\.0\.0:(\d+)\/slack\/events/.exec(stderr)?.[1];
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const forged = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'payload=%7B%7D' });
    expect(forged.status).toBe(401);
    await waitFor(() => slack.callsTo('chat.postMessage').length === 3);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
