import { inspect } from 'node:util';
import { WebClientEvent } from '@slack/web-api';
import type { FetchFunction, RetryOptions, WebClient } from '@slack/web-api';
import { DEFAULT_RETRY_POLICY, SlackDeliveryError, createSlackClient, postMessage, postThreadReply, retryPolicy, slackClientFromEnv, updateMessage } from '../../src/slack/client';
import type { SlackClientOptions, SlackLogSink } from '../../src/slack/client';
import type { SlackMessage } from '../../src/slack/render';
import { startSlackStandIn, useSlackStandIn } from '../helpers/slack-standin';

const TOKEN = 'xoxb-1111-2222-KlaxonSecretToken';
const FAST: RetryOptions = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };
const MESSAGE: SlackMessage = {
  text: 'HIGH: SSH brute force',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'HIGH: SSH brute force', emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: '*Count* 9', verbatim: true } },
  ],
};

const slack = useSlackStandIn();
let logs: string[];

beforeEach(() => {
  logs = [];
});
afterEach(() => {
  // Whatever a test made the client log, the token was never part of it.
  for (const line of logs) expect(line).not.toContain(TOKEN);
});

const sink: SlackLogSink = { warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) };

function client(options: Partial<SlackClientOptions> = {}): WebClient {
  return createSlackClient({ token: TOKEN, apiUrl: slack.url, logger: sink, retryConfig: FAST, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('postMessage', () => {
  it('posts and returns the channel and ts', async () => {
    const posted = await postMessage(client(), 'C0ALERTS', MESSAGE);
    expect(posted).toEqual({ channel: 'C0ALERTS', ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    const [call] = slack.callsTo('chat.postMessage');
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.body).toEqual({ channel: 'C0ALERTS', text: MESSAGE.text, blocks: MESSAGE.blocks, unfurl_links: false, unfurl_media: false });
  });

  it('throws a SlackDeliveryError naming the code and channel when Slack answers ok:false, without retrying', async () => {
    slack.failAlways('chat.postMessage', { error: 'channel_not_found' });
    const error = await rejection(postMessage(client(), 'C0GONE', MESSAGE));
    expect(error).toBeInstanceOf(SlackDeliveryError);
    expect(error).toMatchObject({ code: 'channel_not_found', method: 'chat.postMessage', channel: 'C0GONE', retryable: false });
    expect((error as Error).message).toBe('Slack chat.postMessage to C0GONE failed: channel_not_found');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });
});

describe('updateMessage and postThreadReply', () => {
  it('updates text and blocks in place', async () => {
    const c = client();
    const { ts } = await postMessage(c, 'C0ALERTS', MESSAGE);
    const updated: SlackMessage = { text: 'acknowledged', blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'Acknowledged by <@U1>' }] }] };
    await expect(updateMessage(c, 'C0ALERTS', ts, updated)).resolves.toEqual({ channel: 'C0ALERTS', ts });
    expect(slack.callsTo('chat.update')[0]?.body).toEqual({ channel: 'C0ALERTS', ts, text: updated.text, blocks: updated.blocks });
    expect(slack.message('C0ALERTS', ts)).toMatchObject({ text: 'acknowledged', blocks: updated.blocks });
  });

  it('replies in the thread without unfurls', async () => {
    const reply = await postThreadReply(client(), 'C0ALERTS', '1700000000.000100', 'Silenced for 4 hours by <@U1>');
    expect(reply.ts).not.toBe('1700000000.000100');
    expect(slack.callsTo('chat.postMessage')[0]?.body).toEqual({
      channel: 'C0ALERTS',
      thread_ts: '1700000000.000100',
      text: 'Silenced for 4 hours by <@U1>',
      unfurl_links: false,
      unfurl_media: false,
    });
  });
});

