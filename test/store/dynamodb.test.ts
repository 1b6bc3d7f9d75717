import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import {
  ACTIVE_INDEX,
  AUDIT_INDEX,
  decodeGroupPayload,
  DynamoStore,
  encodeGroupPayload,
  PENDING_INDEX,
  MAX_GROUP_ITEM_BYTES,
  TTL_ATTRIBUTE,
  tableDefinition,
} from '../../src/store/dynamodb';
import { describeStoreContract } from './contract';

const HOUR = 3_600_000;

let server: Server;
let config: DynamoDBClientConfig;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  config = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  client = new DynamoDBClient(config);
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

async function freshTable(): Promise<string> {
  tables += 1;
  const name = `klaxon-test-${tables}`;
  await client.send(new CreateTableCommand(tableDefinition(name)));
  return name;
}

let contractTable = '';
describeStoreContract(
  'DynamoDB',
  async () => {
    contractTable = await freshTable();
    return new DynamoStore({ tableName: contractTable, client });
  },
  async () => {
    await client.send(new DeleteTableCommand({ TableName: contractTable }));
  },
);

type BatchRequest = { RequestItems: Record<string, { Keys: unknown[] } | unknown[]> };
type BatchOutput = { UnprocessedKeys?: Record<string, unknown>; UnprocessedItems?: Record<string, unknown> };

/**
 * A client whose batch calls leave items unprocessed, as a throttled table does: the second
 * half of each request for the first `times` calls (`halfFor`), or all of it, always (`all`).
 */
function throttledClient(mode: { halfFor: number } | 'all'): { client: DynamoDBClient; calls: () => number } {
  const throttled = new DynamoDBClient(config);
  let calls = 0;
  throttled.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchGetItemCommand' && context.commandName !== 'BatchWriteItemCommand') return next(args);
      calls += 1;
      // At this step the DocumentClient's input and output are still plain JavaScript values.
      const input = args.input as unknown as BatchRequest;
      const [table, request] = Object.entries(input.RequestItems)[0] ?? [];
      if (table === undefined || request === undefined) return next(args);
      const isGet = !Array.isArray(request);
      const items = isGet ? request.Keys : request;
      const keep = mode === 'all' || calls > mode.halfFor ? (mode === 'all' ? 0 : items.length) : Math.ceil(items.length / 2);
      const left = items.slice(keep);
      const unprocessed = isGet ? { [table]: { ...request, Keys: left } } : { [table]: left };
      if (keep === 0) {
        const output: BatchOutput = isGet ? { UnprocessedKeys: unprocessed } : { UnprocessedItems: unprocessed };
        return { output: { ...output, $metadata: {} }, response: {} } as Awaited<ReturnType<typeof next>>;
      }
      const sent = isGet ? { ...request, Keys: items.slice(0, keep) } : items.slice(0, keep);
      const result = await next({ ...args, input: { ...input, RequestItems: { [table]: sent } } as unknown as typeof args.input });
      if (left.length > 0) Object.assign(result.output as BatchOutput, isGet ? { UnprocessedKeys: unprocessed } : { UnprocessedItems: unprocessed });
      return result;
    },
    { step: 'initialize', name: 'throttleBatches' },
  );
  return { client: throttled, calls: () => calls };
}

