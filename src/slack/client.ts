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
import { DeliveryFailure, type FailureKind } from '../alerts/notifier';
import { ALERT_METADATA_EVENT, postMessageArguments, type AlertMetadata } from './post-message';
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
  /**
   * Reject a 429 at once (with its Retry-After) instead of sleeping through it. The outbox
   * client sets this with `retries: 0`: one request per attempt, so a posting claim always
   * outlives the attempt it covers, and the outbox schedules the next try.
   */
  rejectRateLimitedCalls?: boolean;
}

/** The client the outbox delivers with: one request per call, a 429 rejected at once. */
export const OUTBOX_CLIENT_OPTIONS = Object.freeze({ retries: 0, rejectRateLimitedCalls: true });

/**
 * A WebClient configured for Klaxon.
 *
 * @example
 *   const client = createSlackClient({ token: process.env.SLACK_BOT_TOKEN ?? '', apiUrl: process.env.SLACK_API_URL });
 *   const { ts } = await postMessage(client, 'C0ALERTS', renderAlert(alert, templates));
 */
export function createSlackClient(options: SlackClientOptions): WebClient {
  const token = options.token;
  if (typeof token !== 'string' || token.trim() === '') throw new SlackConfigError('Slack token is missing (set SLACK_BOT_TOKEN)');
  // A token with a line break would be refused by fetch with the token in the message.
  if (/\s/.test(token) || [...token].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new SlackConfigError('Slack token is malformed: it contains whitespace or control characters (a line break pasted with it?)');
  const sink = options.logger ?? CONSOLE_SINK;
  const redact = redactor(token);

  return new WebClient(token, {
    slackApiUrl: options.apiUrl === undefined ? undefined : checkApiUrl(options.apiUrl),
    logger: sinkLogger(sink, redact),
    retryConfig: retryPolicy(options),
    rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? false,
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
 * `kind` says what it means for the message (see {@link DeliveryFailure}); `retryable` whether
 * trying again later may help (a 5xx, a timeout, a rate limit) or not (a missing channel, a bad token).
 */
export class SlackDeliveryError extends DeliveryFailure {
  override name = 'SlackDeliveryError';

  constructor(
    message: string,
    code: string,
    readonly method: string,
    readonly channel: string | undefined,
    kind: FailureKind,
    retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, kind, code, retryAfterMs, options);
  }

  get retryable(): boolean {
    return this.kind === 'not-sent' || this.kind === 'unsure';
  }
}

/** Errors about one message: its content or where it goes. Another rendering may pass (content), or nothing will (channel). */
const MESSAGE_ERRORS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_attachments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'metadata_must_be_sent_from_app',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_arguments',
]);

/** Network failures that prove the request never reached Slack. */
const NOT_SENT_CAUSES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Slack's API errors that may clear up on their own. */
const TRANSIENT_API_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Posts a message, with the alert it shows as metadata when given; link and media previews are off. */
export async function postMessage(client: WebClient, channel: string, message: SlackMessage, alert?: AlertMetadata): Promise<PostedMessage> {
  const result = await call('chat.postMessage', channel, () => client.chat.postMessage(postMessageArguments(channel, message, alert)));
  return posted('chat.postMessage', channel, result);
}

/** How far back, and how many messages, a lookup for a doubtful post reads. */
const HISTORY_PAGE = 200;
const HISTORY_PAGES = 5;

/**
 * Finds the message posted for `alert` in `channel` since `since` (epoch ms), by its metadata
 * (conversations.history with include_all_metadata; the bot needs channels:history, and
 * groups:history for private channels). A channel given by name is resolved to its id first.
 */
export async function findAlertMessage(client: WebClient, channel: string, since: number, alert: AlertMetadata): Promise<PostedMessage | undefined> {
  const id = await channelId(client, channel);
  if (id === undefined) throw new SlackDeliveryError(`Slack conversations.list: no channel named ${channel} (give SLACK_CHANNEL as a channel id)`, 'channel_not_found', 'conversations.list', channel, 'refused');
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const result = await call('conversations.history', id, () =>
      client.conversations.history({ channel: id, oldest: (since / 1000).toFixed(6), include_all_metadata: true, limit: HISTORY_PAGE, ...(cursor === undefined ? {} : { cursor }) }),
    );
    for (const message of result.messages ?? []) {
      const metadata = message.metadata;
      const payload = metadata?.event_payload as Record<string, unknown> | undefined;
      if (metadata?.event_type === ALERT_METADATA_EVENT && payload?.fingerprint === alert.fingerprint && Number(payload?.sequence) === alert.sequence && typeof message.ts === 'string') {
        return { channel: id, ts: message.ts };
      }
    }
    cursor = result.response_metadata?.next_cursor || undefined;
    if (cursor === undefined) return undefined;
  }
  return undefined;
}

const channelIds = new WeakMap<WebClient, Map<string, string>>();

/** A channel id as given (C…, G…, D…), or the id of the channel with that name (`alerts`, `#alerts`), cached per client. */
async function channelId(client: WebClient, channel: string): Promise<string | undefined> {
  if (/^[CGD][A-Z0-9]{6,}$/.test(channel)) return channel;
  const name = channel.replace(/^#/, '');
  const cache = channelIds.get(client) ?? new Map<string, string>();
  channelIds.set(client, cache);
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  let cursor: string | undefined;
  do {
    const result = await call('conversations.list', channel, () =>
      client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor === undefined ? {} : { cursor }) }),
    );
    for (const c of result.channels ?? []) if (typeof c.name === 'string' && typeof c.id === 'string') cache.set(c.name, c.id);
    cursor = result.response_metadata?.next_cursor || undefined;
  } while (cursor !== undefined && !cache.has(name));
  return cache.get(name);
}

