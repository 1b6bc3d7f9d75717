/**
 * A whole Klaxon for interaction tests: the real Bolt app on HTTP (127.0.0.1, ephemeral port),
 * the Slack stand-in, a SQLite store in a temp dir, the shipped rules and templates, and an
 * AlertLifecycle posting through SlackNotifier. Alerts come from sshd lines through the real
 * parser; clicks and commands are signed as Slack signs them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel } from '@slack/bolt';
import type { Logger } from '@slack/bolt';
import { decodeGroupData, type GroupData } from '../../src/alerts/group-data';
import { AlertLifecycle, type BatchReport } from '../../src/alerts/lifecycle';
import { BUNDLED_RULES_DIR, loadRulesAndTemplates } from '../../src/cli/rules-dir';
import { alertsForText } from '../../src/engine/run';
import type { CompiledRule } from '../../src/rules/types';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { fingerprintFromBlockId } from '../../src/slack/actions';
import { createInteractionApp, EVENTS_PATH, type InteractionApp } from '../../src/slack/bolt-app';
import type { InteractionDeps } from '../../src/slack/interactions';
import { createSlackClient } from '../../src/slack/client';
import { SlackNotifier } from '../../src/slack/notifier';
import { DEFAULT_TEMPLATES_DIR } from '../../src/slack/templates';
import { SqliteStore } from '../../src/store/sqlite';
import { blockActionsBody, blockActionsPayload, signedRequest, slashCommandBody } from '../helpers/slack-signing';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../helpers/slack-standin';

export const SIGNING_SECRET = 'klaxon-test-signing-secret';
export const BOT_TOKEN = 'xoxb-test';
export const CHANNEL = 'C0ALERTS';

export interface HarnessOptions {
  /** KLAXON_ALLOWED_USERS. */
  allowedUsers?: string[];
  /** `allowed_users` per rule id, replacing what the rule file says. */
  ruleAllowedUsers?: Record<string, string[]>;
}

/** What a click or command got back over HTTP. */
export interface HttpAnswer {
  status: number;
  text: string;
}

export interface Harness {
  slack: SlackStandIn;
  store: SqliteStore;
  /** What the app's handlers were given (to build another front door on the same state). */
  deps: InteractionDeps;
  /** Everything Bolt and the handlers logged. */
  logs: string[];
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Parses sshd lines (year 2024) and runs them through the lifecycle as one batch. */
  feed(lines: string): Promise<BatchReport>;
  group(fingerprint: string): Promise<GroupData>;
  /** The channel and ts of the group's latest posted message. */
  messageOf(fingerprint: string): Promise<{ channel: string; ts: string }>;
  /** Clicks a control on the group's latest posted message, or on `message` (one the record no longer holds). */
  click(input: {
    userId: string;
    actionId: string;
    fingerprint: string;
    value?: string;
    selectedOptionValue?: string;
    responseId?: string;
    message?: { channel: string; ts: string };
  }): Promise<HttpAnswer>;
  command(userId: string, text: string, responseId?: string): Promise<HttpAnswer>;
  /** Opens `userId`'s App Home tab (an `app_home_opened` event callback). */
  openHome(userId: string): Promise<HttpAnswer>;
  /** Uses a control on the App Home tab: no message, no response_url. */
  clickHome(input: { userId: string; actionId: string; blockId: string; value?: string; selectedOptionValue?: string }): Promise<HttpAnswer>;
  /** POSTs `body` to /slack/events with the given headers. */
  post(body: string, headers: Record<string, string>): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const slack = await startSlackStandIn();
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-interactions-'));
  const store = SqliteStore.open(join(dir, 'state.db'));
  const loaded = loadRulesAndTemplates(BUNDLED_RULES_DIR, DEFAULT_TEMPLATES_DIR);
  const rules: CompiledRule[] = loaded.rules.map((rule) => ({ ...rule, allowedUsers: options.ruleAllowedUsers?.[rule.id] ?? rule.allowedUsers }));
  const logs: string[] = [];
  const client = createSlackClient({
    token: BOT_TOKEN,
    apiUrl: slack.url,
    retryConfig: { retries: 0 },
    logger: { warn: (line) => logs.push(line), error: (line) => logs.push(line) },
  });
  const notifier = new SlackNotifier(client, loaded.templates);
  // Updates at once: these tests are about what a click changes, not about coalescing updates.
  const lifecycle = new AlertLifecycle({ store, rules, notifier, defaultChannel: CHANNEL, invocationId: 'test', updateIntervalMs: 0 });
  const deps: InteractionDeps = { store, lifecycle, notifier, rules, allowedUsers: options.allowedUsers ?? [] };
  const server: InteractionApp = createInteractionApp({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    apiUrl: slack.url,
    port: 0,
    host: '127.0.0.1',
    logger: collectingLogger(logs),
    deps,
  });
  const { port } = await server.start();
  const origin = `http://127.0.0.1:${String(port)}`;

