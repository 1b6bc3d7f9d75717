/**
 * Issue 9, items 2, 4, 5 and 6: Slack failing in every way a network and an API fail, with the
 * real WebClient (the outbox's: one request per attempt) against the stand-in, and the
 * lifecycle on a clock the test moves. Each case ends with every alert in Slack exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeGroupData } from '../../src/alerts/group-data';
import { AlertLifecycle } from '../../src/alerts/lifecycle';
import { alertsForText } from '../../src/engine/run';
import type { KlaxonEvent } from '../../src/events/event';
import { loadRulesFromDir } from '../../src/rules/load';
import { createSlackClient, OUTBOX_CLIENT_OPTIONS } from '../../src/slack/client';
import { SlackNotifier } from '../../src/slack/notifier';
import { loadTemplates } from '../../src/slack/templates';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { SqliteStore } from '../../src/store/sqlite';
import { failedPasswords, successfulLogins } from '../helpers/auth-lines';
import { useSlackStandIn } from '../helpers/slack-standin';

const REPO = join(__dirname, '..', '..');
const RULES = loadRulesFromDir(join(REPO, 'rules')).rules;
const TEMPLATES = loadTemplates(join(REPO, 'templates')).templates;
const CHANNEL = 'C0ALERTS';

const slack = useSlackStandIn();
let dir: string;
let store: SqliteStore;
let now: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klaxon-faults-'));
  store = SqliteStore.open(join(dir, 'state.db'));
  now = Date.now();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A container or process: its own client (500 ms timeout) and lifecycle, on the shared store and the test's clock. */
function invocation(id: string, timeoutMs = 500): AlertLifecycle {
  const client = createSlackClient({ token: 'xoxb-faults', apiUrl: slack.url, ...OUTBOX_CLIENT_OPTIONS, timeoutMs, logger: { warn: () => undefined, error: () => undefined } });
  return new AlertLifecycle({ store, rules: RULES, notifier: new SlackNotifier(client, TEMPLATES), defaultChannel: CHANNEL, invocationId: id, now: () => now });
}

async function parse(text: string): Promise<KlaxonEvent[]> {
  return (await alertsForText(text, [], { source: 'ssh', year: 2024, now: Date.UTC(2024, 11, 1), routes: DEFAULT_ROUTES })).events;
}

/** Top-level alert messages in the stand-in, by the alert their metadata names. */
function postedAlerts(): string[] {
  return slack
    .messages()
    .filter((m) => m.thread_ts === undefined)
    .map((m) => {
      const payload = (m.metadata as { event_payload?: { fingerprint?: string; sequence?: number } } | undefined)?.event_payload;
      return `${payload?.fingerprint}#${payload?.sequence}`;
    });
}

function expectEachOnce(expected: number): void {
  const alerts = postedAlerts();
  expect(alerts).toHaveLength(expected);
  expect(new Set(alerts).size).toBe(expected);
}

describe('a post that reached Slack but whose answer was lost', () => {
  it.each(['reset', 'hang'] as const)('(connection %s after Slack stored it): the retry finds it by its metadata and does not post again', async (how) => {
    const events = await parse(successfulLogins(3));
    slack.failNext('chat.postMessage', { afterProcessing: how });
    const first = await invocation('a').processBatch(events);
    expect(first).toMatchObject({ posted: 2, waiting: 1 });
    expect(first.failure?.kind).toBe('unsure');

    const retry = await invocation('b').drain();
    expect(retry).toMatchObject({ posted: 1, waiting: 0 });
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);
    expectEachOnce(3);
  });

  it('an unsure post that did not land is posted on the retry, once', async () => {
    const events = await parse(successfulLogins(1));
    slack.failNext('chat.postMessage', { hang: true });
    expect(await invocation('a').processBatch(events)).toMatchObject({ posted: 0, waiting: 1 });
    expect(await invocation('b').drain()).toMatchObject({ posted: 1, waiting: 0 });
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
    expectEachOnce(1);
  });
});

