/**
 * A stand-in for SSM Parameter Store, for tests that run code out of process (the built
 * Lambda bundles): a real HTTP server on 127.0.0.1 speaking the AWS JSON 1.1 protocol that the
 * SDK's SSMClient talks to through AWS_ENDPOINT_URL_SSM. It answers `GetParameter` from a map
 * the test controls, as SecureStrings, and records every call. Signatures are not checked,
 * only recorded.
 *
 * @example
 *   const ssm = await startSsmStandIn(new Map([['/klaxon/test/slack-bot-token', 'xoxb-…']]));
 *   // child env: AWS_ENDPOINT_URL_SSM: ssm.url
 *   expect(ssm.calls[0]).toMatchObject({ target: 'AmazonSSM.GetParameter', name: '/klaxon/test/slack-bot-token' });
 *   await ssm.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request, as the stand-in received it. */
export interface SsmCall {
  /** The `X-Amz-Target` header, e.g. `AmazonSSM.GetParameter`. */
  target: string;
  /** The body's `Name`, when it has one. */
  name?: string;
  withDecryption?: boolean;
  /** The `Authorization` header (a SigV4 signature names the access key id, date, region and service), or undefined. */
  authorization?: string;
  /** Whether `X-Amz-Security-Token` (the session token) came along. */
  securityToken: boolean;
}

export interface SsmStandIn {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_SSM. */
  readonly url: string;
  /** Parameter values by name; the test may change them at any time. */
  readonly parameters: Map<string, string>;
  /** Every request in arrival order. */
  readonly calls: SsmCall[];
  /** Forgets the calls. */
  reset(): void;
  close(): Promise<void>;
}

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

/** Starts a stand-in on 127.0.0.1 with an ephemeral port, holding `parameters` (the same map, not a copy). */
export async function startSsmStandIn(parameters: Map<string, string> = new Map()): Promise<SsmStandIn> {
  const calls: SsmCall[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = header(req, 'x-amz-target') ?? '';
    const body = parseJson(Buffer.concat(chunks).toString('utf8') || '{}');
    const name = typeof body?.Name === 'string' ? body.Name : undefined;
    const withDecryption = body?.WithDecryption === true;
    calls.push({
      target,
      ...(name === undefined ? {} : { name }),
      withDecryption,
      authorization: header(req, 'authorization'),
      securityToken: header(req, 'x-amz-security-token') !== undefined,
    });
    if (body === undefined) return sendError(res, 'SerializationException', 'the body is not a JSON object');
    if (target !== 'AmazonSSM.GetParameter') return sendError(res, 'UnknownOperationException', `the stand-in does not answer ${target || 'a request without X-Amz-Target'}`);
    if (name === undefined) return sendError(res, 'ValidationException', '1 validation error detected: Value null at \'name\' failed to satisfy constraint: Member must not be null');
    const value = parameters.get(name);
    if (value === undefined) return sendError(res, 'ParameterNotFound', `Parameter ${name} not found.`);
    send(res, 200, {
      Parameter: {
        Name: name,
        Type: 'SecureString',
        // Without WithDecryption SSM hands back the ciphertext, never the value.
        Value: withDecryption ? value : `AQICAHh${Buffer.from(value).toString('base64')}`,
        Version: 1,
        LastModifiedDate: 1_730_540_000,
        ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
        DataType: 'text',
      },
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { __type: 'InternalServerError', message: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    parameters,
    calls,
    reset: () => {
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): { Name?: unknown; WithDecryption?: unknown } | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() });
  res.end(JSON.stringify(body));
}

/** An AWS JSON 1.1 error: HTTP 400 with `__type` naming the exception. */
function sendError(res: ServerResponse, type: string, message: string): void {
  send(res, 400, { __type: type, message });
}
