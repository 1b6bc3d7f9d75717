import { LogLevel, WebClient } from '@slack/web-api';
import type { Logger } from '@slack/web-api';
import { startSlackStandIn, useSlackStandIn } from '../helpers/slack-standin';

// The stand-in answered through the real WebClient; retries off so each fault is one call.
const TOKEN = 'xoxb-standin-test';
const slack = useSlackStandIn();
let client: WebClient;

beforeEach(() => {
  client = new WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger: silentLogger() });
});

describe('Slack stand-in', () => {
  it('serves on 127.0.0.1 with an /api/ base URL', () => {
    expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers chat.postMessage with the channel, a unique increasing ts and the message', async () => {
    const first = await client.chat.postMessage({ channel: 'C1', text: 'one' });
    const second = await client.chat.postMessage({ channel: 'C1', text: 'two' });
    expect(first).toMatchObject({ ok: true, channel: 'C1', message: { text: 'one' } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it('records each call with its method, parsed params, headers and time', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi* [1]' } }];
    await client.chat.postMessage({ channel: 'C1', text: '[1]', blocks, unfurl_links: false, unfurl_media: true });
    const [call] = slack.callsTo('chat.postMessage');
    expect(call?.method).toBe('chat.postMessage');
    expect(call?.body).toMatchObject({ channel: 'C1', text: '[1]', blocks, unfurl_links: false, unfurl_media: true });
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.rawBody).toContain('blocks=%5B%7B');
    expect(typeof call?.at).toBe('number');
  });

  it('reads JSON bodies too', async () => {
    const response = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C2', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C2' });
    expect(slack.callsTo('chat.postMessage')[0]?.body).toEqual({ channel: 'C2', text: 'json', blocks: [{ type: 'divider' }] });
  });

  it('answers chat.update, chat.postEphemeral, auth.test, conversations.info and users.info', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'before' });
    await expect(client.chat.update({ channel: 'C1', ts: ts ?? '', text: 'after' })).resolves.toMatchObject({ ok: true, channel: 'C1', ts, text: 'after' });
    expect(slack.message('C1', ts ?? '')?.text).toBe('after');
    await expect(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'psst' })).resolves.toMatchObject({ ok: true, message_ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: 'U0KLAXONBOT', team_id: 'T0KLAXON', bot_id: 'B0KLAXON', url: expect.any(String) });
    await expect(client.conversations.info({ channel: 'C1' })).resolves.toMatchObject({ ok: true, channel: { id: 'C1' } });
    await expect(client.users.info({ user: 'U1' })).resolves.toMatchObject({ ok: true, user: { id: 'U1' } });
  });

  it('answers Slack errors: unknown_method, not_authed, invalid_auth, channel_not_found, no_text', async () => {
    await expect(client.apiCall('nope.never')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    await expect(new WebClient(undefined, { slackApiUrl: slack.url, logger: silentLogger() }).auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(new WebClient('xoxb-invalid', { slackApiUrl: slack.url, logger: silentLogger() }).auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client.apiCall('chat.postMessage', { text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.apiCall('chat.postMessage', { channel: 'C1' })).rejects.toMatchObject({ data: { error: 'no_text' } });
  });

  it('rejects chat.update of an unknown ts only when strict', async () => {
    await expect(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })).resolves.toMatchObject({ ok: true });
    const strict = await startSlackStandIn({ strictUpdates: true });
    try {
      const strictClient = new WebClient(TOKEN, { slackApiUrl: strict.url, retryConfig: { retries: 0 }, logger: silentLogger() });
      await expect(strictClient.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    } finally {
      await strict.close();
    }
  });

  it('injects faults for the next n calls, then answers normally', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    slack.failNext('auth.test', { status: 500 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
    await expect(client.auth.test()).rejects.toMatchObject({ statusCode: 500 });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('sends Retry-After with a 429', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const response = await fetch(`${slack.url}chat.postMessage`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: 'channel=C1&text=x' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('fails always until reset, and reset forgets calls', async () => {
    slack.failAlways('auth.test', { status: 503 });
    for (let i = 0; i < 3; i += 1) await expect(client.auth.test()).rejects.toMatchObject({ statusCode: 503 });
    expect(slack.callsTo('auth.test')).toHaveLength(3);
    slack.reset();
    expect(slack.calls).toHaveLength(0);
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('drops the connection on a reset fault', async () => {
    slack.failNext('auth.test', { reset: true });
    await expect(client.auth.test()).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('lets a test answer a method itself', async () => {
    slack.handle('chat.getPermalink', (body) => ({ permalink: `https://klaxon-test.slack.com/archives/${String(body.channel)}/p1` }));
    await expect(client.chat.getPermalink({ channel: 'C9', message_ts: '1.2' })).resolves.toMatchObject({ ok: true, permalink: expect.stringContaining('/C9/') });
  });

  it('records JSON posted to a response URL', async () => {
    const url = slack.responseUrl('click-1');
    expect(url).toBe(`${slack.origin}/response/click-1`);
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'done', replace_original: false }) });
    expect(response.status).toBe(200);
    expect(slack.responsesTo('click-1')).toEqual([{ text: 'done', replace_original: false }]);
    expect(slack.responsesTo('other')).toEqual([]);
  });
});

/** A WebClient logger that says nothing (the faults above make it warn). */
function silentLogger(): Logger {
  const noop = (): void => undefined;
  return { debug: noop, info: noop, warn: noop, error: noop, setLevel: noop, getLevel: () => LogLevel.ERROR, setName: noop };
}
