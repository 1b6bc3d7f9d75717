/**
 * A stand-in for Slack's Web API and for `response_url`s, for tests: a real HTTP server on
 * 127.0.0.1 that the real `WebClient` (and Bolt's `respond()`) talk to.
 *
 * @example
 *   const slack = await startSlackStandIn();
 *   const client = new WebClient('xoxb-test', { slackApiUrl: slack.url });
 *   await client.chat.postMessage({ channel: 'C1', text: 'hi' });
 *   expect(slack.callsTo('chat.postMessage')[0]?.body.text).toBe('hi');
 *   slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
 *   await slack.close();
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request to `/api/<method>`, as the stand-in received it. */
export interface RecordedCall {
  method: string;
  /**
   * The parameters: query string and body merged. Form values stay strings, except that
   * object/array values (`blocks`, `attachments`, `metadata`…, which WebClient sends as JSON
   * strings) are parsed, and Slack's boolean flags (`unfurl_links`…) become booleans, so a test
   * reads the same thing whether the client sent a form or JSON.
   */
  body: Record<string, unknown>;
  /** The body exactly as it arrived. */
  rawBody: string;
  headers: IncomingHttpHeaders;
  /** `Date.now()` on arrival. */
  at: number;
}

/** One POST to a `response_url` made with {@link SlackStandIn.responseUrl}. */
export interface RecordedResponse {
  id: string;
  /** The parsed JSON body (the raw text when it was not JSON). */
  body: unknown;
  headers: IncomingHttpHeaders;
  at: number;
}

/**
 * What a faulty answer looks like. `status` 429 with `retryAfter` sets `Retry-After` (seconds);
 * `error` answers HTTP 200 `{ ok: false, error }` as Slack does for API errors; `status` alone
 * (500, 503…) answers that status with an HTML body; `reset` drops the connection without an
 * answer; `hang` never answers (until the stand-in closes).
 */
export type SlackFault =
  | { status: 429; retryAfter?: number }
  | { status: number }
  | { error: string; status?: number }
  | { reset: true }
  | { hang: true }
  /** The call is carried out (a message is stored) and then the answer is lost: the connection drops, or never answers. */
  | { afterProcessing: 'reset' | 'hang' };

/** A test's own answer for a method: return the JSON to send (`ok` is added when absent). */
export type MethodHandler = (body: Record<string, unknown>, call: RecordedCall) => Record<string, unknown>;

export interface SlackStandInOptions {
  /** Tokens answered with `invalid_auth` (default: `['xoxb-invalid']`). Any other token is accepted. */
  badTokens?: string[];
  /** `chat.update` of a ts never posted here answers `message_not_found` (default: false, any ts is accepted). */
  strictUpdates?: boolean;
  teamId?: string;
  botUserId?: string;
  botId?: string;
}

/** A message as the stand-in holds it after `chat.postMessage` and any `chat.update`s. */
export interface StoredMessage {
  channel: string;
  ts: string;
  text?: unknown;
  blocks?: unknown;
  thread_ts?: string;
  /** The `metadata` posted with the message ({ event_type, event_payload }). */
  metadata?: unknown;
}