describe('DynamoStore', () => {
  let tableName: string;
  let store: DynamoStore;

  beforeEach(async () => {
    tableName = await freshTable();
    store = new DynamoStore({ tableName, client });
  });

  afterEach(async () => {
    await store.close();
  });

  it('defines the table with on-demand billing and the three indexes', () => {
    const definition = tableDefinition('t');
    expect(definition.BillingMode).toBe('PAY_PER_REQUEST');
    expect(definition.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([ACTIVE_INDEX, AUDIT_INDEX, PENDING_INDEX]);
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('stores expiry for TTL in epoch seconds (rounded up), and indexes only active groups', async () => {
    const expiresAt = Date.now() + HOUR + 1;
    await store.putGroup({ fingerprint: 'r:active', rule: 'r', activeUntil: expiresAt, expiresAt, data: { a: '' } }, undefined);
    await store.putGroup({ fingerprint: 'r:quiet', rule: 'r', expiresAt, data: {} }, undefined);
    const active = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'GROUP#r:active' }, sk: { S: 'GROUP' } } }));
    expect(active.Item?.[TTL_ATTRIBUTE]).toEqual({ N: String(Math.ceil(expiresAt / 1000)) });
    expect(active.Item?.data?.B).toBeInstanceOf(Uint8Array);
    expect(active.Item?.activePk).toEqual({ S: 'ACTIVE' });
    const quiet = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'GROUP#r:quiet' }, sk: { S: 'GROUP' } } }));
    expect(quiet.Item).toBeDefined();
    expect(quiet.Item?.activePk).toBeUndefined();
    expect(quiet.Item?.activeUntil).toBeUndefined();
  });

  it('refuses a group record over the size limit, naming the fingerprint and writing nothing', async () => {
    // Random text: it stays big compressed. The limit is on the bytes stored.
    const record = { fingerprint: 'ssh-brute-force:big', rule: 'ssh-brute-force', expiresAt: Date.now() + HOUR, data: { blob: randomBytes(MAX_GROUP_ITEM_BYTES).toString('base64') } };
    await expect(store.putGroup(record, undefined)).rejects.toThrow(/^group ssh-brute-force:big: the record is \d+ KB, over the 350 KB/);
    expect(await store.getGroup('ssh-brute-force:big')).toBeUndefined();
    const compressible = { ...record, data: { blob: 'x'.repeat(2 * MAX_GROUP_ITEM_BYTES) } };
    expect(await store.putGroup(compressible, undefined)).toMatchObject({ version: 1 });
  });

  it('stores group data compressed, as a binary attribute in a format it names', async () => {
    const sample = { timestamp: 1, source: 'ssh', fields: { 'event.original': 'Nov  2 10:00:00 bastion sshd[1000]: Failed password for root from 198.51.100.1 port 30000 ssh2' } };
    const data = { v: 1, samples: Array.from({ length: 20 }, () => sample) };
    await store.putGroup({ fingerprint: 'r:1', rule: 'r', expiresAt: Date.now() + HOUR, data }, undefined);
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'GROUP#r:1' }, sk: { S: 'GROUP' } } }))).Item;
    const stored = item?.data?.B as Uint8Array;
    expect(item?.data?.S).toBeUndefined();
    expect(stored[0]).toBe(1);
    expect(stored.length).toBeLessThan(JSON.stringify(data).length / 5);
    expect(decodeGroupPayload('r:1', stored)).toBe(JSON.stringify(data));
    expect(decodeGroupPayload('r:1', encodeGroupPayload('{"a":1}'))).toBe('{"a":1}');
    expect((await store.getGroup('r:1'))?.data).toEqual(data);
  });

  it('reads and updates a group record written by a Klaxon that stored its data as JSON text', async () => {
    // The item exactly as the previous release's toGroupItem wrote it.
    const expiresAt = Date.now() + HOUR;
    const data = { v: 1, engine: { window: { times: [1, 2] } }, messages: [], suppressed: 0 };
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'GROUP#r:old' },
          sk: { S: 'GROUP' },
          fingerprint: { S: 'r:old' },
          rule: { S: 'r' },
          version: { N: '3' },
          data: { S: JSON.stringify(data) },
          [TTL_ATTRIBUTE]: { N: String(Math.ceil(expiresAt / 1000)) },
          expiresAtMs: { N: String(expiresAt) },
          activeUntil: { N: String(expiresAt) },
          activePk: { S: 'ACTIVE' },
        },
      }),
    );
    expect(await store.getGroup('r:old')).toEqual({ fingerprint: 'r:old', rule: 'r', version: 3, expiresAt, activeUntil: expiresAt, data });
    expect((await store.listActiveGroups(Date.now())).map((g) => g.data)).toEqual([data]);
    const updated = await store.putGroup({ fingerprint: 'r:old', rule: 'r', expiresAt, data: { ...data, suppressed: 1 } }, 3);
    expect(updated).toMatchObject({ version: 4, data: { suppressed: 1 } });
    expect((await store.getGroups(['r:old'])).get('r:old')?.data).toEqual({ ...data, suppressed: 1 });
  });

  it('refuses, naming the group, data in a binary format it does not know (a newer Klaxon\'s)', async () => {
    const expiresAt = Date.now() + HOUR;
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'GROUP#r:new' },
          sk: { S: 'GROUP' },
          fingerprint: { S: 'r:new' },
          rule: { S: 'r' },
          version: { N: '1' },
          data: { B: new Uint8Array([2, 0, 0]) },
          expiresAtMs: { N: String(expiresAt) },
        },
      }),
    );
    await expect(store.getGroup('r:new')).rejects.toThrow('state store: group r:new is stored in an unknown format (2); was it written by a newer Klaxon?');
  });

  it('lets errors other than a failed condition through', async () => {
    const missing = new DynamoStore({ tableName: 'no-such-table', client });
    await expect(missing.putGroup({ fingerprint: 'r:1', rule: 'r', expiresAt: Date.now() + HOUR, data: {} }, undefined)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('retries the keys and items a batch call leaves unprocessed', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `in-${i}`);
    await Promise.all(keys.map((key) => store.putGroup({ fingerprint: key, rule: 'r', expiresAt: Date.now() + HOUR, data: { key } }, undefined)));
    const throttled = throttledClient({ halfFor: 3 });
    const flaky = new DynamoStore({ tableName, client: throttled.client, batchRetry: { attempts: 8, baseDelayMs: 1 } });
    try {
      expect((await flaky.getGroups(keys)).size).toBe(60);
      await flaky.markInputsProcessed(keys, Date.now() + HOUR);
      expect(await store.findProcessedInputs(keys, Date.now())).toEqual(new Set(keys));
      expect(throttled.calls()).toBeGreaterThan(1 + 3);
    } finally {
      await flaky.close();
      throttled.client.destroy();
    }
  });

  it('gives up, with an error, when a batch call keeps leaving items unprocessed', async () => {
    const throttled = throttledClient('all');
    const flaky = new DynamoStore({ tableName, client: throttled.client, batchRetry: { attempts: 3, baseDelayMs: 1 } });
    try {
      await expect(flaky.getGroups(['r:1', 'r:2'])).rejects.toThrow(`DynamoDB BatchGetItem on ${tableName} left 2 item(s) unprocessed after 3 attempts`);
      await expect(flaky.markInputsProcessed(['a'], Date.now() + HOUR)).rejects.toThrow('BatchWriteItem');
      expect(throttled.calls()).toBe(6);
    } finally {
      await flaky.close();
      throttled.client.destroy();
    }
  });

  it('leaves a client it was given open on close', async () => {
    await store.close();
    await expect(client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'x' }, sk: { S: 'y' } } }))).resolves.toBeDefined();
  });
});
