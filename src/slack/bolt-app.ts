/**
 * The Bolt app that serves Klaxon's Slack interactions ({@link registerInteractions}), on one of
 * Bolt's receivers:
 *
 * - HTTP (`HTTPReceiver`): `POST /slack/events` for interactions and slash commands, signed
 *   requests only (Bolt answers a missing, wrong or more than 5 minutes old signature with 401
 *   before any listener runs), and `GET /healthz` → 200 `{"ok":true}`;
 * - Socket Mode (`SocketModeReceiver`) when an app-level token is given: no public URL needed;
 * - AWS Lambda (`AwsLambdaReceiver`) behind API Gateway or a function URL
 *   ({@link createLambdaInteractionApp}).
 *
 * Every receiver finishes the listener (state writes, message updates) before it answers Slack
 * (`processBeforeResponse` on HTTP; the Lambda receiver always does): a Lambda is frozen as soon as it answers.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, AwsLambdaReceiver, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { CustomRoute, Logger, Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { DEFAULT_RETRY_POLICY, DEFAULT_TIMEOUT_MS, deliveryError } from './client';
import { registerInteractions, type InteractionDeps } from './interactions';
import { checkSlackRequest } from './request-guard';

/** Where Slack posts interactions and slash commands (the app's Request URL). */
export const EVENTS_PATH = '/slack/events';
/** Liveness probe for load balancers and container platforms. */
export const HEALTH_PATH = '/healthz';
export const DEFAULT_PORT = 3000;
/** Every interface: the CLI serves Slack from a host or container. */
export const DEFAULT_HOST = '0.0.0.0';

/** What the three receivers share. */
export interface InteractionAppBase {
  /** Bot token (`xoxb-…`): Bolt checks it once with `auth.test` on start. */
  botToken: string;
  /** Base URL of the Web API (`SLACK_API_URL`), for the app's own client. */
  apiUrl?: string;
  /** What the handlers need; `log` defaults to the app's logger. */
  deps: InteractionDeps;
  /** Level of Bolt's console logger (default INFO); ignored when `logger` is given. */
  logLevel?: LogLevel;
  logger?: Logger;
}

export interface InteractionAppOptions extends InteractionAppBase {
  /** `SLACK_SIGNING_SECRET`: required over HTTP. */
  signingSecret?: string;
  /** `SLACK_APP_TOKEN` (`xapp-…`): serve over Socket Mode instead of HTTP. */
  appToken?: string;
  /** HTTP port (default {@link DEFAULT_PORT}); 0 picks a free one, reported by `start()`. */
  port?: number;
  /** HTTP interface (default {@link DEFAULT_HOST}). */
  host?: string;
}

export interface InteractionApp {
  app: App;
  /** Checks the bot token, then listens; resolves to the HTTP port actually bound (none in Socket Mode). */
  start(): Promise<{ port?: number }>;
  /** Closes the server or socket. Harmless when not started. */
  stop(): Promise<void>;
}

/**
 * The interaction app for `klaxon run`: Socket Mode when `appToken` is set, HTTP otherwise.
 *
 * @example
 *   const server = createInteractionApp({ botToken, signingSecret, port: 0, host: '127.0.0.1', deps });
 *   const { port } = await server.start(); // POST http://127.0.0.1:<port>/slack/events
 *   await server.stop();
 */
export function createInteractionApp(options: InteractionAppOptions): InteractionApp {
  requireValue(options.botToken, 'Slack bot token is missing (set SLACK_BOT_TOKEN)');
  return options.appToken !== undefined && options.appToken.trim() !== '' ? socketModeApp(options, options.appToken) : httpApp(options);
}

/** The Lambda side: a handler for API Gateway / function URL events, verified with the signing secret. */
export interface LambdaInteractionApp {
  app: App;
  handler: LambdaHandler;
}

export type LambdaHandler = ReturnType<AwsLambdaReceiver['toHandler']>;

/**
 * The same app on Bolt's `AwsLambdaReceiver`. The bot token is checked (`auth.test`) on the first
 * request of each cold start; a failed check is tried again on the next request.
 *
 * @example
 *   const { handler } = createLambdaInteractionApp({ botToken, signingSecret, deps });
 *   export const main = handler;
 */
export function createLambdaInteractionApp(options: InteractionAppBase & { signingSecret: string }): LambdaInteractionApp {
  requireValue(options.botToken, 'Slack bot token is missing (set SLACK_BOT_TOKEN)');
  requireValue(options.signingSecret, 'SLACK_SIGNING_SECRET is missing: Slack requests cannot be verified without it');
  const receiver = new AwsLambdaReceiver({ signingSecret: options.signingSecret, ...logging(options) });
  const app = buildApp(options, receiver);
  const initialize = once(() => initApp(app));
  const inner = receiver.toHandler();
  const handler: LambdaHandler = async (event, context) => {
    await initialize();
    return inner(event, context);
  };
  return { app, handler };
}