export interface SlackStandIn {
  /** Base URL for `WebClient`'s `slackApiUrl`: `http://127.0.0.1:PORT/api/`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Every Web API call in arrival order, faulted ones included (so attempts can be counted). */
  readonly calls: RecordedCall[];
  /** Every POST to a response URL in arrival order. */
  readonly responses: RecordedResponse[];
  callsTo(method: string): RecordedCall[];
  /** The bodies posted to `responseUrl(id)`. */
  responsesTo(id: string): unknown[];
  /** A `response_url` on the stand-in: `http://127.0.0.1:PORT/response/<id>`. */
  responseUrl(id: string): string;
  /** The current state of a message posted here (after updates), or undefined. */
  message(channel: string, ts: string): StoredMessage | undefined;
  /** Every message posted here, in posting order. */
  messages(): StoredMessage[];
  /** The Home tab last published for `user` (views.publish), or undefined. */
  homeView(user: string): Record<string, unknown> | undefined;
  /** The next `times` calls to `method` get `fault`. Use `'response_url'` as the method for response URLs. */
  failNext(method: string, fault: SlackFault, times?: number): void;
  /** Every call to `method` gets `fault` until {@link reset}. */
  failAlways(method: string, fault: SlackFault): void;
  /** Asks `policy` about every call not already faulted (chaos runs, one message refused): a fault, or undefined to answer normally. Cleared by {@link reset}. */
  faultPolicy(policy: ((method: string, body: Record<string, unknown>) => SlackFault | undefined) | undefined): void;
  /** Answer `method` with a test's own handler (also makes an unknown method known). */
  handle(method: string, handler: MethodHandler): void;
  /** Forgets calls, responses, messages, faults and handlers. */
  reset(): void;
  /** Drops every open connection (a hung request then fails on the client's side). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Slack's boolean parameters that WebClient sends as `"true"`/`"false"` in forms. */
const BOOLEAN_PARAMS = new Set([
  'unfurl_links',
  'unfurl_media',
  'reply_broadcast',
  'mrkdwn',
  'as_user',
  'link_names',
  'include_locale',
  'include_num_members',
  'replace_original',
  'delete_original',
  'include_all_metadata',
]);

/** Parameters that are free text even when they look like JSON. */
const TEXT_PARAMS = new Set(['text', 'markdown_text', 'fallback']);

interface FaultRule {
  fault: SlackFault;
  /** Remaining uses; Infinity for failAlways. */
  left: number;
}

/** Starts a stand-in on 127.0.0.1 with an ephemeral port. */
export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const badTokens = new Set(options.badTokens ?? ['xoxb-invalid']);
  const teamId = options.teamId ?? 'T0KLAXON';
  const botUserId = options.botUserId ?? 'U0KLAXONBOT';
  const botId = options.botId ?? 'B0KLAXON';

  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const faults = new Map<string, FaultRule[]>();
  const handlers = new Map<string, MethodHandler>();
  let policy: ((method: string, body: Record<string, unknown>) => SlackFault | undefined) | undefined;
  const messages = new Map<string, StoredMessage>();
  const homeViews = new Map<string, Record<string, unknown>>();

  /** A unique, increasing Slack ts from the wall clock, as Slack's are: seconds, then six digits. */
  let lastMicros = 0;
  const nextTs = (): string => {
    const micros = Math.max(Date.now() * 1000, lastMicros + 100);
    lastMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };

  const takeFault = (method: string): SlackFault | undefined => {
    const rules = faults.get(method);
    const rule = rules?.[0];
    if (rules === undefined || rule === undefined) return undefined;
    rule.left -= 1;
    if (rule.left <= 0) rules.shift();
    return rule.fault;
  };

