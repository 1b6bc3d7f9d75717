/**
 * What `klaxon run` and `klaxon replay --deliver` share for delivering alerts: Slack when
 * SLACK_BOT_TOKEN is set (else the terminal), the lifecycle over the state store, event
 * batches, and the closing totals.
 */
import { hostname } from 'node:os';
import type { WebClient } from '@slack/web-api';
import { AlertLifecycle, type BatchReport } from '../alerts/lifecycle';
import type { Notifier } from '../alerts/notifier';
import type { CompiledRule } from '../rules/types';
import type { OutboxStatus } from '../alerts/outbox';
import { OUTBOX_CLIENT_OPTIONS, SlackConfigError, slackClientFromEnv } from '../slack/client';
import { plural } from '../slack/status';
import { SlackNotifier } from '../slack/notifier';
import type { StateStore } from '../store/types';
import { EventBatches } from './event-batches';
import { UsageError, write, type CliIo } from './io';
import type { Loaded } from './rules-dir';
import { TERMINAL_CHANNEL, TerminalNotifier } from './terminal-notifier';

export interface SlackSetup {
  client: WebClient;
  channel: string;
}

/** The Slack client and default channel when SLACK_BOT_TOKEN is set; a usage error when no channel is known for some rule. */
export function slackSetup(command: string, env: NodeJS.ProcessEnv, rules: readonly CompiledRule[], io: CliIo): SlackSetup | undefined {
  const log = (message: string) => void write(io.stderr, `klaxon ${command}: ${message}\n`);
  const client = asUsageError(() => slackClientFromEnv(env, { logger: { warn: log, error: log } }));
  if (client === undefined) return undefined;
  const channel = env.SLACK_CHANNEL?.trim() ?? '';
  const homeless = rules.filter((r) => r.slack.channel === undefined).map((r) => r.id);
  if (channel === '' && homeless.length > 0) {
    throw new UsageError(`SLACK_CHANNEL is not set and these rules name no slack.channel: ${homeless.join(', ')}`);
  }
  return { client, channel };
}

/** A Slack setting that cannot work is the user's to fix: said as a usage error (exit 2), not an internal one. */
function asUsageError<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof SlackConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** The client the outbox delivers with: one request per attempt, a 429 handed back at once (the outbox schedules retries). */
function outboxClient(command: string, env: NodeJS.ProcessEnv, io: CliIo): WebClient {
  const log = (message: string) => void write(io.stderr, `klaxon ${command}: ${message}\n`);
  const client = slackClientFromEnv(env, { ...OUTBOX_CLIENT_OPTIONS, logger: { warn: log, error: log } });
  if (client === undefined) throw new Error('internal: Slack delivery without SLACK_BOT_TOKEN');
  return client;
}

/** KLAXON_UPDATE_INTERVAL_SECONDS and KLAXON_CLAIM_SECONDS, when set: how often a message's counts may be updated, how long a delivery claim holds. */
export function deliveryTimings(env: NodeJS.ProcessEnv): { updateIntervalMs?: number; claimMs?: number } {
  const seconds = (name: string, min: number): number | undefined => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new UsageError(`${name} must be a number of seconds, at least ${min}, not "${raw}"`);
    return value * 1000;
  };
  const updateIntervalMs = seconds('KLAXON_UPDATE_INTERVAL_SECONDS', 0);
  const claimMs = seconds('KLAXON_CLAIM_SECONDS', 1);
  return { ...(updateIntervalMs === undefined ? {} : { updateIntervalMs }), ...(claimMs === undefined ? {} : { claimMs }) };
}

/** How the state store is named to the user: the DynamoDB table, else the SQLite file. */
export function describeStore(env: NodeJS.ProcessEnv, path: string): string {
  return env.KLAXON_TABLE ? `DynamoDB table ${env.KLAXON_TABLE}` : path;
}

export interface Delivery {
  notifier: Notifier;
  lifecycle: AlertLifecycle;
  batches: EventBatches;
}

export interface DeliveryOptions {
  env: NodeJS.ProcessEnv;
  io: CliIo;
  loaded: Loaded;
  store: StateStore;
  slack: SlackSetup | undefined;
  /** The AWS region for console links in Slack messages (default AWS_REGION). */
  region?: string;
}

/** The notifier (Slack, or the terminal without SLACK_BOT_TOKEN, which is said on stderr) and the lifecycle fed in batches. */
export async function startDelivery(command: string, options: DeliveryOptions): Promise<Delivery> {
  const { env, io, loaded, slack } = options;
  const notifier: Notifier = slack === undefined ? new TerminalNotifier(io.stdout, loaded.templates) : new SlackNotifier(outboxClient(command, env, io), loaded.templates, { defaultRegion: options.region ?? env.AWS_REGION });
  if (slack === undefined) await write(io.stderr, `klaxon ${command}: SLACK_BOT_TOKEN is not set, so alerts are printed here instead of posted to Slack\n`);
  const lifecycle = new AlertLifecycle({
    store: options.store,
    rules: loaded.rules,
    notifier,
    defaultChannel: slack?.channel ?? TERMINAL_CHANNEL,
    invocationId: `klaxon-${command}:${hostname()}:${process.pid}`,
    ...deliveryTimings(env),
  });
  return { notifier, lifecycle, batches: new EventBatches(lifecycle) };
}

/** The closing line: what was posted (or printed), updated, held back and skipped. */
export function deliveryTotals(command: string, totals: BatchReport, slack: SlackSetup | undefined): string {
  const where = slack === undefined ? 'printed' : 'posted to Slack';
  const t = totals;
  const parked = t.parked > 0 ? `, ${t.parked} refused by Slack (parked)` : '';
  return `klaxon ${command}: ${t.posted} alert${t.posted === 1 ? '' : 's'} ${where}, ${t.updated} updated${parked}, ${t.suppressed} events held back by silences, ${t.duplicates} events skipped as already processed\n`;
}

/** What to say when a run ends with alerts still waiting for Slack: where they are kept, why, and when they go out. */
export function stillWaitingMessage(command: string, status: OutboxStatus, store: string): string {
  const since = status.oldest === undefined ? '' : ` since ${new Date(status.oldest).toISOString()}`;
  const why = status.lastError === undefined ? '' : `; last error: ${status.lastError}`;
  const when = status.nextAttempt === undefined ? '' : ` (not before ${new Date(status.nextAttempt).toISOString()}, as Slack asked)`;
  return `klaxon ${command}: ${plural(status.waiting, 'alert message')} still waiting for Slack${since}${why}\nklaxon ${command}: nothing is lost: they stay in ${store} and go out with the next \`klaxon run\` on this state${when}\n`;
}