describe('retries', () => {
  it('waits out a 429 with Retry-After and succeeds on the second attempt', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const c = client();
    const waits: number[] = [];
    c.on(WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));
    await expect(postMessage(c, 'C0ALERTS', MESSAGE)).resolves.toMatchObject({ channel: 'C0ALERTS' });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    // WebClient read Retry-After and paused its queue that long before the second attempt.
    expect(waits).toEqual([1]);
    expect(logs).toContain('warn slack: chat.postMessage answered HTTP 429 (Retry-After 1 s)');
  });

  it('counts 429s against the same retry budget', async () => {
    slack.failAlways('chat.postMessage', { status: 429, retryAfter: 0 });
    const error = await rejection(postMessage(client(), 'C0ALERTS', MESSAGE));
    expect(error).toMatchObject({ code: 'ratelimited', retryable: true });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(FAST.retries! + 1);
  });

  it('does not retry a 429 without Retry-After (WebClient gives up at once)', async () => {
    slack.failNext('chat.postMessage', { status: 429 });
    await expect(client().chat.postMessage({ channel: 'C0ALERTS', text: 'x' })).rejects.toThrow(/Retry header did not contain a valid timeout/);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    slack.failNext('chat.postMessage', { status: 429 });
    await expect(postMessage(client(), 'C0ALERTS', MESSAGE)).rejects.toMatchObject({ code: 'ratelimited', retryable: true });
  });

  it('retries 5xx answers with backoff: two 500s, then success', async () => {
    slack.failNext('chat.postMessage', { status: 500 }, 2);
    await expect(postMessage(client(), 'C0ALERTS', MESSAGE)).resolves.toMatchObject({ channel: 'C0ALERTS' });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);
    expect(logs.filter((l) => l === 'warn slack: chat.postMessage answered HTTP 500')).toHaveLength(2);
  });

  it('rejects after retries + 1 attempts when Slack stays down', async () => {
    slack.failAlways('chat.postMessage', { status: 500 });
    await expect(client().chat.postMessage({ channel: 'C0ALERTS', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);

    slack.reset();
    slack.failAlways('chat.postMessage', { status: 503 });
    const error = await rejection(postMessage(client({ retries: 4 }), 'C0ALERTS', MESSAGE));
    expect(error).toMatchObject({ code: 'http_503', retryable: true, message: 'Slack chat.postMessage to C0ALERTS failed: HTTP 503' });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(5);
  });

  it('retries a dropped connection', async () => {
    slack.failNext('chat.postMessage', { reset: true });
    await expect(postMessage(client(), 'C0ALERTS', MESSAGE)).resolves.toMatchObject({ channel: 'C0ALERTS' });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('retries a refused connection, then rejects with request_failed', async () => {
    const gone = await startSlackStandIn();
    const url = gone.url;
    await gone.close();
    let attempts = 0;
    const counting: FetchFunction = (input, init) => {
      attempts += 1;
      return fetch(input, init);
    };
    const error = await rejection(postMessage(client({ apiUrl: url, fetch: counting }), 'C0ALERTS', MESSAGE));
    expect(error).toMatchObject({ code: 'request_failed', retryable: true });
    // Outside jest the cause's ECONNREFUSED is appended; jest's separate realm makes WebClient drop the cause.
    expect((error as Error).message).toMatch(/^Slack chat\.postMessage to C0ALERTS failed: request failed \(.*fetch failed.*\)$/);
    expect(attempts).toBe(3);
    expect(logs.some((l) => l.startsWith('warn slack: http request failed'))).toBe(true);
  });

  it('abandons a request that hangs past the timeout, and retries it', async () => {
    slack.failAlways('chat.postMessage', { hang: true });
    const error = await rejection(postMessage(client({ timeoutMs: 50, retries: 1 }), 'C0ALERTS', MESSAGE));
    expect(error).toMatchObject({ code: 'request_failed', retryable: true });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('rejects invalid_auth at once, and no error text carries the token', async () => {
    const bad = 'xoxb-invalid';
    const raw = await rejection(createSlackClient({ token: bad, apiUrl: slack.url, logger: sink, retryConfig: FAST }).chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(raw).toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'invalid_auth' } });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);

    const error = await rejection(postMessage(createSlackClient({ token: bad, apiUrl: slack.url, logger: sink, retryConfig: FAST }), 'C1', MESSAGE));
    expect(error).toMatchObject({ code: 'invalid_auth', retryable: false, message: 'Slack chat.postMessage to C1 failed: invalid_auth' });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    for (const e of [raw, error]) {
      expect(String(e)).not.toContain(bad);
      expect(inspect(e, { depth: 10 })).not.toContain(bad);
      expect(JSON.stringify(e)).not.toContain(bad);
    }
    for (const line of logs) expect(line).not.toContain(bad);
  });
});

describe('createSlackClient', () => {
  it('uses the default bounded policy unless given one, and lets retries be overridden', () => {
    expect(retryPolicy({})).toEqual(DEFAULT_RETRY_POLICY);
    expect(retryPolicy({ retries: 1 })).toEqual({ ...DEFAULT_RETRY_POLICY, retries: 1 });
    expect(retryPolicy({ retryConfig: FAST })).toEqual(FAST);
    expect(retryPolicy({ retryConfig: FAST, retries: 0 })).toEqual({ ...FAST, retries: 0 });
    expect(DEFAULT_RETRY_POLICY.retries).toBeLessThanOrEqual(5);
  });

  it('refuses a missing or malformed token without repeating it', () => {
    expect(() => createSlackClient({ token: '' })).toThrow('Slack token is missing (set SLACK_BOT_TOKEN)');
    expect(() => createSlackClient({ token: '   ' })).toThrow(/missing/);
    const withNewline = `${TOKEN}\n`;
    let message = '';
    try {
      createSlackClient({ token: withNewline });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/malformed/);
    expect(message).not.toContain(TOKEN);
  });

  it('refuses an API URL that is not http(s)', () => {
    expect(() => createSlackClient({ token: TOKEN, apiUrl: 'not a url' })).toThrow(/SLACK_API_URL is not a URL/);
    expect(() => createSlackClient({ token: TOKEN, apiUrl: 'file:///etc/' })).toThrow(/http\(s\)/);
    expect(createSlackClient({ token: TOKEN, apiUrl: 'http://127.0.0.1:1/api' }).slackApiUrl).toBe('http://127.0.0.1:1/api/');
  });

  it('talks to https://slack.com/api/ by default', () => {
    expect(createSlackClient({ token: TOKEN }).slackApiUrl).toBe('https://slack.com/api/');
  });

  it('routes WebClient warnings through the sink, and console.error is the default sink', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      slack.failNext('auth.test', { status: 502 });
      await createSlackClient({ token: TOKEN, apiUrl: slack.url, retryConfig: FAST }).auth.test();
      expect(spy).toHaveBeenCalledWith('slack: auth.test answered HTTP 502');
      for (const [line] of spy.mock.calls) expect(String(line)).not.toContain(TOKEN);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('slackClientFromEnv', () => {
  it('is undefined without SLACK_BOT_TOKEN', () => {
    expect(slackClientFromEnv({})).toBeUndefined();
    expect(slackClientFromEnv({ SLACK_BOT_TOKEN: ' ' })).toBeUndefined();
  });

  it('uses SLACK_API_URL and the (trimmed) token', async () => {
    const c = slackClientFromEnv({ SLACK_BOT_TOKEN: `${TOKEN}\n`, SLACK_API_URL: slack.url }, { logger: sink, retryConfig: FAST });
    await expect(c?.auth.test()).resolves.toMatchObject({ ok: true });
    expect(slack.callsTo('auth.test')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('talks to Slack itself when SLACK_API_URL is unset or blank', () => {
    expect(slackClientFromEnv({ SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: '' })?.slackApiUrl).toBe('https://slack.com/api/');
  });
});
