/**
 * Issue 13, part 3: `klaxon run --serve` without a Slack token serves the alerts as Slack would
 * show them, and their buttons work against the same state, through the same handlers. Driven
 * in a real headless Chromium (Debian's `chromium`, through playwright-core).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { BIN, jsonLines, runCli, tempDir } from './helpers';

const CHROMIUM = process.env.KLAXON_CHROMIUM ?? '/usr/bin/chromium';
// CI installs Chromium (.ci/run) and must run this; elsewhere it runs when Chromium is there.
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI === 'true') throw new Error(`Chromium is required in CI for the browser tests: ${CHROMIUM} is missing (apt-get install chromium)`);
const describeWithBrowser = haveBrowser ? describe : describe.skip;
if (!haveBrowser) console.warn(`local-page.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install chromium)`);

jest.setTimeout(90_000);

let browser: Browser;
let run: ChildProcess | undefined;
let dir: string;
/** Actions on the local page are recorded as the OS user. */
const OPERATOR = userInfo().username;

beforeAll(async () => {
  if (!haveBrowser) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(() => {
  run?.kill('SIGTERM');
  run = undefined;
});

/** `klaxon run --serve` over the bundled samples, in its own directory; resolves with the page's URL. */
function serve(): Promise<string> {
  dir = tempDir();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  for (const name of ['SLACK_BOT_TOKEN', 'KLAXON_STATE', 'KLAXON_TABLE']) delete env[name];
  const child = spawn(process.execPath, [BIN, 'run', '--serve'], { cwd: dir, env });
  run = child;
  child.stdout?.resume();
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      const url = /are at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1];
      if (url !== undefined) resolve(url);
    });
    child.on('exit', (code) => reject(new Error(`klaxon run --serve exited ${String(code)}: ${stderr}`)));
  });
}

async function stateOf(rule: string): Promise<Record<string, unknown> | undefined> {
  const { stdout } = await runCli(['alerts', '--format', 'json'], { env: { KLAXON_STATE: join(dir, '.klaxon', 'samples.db') } });
  return jsonLines(stdout).find((a) => a.rule === rule);
}

describeWithBrowser('the local page of `klaxon run --serve`', () => {
  it('shows every alert as Slack would, log text inert; Acknowledge and Silence change the state and the message', async () => {
    const url = await serve();
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url);

    const messages = page.locator('article.message');
    // The bundled samples' alerts, as `klaxon scan` finds them (a root login and a world opening are one alert each).
    expect(await messages.count()).toBe(10);
    const root = messages.filter({ hasText: 'Root logged in over SSH on bastion' });
    await expect(root.locator('h3.header').textContent()).resolves.toBe('🔴 CRITICAL: Root logged in over SSH on bastion from 198.51.100.77');
    expect(await root.locator('.field').allTextContents()).toContain('Userroot');
    await expect(root.locator('.field b', { hasText: 'User' }).count()).resolves.toBe(1);
    // The sample WAF request carries <script>alert(1)</script>: shown as text, never run.
    await expect(page.getByText('/search?id=<script>alert(1)</script>').first().isVisible()).resolves.toBe(true);
    expect(dialogs).toEqual([]);

    // each action reloads the page with its answer
    await Promise.all([page.waitForEvent('load'), root.getByRole('button', { name: 'Acknowledge' }).click()]);
    await expect(page.locator('#notice').textContent()).resolves.toBe(`✅ Acknowledged by ${OPERATOR}`);
    const acknowledged = page.locator('article.message').filter({ hasText: 'Root logged in over SSH on bastion' });
    await expect(acknowledged.getByText(`Acknowledged by ${OPERATOR} at`).isVisible()).resolves.toBe(true);
    await expect(acknowledged.getByRole('button', { name: 'Unacknowledge' }).isVisible()).resolves.toBe(true);
    expect(await stateOf('ssh-root-login')).toMatchObject({ acknowledged_by: OPERATOR });

    const brute = page.locator('article.message').filter({ hasText: 'SSH brute force from 203.0.113.50' });
    await Promise.all([page.waitForEvent('load'), brute.locator('select').selectOption({ label: '4 hours' })]);
    await expect(page.locator('#notice').textContent()).resolves.toMatch(new RegExp(`^🔕 Silenced this alert until .* by ${OPERATOR}`));
    const silenced = page.locator('article.message').filter({ hasText: 'SSH brute force from 203.0.113.50' });
    await expect(silenced.getByRole('button', { name: 'Unsilence' }).isVisible()).resolves.toBe(true);
    expect(await stateOf('ssh-brute-force')).toMatchObject({ silence_id: expect.stringMatching(/^S/) });
    expect(dialogs).toEqual([]);
  });

  it('refuses actions without the page token, and answers only on the loopback address', async () => {
    const url = await serve();
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const forged = await fetch(new URL('/actions', url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: 'x', action_id: 'klaxon_acknowledge', value: 'ssh-root-login:0567bf425cba6e51' }) });
    expect(forged.status).toBe(403);
    const notJson = await fetch(new URL('/actions', url), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'a' });
    expect(notJson.status).toBe(400);
    expect((await stateOf('ssh-root-login'))?.acknowledged_by).toBeUndefined();
  });
});