  const builtIns: Record<string, MethodHandler> = {
    'auth.test': () => ({
      url: 'https://klaxon-test.slack.com/',
      team: 'Klaxon Test',
      user: 'klaxon',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (body) => {
      const channel = str(body.channel);
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      if (body.text === undefined && body.blocks === undefined && body.attachments === undefined) return { ok: false, error: 'no_text' };
      const ts = nextTs();
      const threadTs = str(body.thread_ts);
      const stored: StoredMessage = {
        channel,
        ts,
        text: body.text,
        blocks: body.blocks,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      };
      messages.set(key(channel, ts), stored);
      return {
        channel,
        ts,
        message: {
          type: 'message',
          subtype: 'bot_message',
          user: botUserId,
          bot_id: botId,
          team: teamId,
          ts,
          text: body.text ?? '',
          ...(body.blocks === undefined ? {} : { blocks: body.blocks }),
          ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        },
      };
    },
    'chat.update': (body) => {
      const channel = str(body.channel);
      const ts = str(body.ts);
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      if (ts === undefined) return { ok: false, error: 'message_not_found' };
      const stored = messages.get(key(channel, ts));
      if (stored === undefined && options.strictUpdates === true) return { ok: false, error: 'message_not_found' };
      const updated: StoredMessage = { ...(stored ?? { channel, ts }), text: body.text ?? stored?.text, blocks: body.blocks ?? stored?.blocks };
      messages.set(key(channel, ts), updated);
      return { channel, ts, text: body.text ?? '', message: { text: body.text ?? '', ...(body.blocks === undefined ? {} : { blocks: body.blocks }) } };
    },
    'chat.postEphemeral': (body) => {
      if (str(body.channel) === undefined) return { ok: false, error: 'channel_not_found' };
      if (str(body.user) === undefined) return { ok: false, error: 'user_not_found' };
      return { message_ts: nextTs() };
    },
    // The channel's top-level messages, newest first, since `oldest`; metadata only with include_all_metadata.
    'conversations.history': (body) => {
      const channel = str(body.channel);
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      const oldest = Number(str(body.oldest) ?? '0');
      const withMetadata = body.include_all_metadata === true || body.include_all_metadata === 'true';
      const found = [...messages.values()]
        .filter((m) => m.channel === channel && m.thread_ts === undefined && Number(m.ts) >= oldest)
        .sort((a, b) => Number(b.ts) - Number(a.ts))
        .map((m) => ({ type: 'message', ts: m.ts, text: m.text ?? '', ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}) }));
      return { messages: found, has_more: false };
    },
    // A Home tab: Slack refuses a view that is not a home view or holds more than 100 blocks.
    'views.publish': (body) => {
      const user = str(body.user_id);
      const view = body.view;
      if (user === undefined) return { ok: false, error: 'user_not_found' };
      if (!isRecord(view) || view.type !== 'home' || !Array.isArray(view.blocks) || view.blocks.length > 100) return { ok: false, error: 'invalid_arguments' };
      homeViews.set(user, view);
      return { view: { id: `V${user}`, ...view } };
    },
    'conversations.info': (body) => {
      const channel = str(body.channel);
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      return { channel: { id: channel, name: 'alerts', is_channel: true, is_private: false, is_archived: false, is_member: true } };
    },
    'users.info': (body) => {
      const user = str(body.user);
      if (user === undefined) return { ok: false, error: 'user_not_found' };
      return { user: { id: user, team_id: teamId, name: user.toLowerCase(), real_name: `User ${user}`, is_bot: false, deleted: false, tz: 'UTC' } };
    },
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string, query: URLSearchParams): Promise<void> => {
    const rawBody = await readBody(req);
    const body = { ...paramsToObject(query), ...parseParams(rawBody, req.headers['content-type']) };
    const call: RecordedCall = { method, body, rawBody, headers: req.headers, at: Date.now() };
    calls.push(call);

    const fault = takeFault(method) ?? policy?.(method, body);
    if (fault !== undefined && !('afterProcessing' in fault)) return applyFault(res, fault);

    const handler = handlers.get(method) ?? builtIns[method];
    if (handler === undefined) return sendJson(res, 200, { ok: false, error: 'unknown_method', req_method: method });

    const token = bearer(req.headers.authorization) ?? str(body.token);
    if (token === undefined) return sendJson(res, 200, { ok: false, error: 'not_authed' });
    if (badTokens.has(token)) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });

    const answer = handler(body, call);
    if (fault !== undefined && 'afterProcessing' in fault) {
      if (fault.afterProcessing === 'reset') res.socket?.destroy();
      return;
    }
    sendJson(res, 200, { ok: true, ...answer });
  };

  const handleResponseUrl = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const rawBody = await readBody(req);
    responses.push({ id, body: parseJson(rawBody) ?? rawBody, headers: req.headers, at: Date.now() });
    const fault = takeFault('response_url');
    if (fault !== undefined && !('afterProcessing' in fault)) return applyFault(res, fault);
    sendJson(res, 200, { ok: true });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const response = /^\/response\/([^/]+)$/.exec(url.pathname);
    let work: Promise<void>;
    if (req.method !== 'POST' && req.method !== 'GET') work = Promise.resolve(sendJson(res, 405, { ok: false, error: 'method_not_allowed' }));
    else if (api?.[1] !== undefined) work = handleApi(req, res, api[1], url.searchParams);
    else if (response?.[1] !== undefined && req.method === 'POST') work = handleResponseUrl(req, res, decodeURIComponent(response[1]));
    else work = Promise.resolve(sendJson(res, 404, { ok: false, error: 'not_found' }));
    work.catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'standin_error', detail: String(error) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responsesTo: (id) => responses.filter((r) => r.id === id).map((r) => r.body),
    responseUrl: (id) => `${origin}/response/${encodeURIComponent(id)}`,
    message: (channel, ts) => messages.get(key(channel, ts)),
    messages: () => [...messages.values()],
    failNext(method, fault, times = 1) {
      const rules = faults.get(method) ?? [];
      rules.push({ fault, left: times });
      faults.set(method, rules);
    },
    failAlways(method, fault) {
      faults.set(method, [...(faults.get(method) ?? []), { fault, left: Infinity }]);
    },
    handle(method, handler) {
      handlers.set(method, handler);
    },
    faultPolicy(next) {
      policy = next;
    },
    homeView(user: string) {
      return homeViews.get(user);
    },
    reset() {
      homeViews.clear();
      calls.length = 0;
      responses.length = 0;
      faults.clear();
      handlers.clear();
      policy = undefined;
      messages.clear();
    },
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive sockets (fetch pools them) and hung requests would hold close() open.
        server.closeAllConnections();
      }),
  };
}

