/**
 * The one place Klaxon's Slack Web API client is configured, and the few calls it makes.
 *
 * Retries: a 429 waits for its `Retry-After` and is tried again; a 5xx answer, a dropped
 * connection or a timeout is tried again after an exponential backoff; both draw on the same
 * bounded budget ({@link DEFAULT_RETRY_POLICY}). When the budget is spent the call rejects, so
 * the caller can fail its batch and let Lambda retry. An API error (`ok: false`, such as
 * `channel_not_found` or `invalid_auth`) is never retried: it rejects at once.
 *
 * The token is never written into an error or a log line made here.
 */
import { format } from 'node:util';
import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from '@slack/web-api';
import type { FetchFunction, Logger, RetryOptions } from '@slack/web-api';
import type { SlackMessage } from './render';

/** Where the client's warnings and errors go (`console` fits). */
export interface SlackLogSink {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Default retry budget: 3 retries (4 attempts), backoff about 0.25 s, 0.5 s, 1 s (randomized up
 * to twice that). With the default 5 s request timeout a Slack that stays down costs at most
 * about 25 s before the call rejects; each 429 adds its `Retry-After`.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryOptions> = Object.freeze({ retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true });

/** Default time one HTTP request to Slack may take before it is abandoned (and retried). */
export const DEFAULT_TIMEOUT_MS = 5000;

export interface SlackClientOptions {
  /** Bot token (`xoxb-…`). Must be non-empty and free of whitespace. */
  token: string;
  /** Base URL of the Web API (from `SLACK_API_URL`), default `https://slack.com/api/`. */
  apiUrl?: string;
  /** Where warnings go; default: `console.error`. Debug and info lines are dropped. */
  logger?: SlackLogSink;
  /** Number of retries on the default policy (shorthand for `retryConfig.retries`). */
  retries?: number;
  /** The whole retry policy (node-retry options), replacing {@link DEFAULT_RETRY_POLICY}. */
  retryConfig?: RetryOptions;
  /** Per-request timeout in milliseconds (default {@link DEFAULT_TIMEOUT_MS}; 0: none). */
  timeoutMs?: number;
  /** The fetch to use (default: global fetch); the client wraps it to report failed answers. */
  fetch?: FetchFunction;
}

/**
 * A WebClient configured for Klaxon.
 *
 * @example
 *   const client = createSlackClient({ token: process.env.SLACK_BOT_TOKEN ?? '', apiUrl: process.env.SLACK_API_URL });
 *   const { ts } = await postMessage(client, 'C0ALERTS', renderAlert(alert, templates));
 */
export function createSlackClient(options: SlackClientOptions): WebClient {
  const token = options.token;
  if (typeof token !== 'string' || token.trim() === '') throw new Error('Slack token is missing (set SLACK_BOT_TOKEN)');
  // A token with a line break would be refused by fetch with the token in the message.
  if (/\s/.test(token) || [...token].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new Error('Slack token is malformed: it contains whitespace or control characters');
  const sink = options.logger ?? CONSOLE_SINK;
  const redact = redactor(token);

  return new WebClient(token, {
    slackApiUrl: options.apiUrl === undefined ? undefined : checkApiUrl(options.apiUrl),
    logger: sinkLogger(sink, redact),
    retryConfig: retryPolicy(options),
    rejectRateLimitedCalls: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: reportingFetch(options.fetch ?? globalThis.fetch, sink),
    // Method names never become URLs of their own.
    allowAbsoluteUrls: false,
  });
}

/** The retry policy a client gets: `retryConfig` or the default, with `retries` applied. */
export function retryPolicy(options: Pick<SlackClientOptions, 'retries' | 'retryConfig'>): RetryOptions {
  const policy: RetryOptions = { ...(options.retryConfig ?? DEFAULT_RETRY_POLICY) };
  if (options.retries !== undefined) policy.retries = options.retries;
  return policy;
}

/**
 * The client for an environment: undefined when `SLACK_BOT_TOKEN` is unset or blank (Slack
 * delivery is then off); `SLACK_API_URL` overrides the base URL.
 */
export function slackClientFromEnv(env: Readonly<Record<string, string | undefined>>, options: Omit<SlackClientOptions, 'token' | 'apiUrl'> = {}): WebClient | undefined {
  const token = env.SLACK_BOT_TOKEN?.trim();
  if (token === undefined || token === '') return undefined;
  const apiUrl = env.SLACK_API_URL?.trim();
  return createSlackClient({ ...options, token, ...(apiUrl === undefined || apiUrl === '' ? {} : { apiUrl }) });
}

/** Where a message landed. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

/**
 * A Slack call that failed for good (after the client's retries). `code` is Slack's error
 * (`channel_not_found`, `invalid_auth`…), `http_<status>`, `ratelimited` or `request_failed`.
 * `retryable` says whether trying again later may help (a 5xx, a timeout, a rate limit) or not
 * (a missing channel, a bad token).
 */
export class SlackDeliveryError extends Error {
  override readonly name = 'SlackDeliveryError';

  constructor(
    message: string,
    readonly code: string,
    readonly method: string,
    readonly channel: string | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Slack's API errors that may clear up on their own. */
const TRANSIENT_API_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Posts a message; link and media previews are off. */
export async function postMessage(client: WebClient, channel: string, message: SlackMessage): Promise<PostedMessage> {
  const result = await call('chat.postMessage', channel, () =>
    client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }),
  );
  return posted('chat.postMessage', channel, result);
}

/** Replaces a message's text and blocks (Slack keeps no previews on update, so there are no unfurl flags to set). */
export async function updateMessage(client: WebClient, channel: string, ts: string, message: SlackMessage): Promise<PostedMessage> {
  const result = await call('chat.update', channel, () => client.chat.update({ channel, ts, text: message.text, blocks: message.blocks }));
  return posted('chat.update', channel, result);
}

/** Posts `text` as a reply in the thread of `threadTs`; link and media previews are off. */
export async function postThreadReply(client: WebClient, channel: string, threadTs: string, text: string): Promise<PostedMessage> {
  const result = await call('chat.postMessage', channel, () =>
    client.chat.postMessage({ channel, thread_ts: threadTs, text, unfurl_links: false, unfurl_media: false }),
  );
  return posted('chat.postMessage', channel, result);
}

/**
 * Turns whatever WebClient threw into a {@link SlackDeliveryError} naming the method, the channel
 * and Slack's error code. Exported for callers that make other calls on the client.
 */
export function deliveryError(error: unknown, method: string, channel?: string): SlackDeliveryError {
  const where = channel === undefined ? `Slack ${method}` : `Slack ${method} to ${channel}`;
  const fail = (code: string, retryable: boolean, detail = code): SlackDeliveryError =>
    new SlackDeliveryError(redactTokens(`${where} failed: ${detail}`), code, method, channel, retryable, { cause: error });

  if (error instanceof WebAPIPlatformError) {
    const code = typeof error.data.error === 'string' ? error.data.error : 'unknown_error';
    return fail(code, TRANSIENT_API_ERRORS.has(code));
  }
  if (error instanceof WebAPIHTTPError) return fail(`http_${error.statusCode}`, error.statusCode >= 500 || error.statusCode === 429, `HTTP ${error.statusCode}`);
  if (error instanceof WebAPIRateLimitedError) return fail('ratelimited', true, `rate limited (retry after ${error.retryAfter} s)`);
  if (error instanceof WebAPIRequestError) {
    // WebClient wraps its own "A rate limit was exceeded" retry signal like a network error.
    if (/rate limit was exceeded/i.test(error.original.message)) return fail('ratelimited', true, 'still rate limited after retries');
    return fail('request_failed', true, `request failed (${describeCause(error.original)})`);
  }
  const message = error instanceof Error ? error.message : String(error);
  // A 429 without a usable Retry-After: WebClient gives up at once with a plain Error.
  if (/^Retry header did not contain a valid timeout/.test(message)) return fail('ratelimited', true, 'rate limited (no usable Retry-After)');
  return fail('unknown_error', true, message);
}

async function call<T>(method: string, channel: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw deliveryError(error, method, channel);
  }
}

function posted(method: string, requested: string, result: { channel?: unknown; ts?: unknown }): PostedMessage {
  if (typeof result.ts !== 'string' || result.ts === '') {
    throw new SlackDeliveryError(`Slack ${method} to ${requested} answered ok without a ts`, 'missing_ts', method, requested, false);
  }
  return { channel: typeof result.channel === 'string' && result.channel !== '' ? result.channel : requested, ts: result.ts };
}

function describeCause(error: Error): string {
  const cause: unknown = error.cause;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? (cause as { code: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message}: ${code}` : error.message;
}

function checkApiUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Error(`SLACK_API_URL is not a URL: ${JSON.stringify(apiUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`SLACK_API_URL must be http(s): ${JSON.stringify(apiUrl)}`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

const CONSOLE_SINK: SlackLogSink = {
  warn: (message) => console.error(message),
  error: (message) => console.error(message),
};

/** Anything shaped like a Slack token, and the token itself. */
function redactor(token: string): (text: string) => string {
  return (text) => redactTokens(text.split(token).join('[token]'));
}

function redactTokens(text: string): string {
  return text.replace(/xox[a-z]-[A-Za-z0-9-]+/g, '[token]');
}

/** WebClient's logger interface over a sink: warn and error pass (redacted), debug and info are dropped. */
function sinkLogger(sink: SlackLogSink, redact: (text: string) => string): Logger {
  let level = LogLevel.WARN;
  const line = (msg: unknown[]): string => redact(`slack: ${format(...msg)}`);
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => sink.warn(line(msg)),
    error: (...msg: unknown[]) => sink.error(line(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Reports each answer other than 200 (with the method and, for a 429, the wait) before WebClient
 * decides to retry; WebClient itself is silent about 5xx answers it retries.
 */
function reportingFetch(fetchFn: FetchFunction, sink: SlackLogSink): FetchFunction {
  return async (input, init) => {
    const response = await fetchFn(input, init);
    if (response.status !== 200) {
      const method = methodName(input);
      const retryAfter = response.headers.get('retry-after');
      const wait = response.status === 429 && retryAfter !== null ? ` (Retry-After ${retryAfter} s)` : '';
      sink.warn(redactTokens(`slack: ${method} answered HTTP ${response.status}${wait}`));
    }
    return response;
  };
}

function methodName(input: string | URL): string {
  const href = typeof input === 'string' ? input : input.href;
  const last = href.split('?')[0]?.split('/').pop();
  return last === undefined || last === '' ? 'request' : last;
}