function httpApp(options: InteractionAppOptions): InteractionApp {
  const signingSecret = options.signingSecret ?? '';
  requireValue(signingSecret, 'SLACK_SIGNING_SECRET is missing: Slack requests cannot be verified without it (or set SLACK_APP_TOKEN for Socket Mode)');
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: EVENTS_PATH,
    customRoutes: [healthRoute()],
    processBeforeResponse: true,
    signatureVerification: true,
    ...logging(options),
  });
  guardRequests(receiver, signingSecret);
  const app = buildApp(options, receiver);
  let server: Server | undefined;
  return {
    app,
    async start() {
      await initApp(app);
      server = await receiver.start({ port: options.port ?? DEFAULT_PORT, host: options.host ?? DEFAULT_HOST });
      return { port: (server.address() as AddressInfo).port };
    },
    async stop() {
      if (server === undefined) return;
      const stopping = receiver.stop();
      // Idle keep-alive connections would hold close() open.
      server.closeIdleConnections();
      server = undefined;
      await stopping;
    },
  };
}

/** Largest request body read (Slack's interaction payloads are a few kB; Bolt's own limit is 4 MB). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Puts {@link checkSlackRequest} in front of the HTTP receiver: the body is read once (and left
 * on the request, where Bolt takes it from), checked, and only a verified, well-formed Slack
 * request reaches Bolt; the rest get a 4xx and the server goes on serving.
 */
function guardRequests(receiver: HTTPReceiver, signingSecret: string): void {
  const next = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== EVENTS_PATH) return next(req, res);
    void readBody(req, MAX_BODY_BYTES).then(
      (rawBody) => {
        const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
        const verdict = checkSlackRequest({ rawBody: rawBody.toString('utf8'), contentType: header('content-type'), signature: header('x-slack-signature'), timestamp: header('x-slack-request-timestamp') }, signingSecret);
        if (!verdict.ok) return void res.writeHead(verdict.status).end();
        (req as typeof req & { rawBody: Buffer }).rawBody = rawBody;
        next(req, res);
      },
      () => void res.writeHead(413).end(),
    );
  };
}

/** The whole body, or a rejection past `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new Error('request body too large'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function socketModeApp(options: InteractionAppOptions, appToken: string): InteractionApp {
  const receiver = new SocketModeReceiver({ appToken, ...logging(options), installerOptions: { clientOptions: clientOptions(options.apiUrl) } });
  const app = buildApp(options, receiver);
  let started = false;
  return {
    app,
    async start() {
      await initApp(app);
      await app.start();
      started = true;
      return {};
    },
    async stop() {
      if (!started) return;
      started = false;
      await app.stop();
    },
  };
}

/** The App on `receiver`, with the handlers registered and a last-resort error handler that logs one line. */
function buildApp(options: InteractionAppBase, receiver: Receiver): App {
  const app = new App({
    token: options.botToken,
    receiver,
    ...logging(options),
    clientOptions: clientOptions(options.apiUrl),
    // auth.test runs in start() (or on a Lambda's first request), where its failure can be reported.
    deferInitialization: true,
  });
  const { logger } = app;
  registerInteractions(app, { ...options.deps, log: options.deps.log ?? ((line) => logger.error(line)) });
  app.error(async (error) => {
    logger.error(`klaxon: a Slack request failed: ${error.code ?? 'error'}: ${error.message}`);
  });
  return app;
}

/** Bolt's own WebClient: Klaxon's base URL, retry budget and timeout. */
function clientOptions(apiUrl: string | undefined): WebClientOptions {
  const options: WebClientOptions = { retryConfig: { ...DEFAULT_RETRY_POLICY }, timeout: DEFAULT_TIMEOUT_MS };
  if (apiUrl !== undefined && apiUrl.trim() !== '') options.slackApiUrl = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  return options;
}

/** Runs Bolt's deferred initialization (`auth.test` on the bot token), naming Slack's error when it fails. */
async function initApp(app: App): Promise<void> {
  try {
    await app.init();
  } catch (error) {
    throw deliveryError(error, 'auth.test');
  }
}

/** The logger, or else the level for Bolt's console logger. */
function logging(options: InteractionAppBase): { logger: Logger } | { logLevel: LogLevel } {
  return options.logger !== undefined ? { logger: options.logger } : { logLevel: options.logLevel ?? LogLevel.INFO };
}

function healthRoute(): CustomRoute {
  return {
    path: HEALTH_PATH,
    method: ['GET'],
    handler: (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    },
  };
}

/** Runs `fn` once; a failure is not remembered, so the next call tries again. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn().catch((error: unknown) => {
      running = undefined;
      throw error;
    });
    return running;
  };
}

function requireValue(value: string | undefined, message: string): void {
  if (value === undefined || value.trim() === '') throw new Error(message);
}
