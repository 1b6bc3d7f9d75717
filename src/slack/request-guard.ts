/**
 * What every Slack request must be before Bolt reads it, on every receiver Klaxon serves:
 * signed (`v0=` signature, with a timestamp within five minutes of now, either way), and a
 * body Bolt can read without throwing: a JSON object, or a form whose `payload` is a JSON
 * object (slash commands are plain forms; `ssl_check=1` is Slack's unsigned probe, which Bolt
 * answers and sanitises itself). Anything else gets a 4xx here; Bolt then verifies the
 * signature of what passes.
 */
import { isValidSlackRequest } from '@slack/bolt';

/** Slack's replay window, applied both ways: a request signed further in the past or in the future is refused. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export type GuardVerdict = { ok: true } | { ok: false; status: 400 | 401; reason: string };

export interface SlackRequestParts {
  rawBody: string;
  contentType: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** The headers and timestamp of a request: present, `v0=`, and within the window. Needs no secret. */
export function checkSignatureHeaders(request: Omit<SlackRequestParts, 'rawBody' | 'contentType'>, nowMs: number): GuardVerdict {
  if (request.signature === undefined || !request.signature.startsWith('v0=')) return refuse(401, 'no Slack signature header');
  const seconds = Number(request.timestamp);
  if (request.timestamp === undefined || !Number.isInteger(seconds)) return refuse(401, 'no Slack request timestamp');
  if (Math.abs(nowMs / 1000 - seconds) > SIGNATURE_WINDOW_SECONDS) return refuse(401, 'the Slack request timestamp is more than five minutes off');
  return { ok: true };
}

/** Whether Bolt can read the body: a JSON object, or a form (its `payload`, when present, a JSON object). */
export function checkBodyShape(rawBody: string, contentType: string | undefined): GuardVerdict {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(rawBody).get('payload');
    if (payload === null) return { ok: true };
    return isJsonObject(payload) ? { ok: true } : refuse(400, 'the payload is not a JSON object');
  }
  return isJsonObject(rawBody) ? { ok: true } : refuse(400, 'the body is not a JSON object');
}

/** Slack's unsigned certificate probe, which Bolt answers (and strips of anything smuggled with it). */
export function isSslCheck(rawBody: string, contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith('application/x-www-form-urlencoded') && new URLSearchParams(rawBody).get('ssl_check') === '1';
}

/** The whole check, with the signing secret: headers, body shape, then the signature itself. */
export function checkSlackRequest(request: SlackRequestParts, signingSecret: string, nowMs: number = Date.now()): GuardVerdict {
  if (isSslCheck(request.rawBody, request.contentType)) return { ok: true };
  const headers = checkSignatureHeaders(request, nowMs);
  if (!headers.ok) return headers;
  const valid = isValidSlackRequest({
    signingSecret,
    body: request.rawBody,
    headers: { 'x-slack-signature': request.signature as string, 'x-slack-request-timestamp': Number(request.timestamp) },
    nowMilliseconds: nowMs,
  });
  if (!valid) return refuse(401, 'the Slack signature does not match');
  return checkBodyShape(request.rawBody, request.contentType);
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function refuse(status: 400 | 401, reason: string): GuardVerdict {
  return { ok: false, status, reason };
}
