import type { AwsEvent } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { precheckSlackRequest, SIGNATURE_MAX_AGE_SECONDS } from '../../src/lambda/slack-precheck';
import { signedRequest } from '../helpers/slack-signing';
import { httpApiV2Event } from './lambda-harness';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const nowSeconds = NOW / 1000;

function event(headers: Record<string, string>, body: string, base64 = false): AwsEvent {
  return httpApiV2Event({ headers, body }, { base64 }) as unknown as AwsEvent;
}

describe('precheckSlackRequest', () => {
  const signed = (timestamp: number) => {
    const request = signedRequest('secret', 'payload=%7B%7D', { timestamp });
    return { headers: { ...request.headers } as Record<string, string>, body: request.body };
  };

  it('forwards a signed request whose timestamp is within five minutes either way, whatever the header case', () => {
    for (const offset of [0, -SIGNATURE_MAX_AGE_SECONDS, SIGNATURE_MAX_AGE_SECONDS]) {
      const { headers, body } = signed(nowSeconds + offset);
      expect(precheckSlackRequest(event(headers, body), NOW)).toEqual({ forward: true });
      // API Gateway v2 lower-cases header names (the harness too); v1 events keep Slack's spelling.
      const asSent = { ...event({}, body), headers } as AwsEvent;
      expect(precheckSlackRequest(asSent, NOW)).toEqual({ forward: true });
    }
  });

  it.each([
    ['no signature', (h: Record<string, string>) => ({ ...h, 'X-Slack-Signature': '' }), 'no Slack signature header'],
    ['a signature of another scheme', (h: Record<string, string>) => ({ ...h, 'X-Slack-Signature': 'v1=abc' }), 'no Slack signature header'],
    ['no timestamp', ({ 'X-Slack-Request-Timestamp': _, ...h }: Record<string, string>) => h, 'no Slack request timestamp'],
    ['a timestamp that is no number', (h: Record<string, string>) => ({ ...h, 'X-Slack-Request-Timestamp': '1e9' + 'x' }), 'no Slack request timestamp'],
    ['a timestamp six minutes old', (h: Record<string, string>) => ({ ...h, 'X-Slack-Request-Timestamp': String(nowSeconds - 360) }), 'the Slack request timestamp is more than five minutes off'],
  ])('refuses %s with 401', (_name, change, reason) => {
    const { headers, body } = signed(nowSeconds);
    const withoutSignature = Object.fromEntries(Object.entries(change(headers)).filter(([, v]) => v !== ''));
    expect(precheckSlackRequest(event(withoutSignature, body), NOW)).toEqual({ forward: false, refused: reason, response: { statusCode: 401, body: '' } });
  });

  it.each([
    ['payload=null', 'payload=null', 'application/x-www-form-urlencoded', 'the payload is not a JSON object'],
    ['a payload that is not JSON', 'payload=%7Bnope', 'application/x-www-form-urlencoded', 'the payload is not a JSON object'],
    ['a JSON null body', 'null', 'application/json', 'the body is not a JSON object'],
    ['a JSON array body', '[]', 'application/json', 'the body is not a JSON object'],
  ])('refuses %s with 400 before any secret is read (issue 10)', (_name, body, contentType, reason) => {
    const { headers } = signedRequest('any-secret', body, { timestamp: nowSeconds });
    expect(precheckSlackRequest(event({ ...headers, 'Content-Type': contentType }, body), NOW)).toEqual({ forward: false, refused: reason, response: { statusCode: 400, body: '' } });
  });

  it('refuses a timestamp in the future past the window (an hour, a year) with 401', () => {
    for (const ahead of [3600, 365 * 24 * 3600]) {
      const { headers, body } = signed(nowSeconds + ahead);
      expect(precheckSlackRequest(event(headers, body), NOW)).toMatchObject({ forward: false, response: { statusCode: 401 } });
    }
  });

  it("answers Slack's unsigned ssl_check with 200, plain or base64-encoded", () => {
    const body = 'ssl_check=1&token=abc';
    for (const base64 of [false, true]) {
      expect(precheckSlackRequest(event({ 'Content-Type': 'application/x-www-form-urlencoded' }, body, base64), NOW)).toEqual({ forward: false, response: { statusCode: 200, body: '' } });
    }
  });
});
