import { createHmac } from 'node:crypto';
import { App, AwsLambdaReceiver, LogLevel, isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import type { BlockAction, ButtonAction, Logger, StaticSelectAction } from '@slack/bolt';
import { ACKNOWLEDGE_ACTION_ID, SILENCE_ACTION_ID, actionsBlock, actionsBlockId, silenceOptionValue } from '../../src/slack/actions';
import { apiGatewayEvent, blockActionsBody, blockActionsPayload, signedRequest, slackSignature, slashCommandBody } from '../helpers/slack-signing';
import type { SignedHeaders } from '../helpers/slack-signing';
import { startSlackStandIn } from '../helpers/slack-standin';
import type { SlackStandIn } from '../helpers/slack-standin';

const SECRET = 'klaxon-signing-secret';

/** The Lambda handler Bolt's receiver makes, and its event (the receiver's own types, not re-exported by Bolt). */
type LambdaHandler = ReturnType<AwsLambdaReceiver['toHandler']>;

describe('slackSignature', () => {
  it("matches the example in Slack's documentation", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('is v0= and the hex HMAC-SHA256 of v0:<timestamp>:<body>', () => {
    const expected = createHmac('sha256', SECRET).update('v0:1700000000:payload=%7B%7D').digest('hex');
    expect(signedRequest(SECRET, 'payload=%7B%7D', { timestamp: 1700000000 })).toEqual({
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': '1700000000', 'X-Slack-Signature': `v0=${expected}` },
      body: 'payload=%7B%7D',
    });
  });
});

describe("signedRequest against Bolt's verifier", () => {
  const raw = blockActionsBody(blockActionsPayload(ackInput()));
  const boltHeaders = (h: SignedHeaders) => ({ 'x-slack-signature': h['X-Slack-Signature'], 'x-slack-request-timestamp': Number(h['X-Slack-Request-Timestamp']) });

  it('passes verifySlackRequest with the current time', () => {
    const { headers, body } = signedRequest(SECRET, raw);
    expect(() => verifySlackRequest({ signingSecret: SECRET, body, headers: boltHeaders(headers) })).not.toThrow();
  });

  it('fails for another secret, a changed body or a stale timestamp', () => {
    const { headers, body } = signedRequest(SECRET, raw);
    expect(isValidSlackRequest({ signingSecret: 'other', body, headers: boltHeaders(headers) })).toBe(false);
    expect(isValidSlackRequest({ signingSecret: SECRET, body: `${body}x`, headers: boltHeaders(headers) })).toBe(false);
    const stale = signedRequest(SECRET, raw, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(() => verifySlackRequest({ signingSecret: SECRET, body: stale.body, headers: boltHeaders(stale.headers) })).toThrow(/stale/);
  });
});

describe('payload builders', () => {
  it('builds a block_actions payload for a button', () => {
    const payload = blockActionsPayload(ackInput());
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U123', username: 'alice' },
      team: { id: 'T0KLAXON' },
      api_app_id: expect.any(String),
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0ALERTS' },
      channel: { id: 'C0ALERTS' },
      message: { ts: '1700000000.000100' },
      response_url: 'https://hooks.slack.com/actions/T0KLAXON/1/abc',
      trigger_id: expect.stringMatching(/^\d+\.\d+\.[0-9a-f]+$/),
      actions: [{ type: 'button', action_id: ACKNOWLEDGE_ACTION_ID, block_id: actionsBlockId('fp1'), value: 'fp1', action_ts: expect.stringMatching(/^\d+\.\d{6}$/) }],
    });
  });

  it('builds a static_select action with the selected option', () => {
    const value = silenceOptionValue('4h', 'fp1');
    const payload = blockActionsPayload({ ...ackInput(), value: undefined, actionId: SILENCE_ACTION_ID, selectedOptionValue: value, selectedOptionText: '4 hours' });
    expect(payload.actions).toEqual([expect.objectContaining({ type: 'static_select', action_id: SILENCE_ACTION_ID, selected_option: { text: { type: 'plain_text', text: '4 hours', emoji: true }, value } })]);
  });

  it('wants exactly one of value and selectedOptionValue', () => {
    expect(() => blockActionsPayload({ ...ackInput(), selectedOptionValue: 'x' })).toThrow(/exactly one/);
    expect(() => blockActionsPayload({ ...ackInput(), value: undefined })).toThrow(/exactly one/);
  });

  it('form-encodes the payload as Slack does', () => {
    const body = blockActionsBody({ a: 'b & c' });
    expect(body).toBe('payload=%7B%22a%22%3A%22b+%26+c%22%7D');
    expect(JSON.parse(new URLSearchParams(body).get('payload') ?? '')).toEqual({ a: 'b & c' });
  });

  it("builds a slash command body with Slack's fields", () => {
    const params = new URLSearchParams(slashCommandBody({ text: 'silence 4h fp1', userId: 'U123', channelId: 'C0ALERTS', responseUrl: 'https://hooks.slack.com/commands/1' }));
    expect([...params.keys()]).toEqual(
      expect.arrayContaining(['token', 'team_id', 'team_domain', 'channel_id', 'channel_name', 'user_id', 'user_name', 'command', 'text', 'response_url', 'trigger_id', 'api_app_id']),
    );
    expect(params.get('command')).toBe('/klaxon');
    expect(params.get('text')).toBe('silence 4h fp1');
    expect(params.get('response_url')).toBe('https://hooks.slack.com/commands/1');
  });
});

describe('signed requests through Bolt on Lambda', () => {
  let slack: SlackStandIn;
  let handler: LambdaHandler;
  const seen: Array<{ kind: string; value: string | undefined; user: string }> = [];

  beforeAll(async () => {
    slack = await startSlackStandIn();
    const logger = silentLogger();
    const receiver = new AwsLambdaReceiver({ signingSecret: SECRET, logger });
    const app = new App({ token: 'xoxb-bolt-test', receiver, logger, clientOptions: { slackApiUrl: slack.url, logger } });
    app.action<BlockAction<ButtonAction>>(ACKNOWLEDGE_ACTION_ID, async ({ ack, action, body, respond }) => {
      await ack();
      seen.push({ kind: 'ack', value: action.value, user: body.user.id });
      await respond({ text: 'acknowledged', replace_original: false });
    });
    app.action<BlockAction<StaticSelectAction>>(SILENCE_ACTION_ID, async ({ ack, action, body }) => {
      await ack();
      seen.push({ kind: 'silence', value: action.selected_option.value, user: body.user.id });
    });
    app.command('/klaxon', async ({ ack, command }) => {
      await ack(`got ${command.text}`);
    });
    handler = receiver.toHandler();
  });
  afterAll(async () => {
    await slack.close();
  });

  it('routes a signed button click to the action handler, whose respond() reaches the response URL', async () => {
    const payload = blockActionsPayload({ ...ackInput(), responseUrl: slack.responseUrl('ack-1'), messageBlocks: [actionsBlock('fp1')] });
    const response = await handler(apiGatewayEvent(signedRequest(SECRET, blockActionsBody(payload))), {});
    expect(response.statusCode).toBe(200);
    expect(seen).toContainEqual({ kind: 'ack', value: 'fp1', user: 'U123' });
    // Bolt authorized with the token against the stand-in, not slack.com.
    expect(slack.callsTo('auth.test').length).toBeGreaterThan(0);
    expect(slack.responsesTo('ack-1')).toEqual([{ text: 'acknowledged', replace_original: false }]);
  });

  it('routes a signed select to the silence handler', async () => {
    const value = silenceOptionValue('24h', 'fp2');
    const payload = blockActionsPayload({ ...ackInput(), value: undefined, actionId: SILENCE_ACTION_ID, blockId: actionsBlockId('fp2'), selectedOptionValue: value });
    const response = await handler(apiGatewayEvent(signedRequest(SECRET, blockActionsBody(payload))), {});
    expect(response.statusCode).toBe(200);
    expect(seen).toContainEqual({ kind: 'silence', value, user: 'U123' });
  });

  it('routes a signed slash command', async () => {
    const raw = slashCommandBody({ text: 'status', userId: 'U123', channelId: 'C0ALERTS', responseUrl: slack.responseUrl('cmd-1') });
    const response = await handler(apiGatewayEvent(signedRequest(SECRET, raw)), {});
    expect(response).toMatchObject({ statusCode: 200, body: 'got status' });
  });

  it('answers 401 to a bad signature and to a stale timestamp', async () => {
    const raw = blockActionsBody(blockActionsPayload(ackInput()));
    expect((await handler(apiGatewayEvent(signedRequest('wrong-secret', raw)), {})).statusCode).toBe(401);
    const stale = signedRequest(SECRET, raw, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect((await handler(apiGatewayEvent(stale), {})).statusCode).toBe(401);
  });
});

function ackInput() {
  return {
    userId: 'U123',
    userName: 'alice',
    actionId: ACKNOWLEDGE_ACTION_ID,
    value: 'fp1' as string | undefined,
    blockId: actionsBlockId('fp1'),
    channelId: 'C0ALERTS',
    messageTs: '1700000000.000100',
    responseUrl: 'https://hooks.slack.com/actions/T0KLAXON/1/abc',
  };
}


function silentLogger(): Logger {
  const noop = (): void => undefined;
  return { debug: noop, info: noop, warn: noop, error: noop, setLevel: noop, getLevel: () => LogLevel.ERROR, setName: noop };
}