function applyFault(res: ServerResponse, fault: Exclude<SlackFault, { afterProcessing: string }>): void {
  if ('hang' in fault) return;
  if ('reset' in fault) {
    res.socket?.destroy();
    return;
  }
  if ('error' in fault) {
    sendJson(res, fault.status ?? 200, { ok: false, error: fault.error });
    return;
  }
  if (fault.status === 429) {
    const retryAfter = 'retryAfter' in fault ? fault.retryAfter : undefined;
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
    sendJson(res, 429, { ok: false, error: 'ratelimited' }, headers);
    return;
  }
  res.writeHead(fault.status, { 'Content-Type': 'text/html' });
  res.end(`<html><body>${fault.status} Service Unavailable</body></html>`);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Body parameters by content type: JSON objects as they are, forms with JSON and boolean values read back. */
function parseParams(rawBody: string, contentType: string | undefined): Record<string, unknown> {
  if (rawBody === '') return {};
  if (contentType?.startsWith('application/json') === true) {
    const json = parseJson(rawBody);
    return isRecord(json) ? json : {};
  }
  return paramsToObject(new URLSearchParams(rawBody));
}

function paramsToObject(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of params) out[name] = readFormValue(name, value);
  return out;
}

function readFormValue(name: string, value: string): unknown {
  if (BOOLEAN_PARAMS.has(name)) {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
  }
  if (!TEXT_PARAMS.has(name) && /^\s*[[{]/.test(value)) {
    const json = parseJson(value);
    if (json !== undefined) return json;
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function bearer(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function key(channel: string, ts: string): string {
  return `${channel} ${ts}`;
}

/**
 * A stand-in for the test file: started before its tests, reset before each, closed after
 * them. What it returns stands for the stand-in once started (reading it sooner throws).
 *
 * @example
 *   const slack = useSlackStandIn();
 *   it('posts', async () => { await notify(slack.url); expect(slack.callsTo('chat.postMessage')).toHaveLength(1); });
 */
export function useSlackStandIn(options: SlackStandInOptions = {}): SlackStandIn {
  let started: SlackStandIn | undefined;
  beforeAll(async () => {
    started = await startSlackStandIn(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(() => started?.reset());
  return new Proxy({} as SlackStandIn, {
    get(_target, key) {
      if (started === undefined) throw new Error(`the Slack stand-in is not started yet (read ${String(key)} inside a test or hook)`);
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value;
    },
  });
}
