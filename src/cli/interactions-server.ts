/**
 * The Slack side of `klaxon run`: serves the Acknowledge/Silence buttons and `/klaxon`
 * through Socket Mode (SLACK_APP_TOKEN, no public URL needed) or over HTTP on PORT at
 * `POST /slack/events` (verified with SLACK_SIGNING_SECRET), until SIGINT/SIGTERM.
 */
import type { WebClient } from '@slack/web-api';
import type { AlertLifecycle } from '../alerts/lifecycle';
import type { Notifier } from '../alerts/notifier';
import type { CompiledRule } from '../rules/types';
import { parseAllowedUsers } from '../slack/allowed-users';
import { createInteractionApp, DEFAULT_PORT } from '../slack/bolt-app';
import type { StateStore } from '../store/types';
import { UsageError, write, type CliIo } from './io';

export interface InteractionServer {
  /** Resolves on SIGINT or SIGTERM. */
  waitForStop(): Promise<void>;
  stop(): Promise<void>;
}

export interface InteractionSetup {
  env: NodeJS.ProcessEnv;
  io: CliIo;
  store: StateStore;
  lifecycle: AlertLifecycle;
  notifier: Notifier;
  rules: readonly CompiledRule[];
  slackClient: WebClient;
}

/** Starts the interaction server, or returns undefined (saying why) when neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set. */
export async function startInteractions(setup: InteractionSetup): Promise<InteractionServer | undefined> {
  const { env, io } = setup;
  const appToken = nonEmpty(env.SLACK_APP_TOKEN);
  const signingSecret = nonEmpty(env.SLACK_SIGNING_SECRET);
  if (appToken === undefined && signingSecret === undefined) {
    await write(io.stderr, 'klaxon run: Acknowledge and Silence are off: set SLACK_SIGNING_SECRET (HTTP on PORT) or SLACK_APP_TOKEN (Socket Mode) to serve them\n');
    return undefined;
  }
  const port = parsePort(env.PORT);
  const server = createInteractionApp({
    botToken: nonEmpty(env.SLACK_BOT_TOKEN) ?? '',
    ...(appToken === undefined ? {} : { appToken }),
    ...(signingSecret === undefined ? {} : { signingSecret }),
    ...(nonEmpty(env.SLACK_API_URL) === undefined ? {} : { apiUrl: env.SLACK_API_URL as string }),
    port,
    deps: { store: setup.store, lifecycle: setup.lifecycle, notifier: setup.notifier, rules: setup.rules, allowedUsers: parseAllowedUsers(env.KLAXON_ALLOWED_USERS) },
  });
  // Listen for Ctrl-C from now on: a signal while the input is still being processed must end the run after it, not kill it midway.
  let signalled: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (signalled = resolve));
  process.once('SIGINT', signalled);
  process.once('SIGTERM', signalled);
  let started: { port?: number };
  try {
    started = await server.start();
  } catch (err) {
    process.off('SIGINT', signalled);
    process.off('SIGTERM', signalled);
    throw err;
  }
  const where = appToken !== undefined ? 'Socket Mode' : `http://0.0.0.0:${started.port ?? port}/slack/events (health: /healthz)`;
  await write(io.stderr, `klaxon run: serving Slack interactions over ${where}; Ctrl-C to stop\n`);
  return {
    waitForStop: () => stopRequested,
    stop: async () => {
      process.off('SIGINT', signalled);
      process.off('SIGTERM', signalled);
      await server.stop();
    },
  };
}

/** PORT, or the default (3000). */
export function listenPort(env: NodeJS.ProcessEnv): number {
  return parsePort(env.PORT);
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`PORT must be a port number, not "${value}"`);
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
