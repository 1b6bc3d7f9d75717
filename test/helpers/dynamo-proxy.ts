/**
 * A proxy in front of dynalite that sees every DynamoDB request Klaxon makes: it counts them
 * by operation with the capacity DynamoDB would charge (it asks for `ReturnConsumedCapacity`
 * on every request and reads dynalite's answer), and can refuse the requests whose body
 * contains a given text, as DynamoDB refuses a write it cannot take (HTTP 400,
 * ValidationException), to make one record of a batch fail.
 *
 * @example
 *   const proxy = await startDynamoProxy(aws.endpoint);
 *   // point the client (or AWS_ENDPOINT_URL_DYNAMODB) at proxy.endpoint
 *   proxy.refuseWhenBodyContains('0123456789');
 *   proxy.counts();   // { requests: { BatchGetItem: 3, … }, readUnits: 4.5, writeUnits: 12 }
 */
import { createServer, request, type Server } from 'node:http';
import { inflateRawSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

export interface DynamoCounts {
  /** Requests by operation (`BatchGetItem`, `PutItem`, …). */
  requests: Record<string, number>;
  /** Read and write capacity units consumed, as dynalite reports them. */
  readUnits: number;
  writeUnits: number;
}

export interface DynamoProxy {
  endpoint: string;
  counts(): DynamoCounts;
  reset(): void;
  /** Requests whose body contains `text` are refused from now on (undefined: none). */
  refuseWhenBodyContains(text: string | undefined): void;
  /** Requests refused so far. */
  refused(): number;
  close(): Promise<void>;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

export async function startDynamoProxy(target: string): Promise<DynamoProxy> {
  const backend = new URL(target);
  let counts: DynamoCounts = { requests: {}, readUnits: 0, writeUnits: 0 };
  let refuseText: string | undefined;
  let refusedCount = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      const text = Buffer.concat(chunks).toString('utf8');
      if (refuseText !== undefined && (text.includes(refuseText) || storedDataText(text).includes(refuseText))) {
        refusedCount++;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: 'Item size has exceeded the maximum allowed size' }));
        return;
      }
      counts.requests[operation] = (counts.requests[operation] ?? 0) + 1;
      let body = text;
      try {
        body = JSON.stringify({ ...(JSON.parse(text) as Record<string, unknown>), ReturnConsumedCapacity: 'TOTAL' });
      } catch {
        // not JSON: passed on as it is
      }
      const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
      const forward = request({ host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers }, (answer) => {
        const out: Buffer[] = [];
        answer.on('data', (c: Buffer) => out.push(c));
        answer.on('end', () => {
          const raw = Buffer.concat(out);
          addCapacity(operation, raw.toString('utf8'));
          res.writeHead(answer.statusCode ?? 500, { ...answer.headers, 'content-length': String(raw.length) });
          res.end(raw);
        });
      });
      forward.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });

  function addCapacity(operation: string, answer: string): void {
    let parsed: { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> };
    try {
      parsed = JSON.parse(answer) as typeof parsed;
    } catch {
      return;
    }
    const consumed = parsed.ConsumedCapacity;
    const units = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
    if (READS.has(operation)) counts.readUnits += units;
    else counts.writeUnits += units;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ requests: { ...counts.requests }, readUnits: counts.readUnits, writeUnits: counts.writeUnits }),
    reset: () => {
      counts = { requests: {}, readUnits: 0, writeUnits: 0 };
    },
    refuseWhenBodyContains: (value) => {
      refuseText = value;
    },
    refused: () => refusedCount,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The JSON inside the compressed group data of a request (binary `data`: a format byte, then raw deflate), so that refusals match what the item holds. */
function storedDataText(body: string): string {
  return [...body.matchAll(/"data":\{"B":"([A-Za-z0-9+/=]+)"\}/g)].map((m) => inflateRawSync(Buffer.from(m[1] ?? '', 'base64').subarray(1)).toString('utf8')).join('\n');
}
