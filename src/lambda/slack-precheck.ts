/**
 * The `slack` function's URL is public. A request that cannot be from Slack (no signature
 * headers, a timestamp outside Slack's five-minute window either way, or a body Bolt could
 * not read) is refused here, before the secrets are read from SSM: junk on a cold container
 * costs no SSM or KMS call, and no malformed body reaches Bolt. Bolt still verifies the
 * signature of everything that passes.
 */
import type { AwsEvent, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { checkBodyShape, checkSignatureHeaders, isSslCheck, SIGNATURE_WINDOW_SECONDS } from '../slack/request-guard';

/** Slack's replay window: requests signed further from now than this, either way, are refused (as the local server does). */
export const SIGNATURE_MAX_AGE_SECONDS = SIGNATURE_WINDOW_SECONDS;

/** `forward`: on to Bolt. `answer`: this response now, and `refused` says why when it is a refusal. */
export type PrecheckVerdict = { forward: true } | { forward: false; response: AwsResponse; refused?: string };

function header(event: AwsEvent, name: string): string | undefined {
  const headers = (event.headers ?? {}) as Record<string, string | undefined>;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function bodyText(event: AwsEvent): string {
  if (typeof event.body !== 'string') return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function precheckSlackRequest(event: AwsEvent, nowMs: number = Date.now()): PrecheckVerdict {
  const body = bodyText(event);
  const contentType = header(event, 'content-type');
  // Slack's unsigned certificate check, answered as Bolt answers it.
  if (isSslCheck(body, contentType)) return { forward: false, response: { statusCode: 200, body: '' } };
  const signed = checkSignatureHeaders({ signature: header(event, 'x-slack-signature'), timestamp: header(event, 'x-slack-request-timestamp') }, nowMs);
  const verdict = signed.ok ? checkBodyShape(body, contentType) : signed;
  if (!verdict.ok) return { forward: false, refused: verdict.reason, response: { statusCode: verdict.status, body: '' } };
  return { forward: true };
}
