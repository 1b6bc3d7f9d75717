/**
 * The `slack` function's URL is public. A request that cannot be from Slack (no signature
 * headers, or a timestamp outside Slack's five-minute window) is refused here, before the
 * secrets are read from SSM: junk on a cold container costs no SSM or KMS call. Bolt still
 * verifies the signature of everything that passes.
 */
import type { AwsEvent, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';

/** Slack's replay window: requests signed longer ago than this are refused (Bolt uses the same). */
export const SIGNATURE_MAX_AGE_SECONDS = 300;

/** `forward`: on to Bolt. `answer`: this response now, and `refused` says why when it is a refusal. */
export type PrecheckVerdict = { forward: true } | { forward: false; response: AwsResponse; refused?: string };

function header(event: AwsEvent, name: string): string | undefined {
  const headers = (event.headers ?? {}) as Record<string, string | undefined>;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Slack's unsigned certificate check, `ssl_check=1`, answered as Bolt answers it. */
function isSslCheck(event: AwsEvent): boolean {
  if (typeof event.body !== 'string') return false;
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return new URLSearchParams(body).get('ssl_check') === '1';
}

export function precheckSlackRequest(event: AwsEvent, nowMs: number = Date.now()): PrecheckVerdict {
  if (isSslCheck(event)) return { forward: false, response: { statusCode: 200, body: '' } };
  const signature = header(event, 'x-slack-signature');
  const timestamp = header(event, 'x-slack-request-timestamp');
  const refuse = (reason: string): PrecheckVerdict => ({ forward: false, refused: reason, response: { statusCode: 401, body: '' } });
  if (signature === undefined || !signature.startsWith('v0=')) return refuse('no Slack signature header');
  const seconds = Number(timestamp);
  if (timestamp === undefined || !Number.isInteger(seconds)) return refuse('no Slack request timestamp');
  if (Math.abs(nowMs / 1000 - seconds) > SIGNATURE_MAX_AGE_SECONDS) return refuse('the Slack request timestamp is more than five minutes off');
  return { forward: true };
}