describe('a poster that died mid-post (kill -9: its claim is never released)', () => {
  it('others leave the message alone while the claim holds, then look for it before posting: posted once', async () => {
    const events = await parse(successfulLogins(1));
    // The first invocation's post reaches Slack, then the process is gone: never answered, never recorded.
    slack.failNext('chat.postMessage', { afterProcessing: 'hang' });
    const dying = invocation('dying', 60_000).processBatch(events);
    await waitFor(() => slack.callsTo('chat.postMessage').length === 1);
    const [record] = await store.listPendingGroups(now);
    expect(decodeGroupData(record?.fingerprint ?? '', record?.data ?? {}).messages[0]?.claim?.by).toMatch(/^dying#/);

    // Retries 1 s and 59 s later: the claim holds, nothing is sent.
    now += 1_000;
    expect(await invocation('retry-1s').drain()).toMatchObject({ posted: 0, waiting: 1 });
    now += 58_000;
    expect(await invocation('retry-59s').drain()).toMatchObject({ posted: 0, waiting: 1 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    // 61 s later the claim has lapsed: the message is looked up, found, recorded; nothing posted again.
    now += 2_000;
    expect(await invocation('retry-61s').drain()).toMatchObject({ posted: 1, waiting: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expectEachOnce(1);
    // Were the dead poster to come back now, it would find the message posted and change nothing.
    slack.dropConnections();
    await dying;
    expectEachOnce(1);
    expect((await store.listPendingGroups(now)).length).toBe(0);
  });
});

describe('failures that provably did not reach Slack release the claim at once', () => {
  it.each([
    ['HTTP 500', { status: 500 }],
    ['HTTP 503', { status: 503 }],
    ['429 Retry-After 1', { status: 429, retryAfter: 1 }],
  ] as const)('%s: a retry 1 s later posts (no minute-long claim in the way)', async (_name, fault) => {
    const events = await parse(successfulLogins(2));
    slack.failNext('chat.postMessage', fault, 2);
    expect(await invocation('a').processBatch(events)).toMatchObject({ posted: 0, waiting: 2 });
    now += 1_100;
    expect(await invocation('b').drain()).toMatchObject({ posted: 2, waiting: 0 });
    expectEachOnce(2);
  });

  it('a refused connection: the same input again posts at once, with no "already processed" silence', async () => {
    const events = await parse(failedPasswords('203.0.113.50', 6));
    const down = createSlackClient({ token: 'xoxb-faults', apiUrl: `http://127.0.0.1:${await closedPort()}/api/`, ...OUTBOX_CLIENT_OPTIONS, logger: { warn: () => undefined, error: () => undefined } });
    const offline = new AlertLifecycle({ store, rules: RULES, notifier: new SlackNotifier(down, TEMPLATES), defaultChannel: CHANNEL, invocationId: 'offline', now: () => now });
    const first = await offline.processBatch(events);
    expect(first).toMatchObject({ posted: 0, waiting: 1 });
    expect([first.failure?.kind, first.failure?.message]).toEqual(['not-sent', expect.stringContaining('ECONNREFUSED')]);
    now += 2_000;
    expect(await invocation('b').processBatch(events)).toMatchObject({ duplicates: 6, posted: 1, waiting: 0 });
    expectEachOnce(1);
  });
});

describe('Retry-After', () => {
  it.each([65, 3600])('%i s is honoured, capped at 15 minutes: nothing is sent before, the alert goes out after', async (seconds) => {
    const events = await parse(successfulLogins(1));
    slack.failNext('chat.postMessage', { status: 429, retryAfter: seconds });
    expect(await invocation('a').processBatch(events)).toMatchObject({ posted: 0, waiting: 1 });
    const waitMs = Math.min(seconds, 900) * 1000;
    now += waitMs - 1_000;
    expect(await invocation('b').drain()).toMatchObject({ posted: 0, waiting: 1 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    now += 2_000;
    expect(await invocation('c').drain()).toMatchObject({ posted: 1, waiting: 0 });
    expectEachOnce(1);
  });
});

describe('a message Slack refuses', () => {
  it('is sent in the minimal rendering, and never holds up the others; counts are the truth', async () => {
    const events = await parse(successfulLogins(4));
    slack.failNext('chat.postMessage', { error: 'invalid_blocks' });
    const report = await invocation('a').processBatch(events);
    expect(report).toMatchObject({ posted: 4, waiting: 0, parked: 0 });
    expectEachOnce(4);
    const minimal = slack.messages().filter((m) => m.blocks === undefined);
    expect(minimal).toHaveLength(1);
    expect(String(minimal[0]?.text)).toMatch(/^LOW: SSH login: .* · 1 event · ssh-login:/);
  });

  it('refused in both renderings, it is parked with its reason; the alerts after it are posted; nothing retries it', async () => {
    const events = await parse(successfulLogins(4));
    slack.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    const report = await invocation('a').processBatch(events.slice(0, 1));
    expect(report).toMatchObject({ posted: 0, waiting: 0, parked: 1 });
    expect(report.failure?.code).toBe('channel_not_found');
    expect(await store.listPendingGroups(now)).toEqual([]);
    now += 60_000;
    expect(await invocation('b').processBatch(events.slice(1))).toMatchObject({ posted: 3, waiting: 0, parked: 0 });
    expect(await invocation('c').drain()).toMatchObject({ groups: 0, posted: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(5);
    expectEachOnce(3);
  });
});

describe('updates under rate limits', () => {
  it('coalesce to at most one chat.update per message per interval; the final count is always delivered', async () => {
    const lines = failedPasswords('203.0.113.9', 60);
    const events = await parse(lines);
    const lifecycle = invocation('a');
    // 60 failures in 12 batches of 5, 5 s apart: the alert opens at the 5th, then grows.
    for (let i = 0; i < 12; i++) {
      await lifecycle.processBatch(events.slice(i * 5, i * 5 + 5));
      now += 5_000;
    }
    const updates = slack.callsTo('chat.update');
    // 55 s of growth with a 30 s interval: at most two updates, not eleven.
    expect(updates.length).toBeLessThanOrEqual(2);
    now += 30_000;
    await lifecycle.drain();
    const last = slack.callsTo('chat.update').at(-1);
    expect(JSON.stringify(last?.body.blocks)).toContain('60');
    expect(await store.listPendingGroups(now)).toEqual([]);
    expectEachOnce(1);
  });
});

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