/** Replaces a message's text and blocks (Slack keeps no previews on update, so there are no unfurl flags to set). */
export async function updateMessage(client: WebClient, channel: string, ts: string, message: SlackMessage): Promise<PostedMessage> {
  // A message without blocks (the minimal rendering) clears the blocks it had.
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
  const fail = (code: string, kind: FailureKind, detail = code, retryAfterMs?: number): SlackDeliveryError =>
    new SlackDeliveryError(redactTokens(`${where} failed: ${detail}`), code, method, channel, kind, retryAfterMs, { cause: error });

  if (error instanceof WebAPIPlatformError) {
    const code = typeof error.data.error === 'string' ? error.data.error : 'unknown_error';
    if (TRANSIENT_API_ERRORS.has(code)) return fail(code, 'not-sent');
    return fail(code, MESSAGE_ERRORS.has(code) ? 'refused' : 'blocked');
  }
  if (error instanceof WebAPIHTTPError) {
    const transient = error.statusCode >= 500 || error.statusCode === 429;
    return fail(`http_${error.statusCode}`, transient ? 'not-sent' : 'blocked', `HTTP ${error.statusCode}`);
  }
  if (error instanceof WebAPIRateLimitedError) return fail('ratelimited', 'not-sent', `rate limited (retry after ${error.retryAfter} s)`, error.retryAfter * 1000);
  if (error instanceof WebAPIRequestError) {
    // WebClient wraps its own "A rate limit was exceeded" retry signal like a network error.
    if (/rate limit was exceeded/i.test(error.original.message)) return fail('ratelimited', 'not-sent', 'still rate limited after retries');
    const cause = causeCode(error.original);
    // A request that may have been sent (a timeout, a reset connection) may have been posted: the outbox looks before posting again.
    return fail('request_failed', cause !== undefined && NOT_SENT_CAUSES.has(cause) ? 'not-sent' : 'unsure', `request failed (${describeCause(error.original)})`);
  }
  const message = error instanceof Error ? error.message : String(error);
  // A 429 without a usable Retry-After: WebClient gives up at once with a plain Error.
  if (/^Retry header did not contain a valid timeout/.test(message)) return fail('ratelimited', 'not-sent', 'rate limited (no usable Retry-After)');
  return fail('unknown_error', 'unsure', message);
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
    throw new SlackDeliveryError(`Slack ${method} to ${requested} answered ok without a ts`, 'missing_ts', method, requested, 'unsure');
  }
  return { channel: typeof result.channel === 'string' && result.channel !== '' ? result.channel : requested, ts: result.ts };
}

function describeCause(error: Error): string {
  const code = causeCode(error);
  return code === undefined ? error.message : `${error.message}: ${code}`;
}

/** The system error code under a fetch failure (`ECONNREFUSED`...), looking through nested causes. */
function causeCode(error: Error): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function checkApiUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new SlackConfigError(`SLACK_API_URL is not a URL: ${JSON.stringify(redactUrlCredentials(apiUrl))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SlackConfigError(`SLACK_API_URL must be http(s): ${JSON.stringify(redactUrlCredentials(apiUrl))}`);
  // fetch refuses such URLs, and would print them, password included, in every error.
  if (url.username !== '' || url.password !== '') throw new SlackConfigError('SLACK_API_URL must not contain a user name or password');
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
  return redactUrlCredentials(text.replace(/xox[a-z]-[A-Za-z0-9-]+/g, '[token]'));
}

/** `scheme://user:password@host` → `scheme://[credentials]@host`, wherever it appears in a text. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1[credentials]@');
}

/** A Slack setting that cannot work (a malformed token, a bad SLACK_API_URL): said as a configuration error, never as an internal one. */
export class SlackConfigError extends Error {
  override name = 'SlackConfigError';
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
    let response: Awaited<ReturnType<FetchFunction>>;
    try {
      response = await fetchFn(input, init);
    } catch (error) {
      throw fetchFailure(error);
    }
    if (response.status !== 200) {
      const method = methodName(input);
      const retryAfter = response.headers.get('retry-after');
      const wait = response.status === 429 && retryAfter !== null ? ` (Retry-After ${retryAfter} s)` : '';
      sink.warn(redactTokens(`slack: ${method} answered HTTP ${response.status}${wait}`));
    }
    return response;
  };
}

/**
 * A fetch failure as an Error of this realm carrying the system error code (`ECONNREFUSED`…):
 * whether a request provably never left rests on that code, and WebClient keeps only what an
 * `instanceof Error` check lets through.
 */
function fetchFailure(error: unknown): Error {
  if (!(typeof error === 'object' && error !== null)) return new Error(String(error));
  const code = causeCode(error as Error);
  const name = (error as { name?: unknown }).name;
  const message = (error as { message?: unknown }).message;
  const failure = new Error(typeof message === 'string' ? message : String(error), { cause: error });
  if (typeof name === 'string') failure.name = name;
  return Object.assign(failure, code === undefined ? {} : { code });
}

function methodName(input: string | URL): string {
  const href = typeof input === 'string' ? input : input.href;
  const last = href.split('?')[0]?.split('/').pop();
  return last === undefined || last === '' ? 'request' : last;
}
