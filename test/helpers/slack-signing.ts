/**
 * Interaction requests signed the way Slack signs them, for tests of the Bolt handlers.
 *
 * Slack's v0 scheme: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">`
 * keyed with the app's signing secret, `X-Slack-Request-Timestamp: <unix seconds>`.
 * https://api.slack.com/authentication/verifying-requests-from-slack
 *
 * @example
 *   const raw = blockActionsBody(blockActionsPayload({ userId: 'U1', actionId: ACKNOWLEDGE_ACTION_ID, value: fp, … }));
 *   const { headers, body } = signedRequest(SIGNING_SECRET, raw);
 *   await handler({ headers, body, isBase64Encoded: false, … });
 */
import { createHmac } from 'node:crypto';
import type { AwsLambdaReceiver } from '@slack/bolt';

/** The headers Slack sends with an interaction or slash command. */
export interface SignedHeaders {
  'Content-Type': 'application/x-www-form-urlencoded';
  'X-Slack-Request-Timestamp': string;
  'X-Slack-Signature': string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:${timestamp}:${rawBody}`. */
export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * Signs `rawBody` as Slack would. `timestamp` (unix seconds) defaults to now; pass an old one
 * to test the replay window.
 */
export function signedRequest(secret: string, rawBody: string, options: { timestamp?: number } = {}): { headers: SignedHeaders; body: string } {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': slackSignature(secret, timestamp, rawBody),
    },
    body: rawBody,
  };
}

/** An interaction POST body: `payload=<url-encoded JSON>`, as Slack sends it. */
export function blockActionsBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface BlockActionsInput {
  userId: string;
  userName?: string;
  actionId: string;
  blockId: string;
  channelId: string;
  messageTs: string;
  responseUrl: string;
  teamId?: string;
  /** A button's value (the action is then a `button`). */
  value?: string;
  /** The chosen option of a static select (the action is then a `static_select`). */
  selectedOptionValue?: string;
  /** The chosen option's label (default: the value). */
  selectedOptionText?: string;
  /** The blocks of the message the action is on (default: an empty list). */
  messageBlocks?: unknown[];
  /** The action's time (default: now). */
  actionTs?: string;
}

export const TEST_APP_ID = 'A0KLAXON';
export const TEST_TEAM_ID = 'T0KLAXON';
export const TEST_TEAM_DOMAIN = 'klaxon-test';
export const TEST_BOT_ID = 'B0KLAXON';
export const TEST_BOT_USER_ID = 'U0KLAXONBOT';
/** The deprecated verification token Slack still sends in payloads. */
export const TEST_VERIFICATION_TOKEN = 'vErIfIcAtIoNtOkEn';

/**
 * A `block_actions` payload as Slack sends it for a click on a message's button or select.
 * Exactly one of `value` and `selectedOptionValue` must be given.
 */
export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  if ((input.value === undefined) === (input.selectedOptionValue === undefined)) {
    throw new Error('blockActionsPayload: give exactly one of value (button) and selectedOptionValue (static_select)');
  }
  const teamId = input.teamId ?? TEST_TEAM_ID;
  const userName = input.userName ?? input.userId.toLowerCase();
  const actionTs = input.actionTs ?? nowTs();
  const action =
    input.value !== undefined
      ? { type: 'button', action_id: input.actionId, block_id: input.blockId, text: { type: 'plain_text', text: 'Acknowledge', emoji: true }, value: input.value, action_ts: actionTs }
      : {
          type: 'static_select',
          action_id: input.actionId,
          block_id: input.blockId,
          selected_option: { text: { type: 'plain_text', text: input.selectedOptionText ?? input.selectedOptionValue, emoji: true }, value: input.selectedOptionValue },
          placeholder: { type: 'plain_text', text: 'Silence', emoji: true },
          action_ts: actionTs,
        };
  return {
    type: 'block_actions',
    user: { id: input.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: TEST_APP_ID,
    token: TEST_VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false },
    trigger_id: triggerId(),
    team: { id: teamId, domain: TEST_TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: 'alerts' },
    message: {
      type: 'message',
      subtype: 'bot_message',
      text: 'alert',
      ts: input.messageTs,
      bot_id: TEST_BOT_ID,
      user: TEST_BOT_USER_ID,
      team: teamId,
      blocks: input.messageBlocks ?? [],
    },
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [action],
  };
}

export interface SlashCommandInput {
  command?: string;
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  responseUrl: string;
  teamId?: string;
}

/** A slash command POST body, form-encoded with the fields (and order) Slack sends. */
export function slashCommandBody(input: SlashCommandInput): string {
  const teamId = input.teamId ?? TEST_TEAM_ID;
  return new URLSearchParams({
    token: TEST_VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEST_TEAM_DOMAIN,
    channel_id: input.channelId,
    channel_name: input.channelName ?? 'alerts',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? '/klaxon',
    text: input.text,
    api_app_id: TEST_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: triggerId(),
  }).toString();
}

let triggerSeq = 0;

/** Slack trigger ids look like `<digits>.<digits>.<hex>`. */
function triggerId(): string {
  triggerSeq += 1;
  return `1700000000${String(triggerSeq).padStart(3, '0')}.1234567890.${createHmac('sha256', 'trigger').update(String(triggerSeq)).digest('hex').slice(0, 32)}`;
}

function nowTs(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

/** An API Gateway (REST, payload v1) event carrying a signed request, as Bolt's AwsLambdaReceiver reads it. */
export function apiGatewayEvent(request: { headers: SignedHeaders; body: string }): Parameters<ReturnType<AwsLambdaReceiver['toHandler']>>[0] {
  return {
    body: request.body,
    headers: { ...request.headers },
    multiValueHeaders: {},
    isBase64Encoded: false,
    httpMethod: 'POST',
    path: '/slack/events',
    resource: '/slack/events',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {},
  };
}