  const post = async (body: string, headers: Record<string, string>): Promise<HttpAnswer> => {
    const response = await fetch(`${origin}${EVENTS_PATH}`, { method: 'POST', headers, body });
    return { status: response.status, text: await response.text() };
  };
  const group = async (fingerprint: string): Promise<GroupData> => {
    const record = await store.getGroup(fingerprint);
    if (record === undefined) throw new Error(`no group ${fingerprint}`);
    return decodeGroupData(fingerprint, record.data);
  };
  const messageOf = async (fingerprint: string) => {
    const posted = (await group(fingerprint)).messages.filter((m) => m.ts !== undefined).at(-1);
    if (posted?.ts === undefined) throw new Error(`group ${fingerprint} has no posted message`);
    return { channel: posted.channel, ts: posted.ts };
  };

  return {
    slack,
    store,
    deps,
    logs,
    origin,
    async feed(lines) {
      const { events } = await alertsForText(lines, rules, { source: 'ssh', year: 2024, now: Date.UTC(2024, 11, 31), routes: DEFAULT_ROUTES });
      return lifecycle.processBatch(events);
    },
    group,
    messageOf,
    async click(input) {
      const { channel, ts } = input.message ?? (await messageOf(input.fingerprint));
      const payload = blockActionsPayload({
        userId: input.userId,
        actionId: input.actionId,
        blockId: `klaxon_actions:${input.fingerprint}`,
        channelId: channel,
        messageTs: ts,
        responseUrl: slack.responseUrl(input.responseId ?? 'click'),
        ...(input.value === undefined ? {} : { value: input.value }),
        ...(input.selectedOptionValue === undefined ? {} : { selectedOptionValue: input.selectedOptionValue }),
      });
      const { headers, body } = signedRequest(SIGNING_SECRET, blockActionsBody(payload));
      return post(body, { ...headers });
    },
    async command(userId, text, responseId = 'command') {
      const raw = slashCommandBody({ userId, text, channelId: CHANNEL, responseUrl: slack.responseUrl(responseId) });
      const { headers, body } = signedRequest(SIGNING_SECRET, raw);
      return post(body, { ...headers });
    },
    async openHome(userId) {
      const raw = JSON.stringify({
        token: 'verification',
        team_id: 'T0TEST',
        api_app_id: 'A0KLAXON',
        type: 'event_callback',
        event_id: `Ev${Date.now()}${Math.random().toString(36).slice(2, 8)}`,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'app_home_opened', user: userId, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` },
      });
      const { headers, body } = signedRequest(SIGNING_SECRET, raw);
      return post(body, { ...headers, 'Content-Type': 'application/json' });
    },
    async clickHome(input) {
      const payload = blockActionsPayload({
        userId: input.userId,
        actionId: input.actionId,
        blockId: input.blockId,
        channelId: 'unused',
        messageTs: 'unused',
        responseUrl: 'unused',
        ...(input.value === undefined ? {} : { value: input.value }),
        ...(input.selectedOptionValue === undefined ? {} : { selectedOptionValue: input.selectedOptionValue }),
      });
      // As Slack sends a click on a Home tab: the view instead of a channel, message and response_url.
      const fromHome: Record<string, unknown> = { ...payload, container: { type: 'view', view_id: `V${input.userId}` }, view: { id: `V${input.userId}`, type: 'home', blocks: [] } };
      for (const key of ['channel', 'message', 'response_url']) delete fromHome[key];
      const { headers, body } = signedRequest(SIGNING_SECRET, blockActionsBody(fromHome));
      return post(body, { ...headers });
    },
    post,
    async close() {
      await server.stop();
      await store.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** sshd lines: `n` failed passwords for root from `ip`, one a minute from `minute` (2024-11-02 10:00 + minutes). */
export function failures(ip: string, minute: number, n: number): string {
  return Array.from({ length: n }, (_, i) => `${syslogTime(minute + i)} bastion sshd[${200 + minute + i}]: Failed password for root from ${ip} port ${40000 + minute + i} ssh2`).join('\n');
}

/** One successful root login on `host` from `ip` at `minute`. */
export function rootLogin(host: string, ip: string, minute: number): string {
  return `${syslogTime(minute)} ${host} sshd[${900 + minute}]: Accepted publickey for root from ${ip} port ${41000 + minute} ssh2`;
}

function syslogTime(minute: number): string {
  const t = new Date(Date.UTC(2024, 10, 2, 10, 0, 0) + minute * 60_000);
  const hh = String(t.getUTCHours()).padStart(2, '0');
  const mm = String(t.getUTCMinutes()).padStart(2, '0');
  return `Nov ${String(t.getUTCDate()).padStart(2, ' ')} ${hh}:${mm}:00`;
}

/** The alert messages posted (not thread replies), with the fingerprint from their actions block. */
export function postedAlerts(slack: SlackStandIn): Array<{ call: RecordedCall; fingerprint: string }> {
  return slack
    .callsTo('chat.postMessage')
    .filter((c) => c.body.thread_ts === undefined)
    .map((call) => ({ call, fingerprint: fingerprintOf(call) }));
}

/** Thread replies posted under `ts`. */
export function threadReplies(slack: SlackStandIn, ts: string): string[] {
  return slack
    .callsTo('chat.postMessage')
    .filter((c) => c.body.thread_ts === ts)
    .map((c) => String(c.body.text));
}

/** The fingerprint in a posted or updated message's actions block. */
export function fingerprintOf(call: RecordedCall): string {
  const blocks = Array.isArray(call.body.blocks) ? (call.body.blocks as Array<{ type?: string; block_id?: string }>) : [];
  const id = blocks.find((b) => b.type === 'actions')?.block_id;
  const fingerprint = id === undefined ? undefined : fingerprintFromBlockId(id);
  if (fingerprint === undefined) throw new Error('message has no Klaxon actions block');
  return fingerprint;
}

/** The action ids of the buttons and menus on a posted or updated message. */
export function actionIds(call: RecordedCall): string[] {
  const blocks = Array.isArray(call.body.blocks) ? (call.body.blocks as Array<{ type?: string; elements?: Array<{ action_id?: string }> }>) : [];
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));
}

/** The ephemeral texts posted to a response URL. */
export function ephemeralTexts(slack: SlackStandIn, responseId: string): string[] {
  return slack.responsesTo(responseId).map((body) => {
    const answer = body as { response_type?: string; text?: string };
    if (answer.response_type !== 'ephemeral') throw new Error(`response ${responseId} is not ephemeral: ${JSON.stringify(body)}`);
    return answer.text ?? '';
  });
}

/** A Bolt logger that keeps every line in `lines`. */
export function collectingLogger(lines: string[]): Logger {
  let level = LogLevel.DEBUG;
  const push = (label: string) => (...msg: unknown[]) => {
    lines.push(`${label}: ${msg.map(String).join(' ')}`);
  };
  return {
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
