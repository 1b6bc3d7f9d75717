/**
 * A deploy replaces the Lambda while the table holds groups the previous release wrote (its
 * `data` a JSON text, where this release writes it compressed): the lifecycle carries on from
 * them exactly once. A retried batch changes nothing, and the next batch counts on.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AlertLifecycle } from '../../src/alerts/lifecycle';
import { alertsForText } from '../../src/engine/run';
import type { KlaxonEvent } from '../../src/events/event';
import { loadRulesFromDir } from '../../src/rules/load';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { decodeGroupPayload, DynamoStore, tableDefinition } from '../../src/store/dynamodb';
import { RecordingNotifier } from '../helpers/recording-notifier';

// Every shipped SSH rule: brute force, the two distinct counts and the sequence group each keep a record per address or user.
const RULES = loadRulesFromDir(join(__dirname, '..', '..', 'rules')).rules.filter((r) => r.sources.includes('ssh'));

let server: Server;
let client: DynamoDBClient;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  client.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failures(from: number, n: number): Promise<KlaxonEvent[]> {
  const lines = Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return `Nov  2 10:00:${String(i).padStart(2, '0')} bastion sshd[${100 + i}]: Failed password for root from 203.0.113.9 port ${40000 + i} ssh2`;
  });
  return (await alertsForText(`${lines.join('\n')}\n`, [], { source: 'ssh', year: 2024, now: Date.UTC(2024, 11, 1), routes: DEFAULT_ROUTES })).events;
}

/** Rewrites every group item as the previous release stored it: the same JSON, as text. */
async function rewriteAsText(table: string): Promise<number> {
  const items = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
  let rewritten = 0;
  for (const item of items) {
    const data = item.data;
    if (!item.pk?.S?.startsWith('GROUP#') || data?.B === undefined) continue;
    const text: AttributeValue = { S: decodeGroupPayload(item.fingerprint?.S ?? '', data.B) };
    await client.send(new PutItemCommand({ TableName: table, Item: { ...item, data: text } }));
    rewritten++;
  }
  return rewritten;
}

it('carries on exactly once from groups the previous release wrote as JSON text', async () => {
  const table = 'klaxon-stored-format';
  await client.send(new CreateTableCommand(tableDefinition(table)));
  const store = new DynamoStore({ tableName: table, client });
  const notifier = new RecordingNotifier();
  // The store expires records by the real clock.
  let now = Date.now();
  const lifecycle = () => new AlertLifecycle({ store, rules: RULES, notifier, defaultChannel: 'C0ALERTS', invocationId: 'deploy', now: () => now, updateIntervalMs: 0 });

  const first = await failures(0, 7);
  expect(await lifecycle().processBatch(first)).toMatchObject({ posted: 1 });
  // Brute force, password spray, distributed guessing (by user) and the sequence's steps.
  expect(await rewriteAsText(table)).toBe(4);

  const retried = await lifecycle().processBatch(first);
  expect(retried).toMatchObject({ posted: 0, updated: 0, duplicates: 7, matched: 0 });
  now += 60_000;
  expect(await lifecycle().processBatch(await failures(7, 5))).toMatchObject({ posted: 0, updated: 1 });
  expect(notifier.updates.at(-1)?.view.alert).toMatchObject({ rule: 'ssh-brute-force', count: 12 });
  // What it wrote back is in its own format, and reads on.
  const items = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
  expect(items.filter((i) => i.pk?.S?.startsWith('GROUP#')).map((i) => (i.data?.B === undefined ? 'text' : 'binary'))).toEqual(['binary', 'binary', 'binary', 'binary']);
  await store.close();
});
