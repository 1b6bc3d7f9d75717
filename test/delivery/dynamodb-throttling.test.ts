/**
 * Issue 9: DynamoDB throttling. A proxy in front of dynalite answers a share of the requests
 * as DynamoDB does when a table is throttled (HTTP 400, ProvisionedThroughputExceededException);
 * the SDK retries some, the rest reach the lifecycle, which fails the batch as Lambda would see
 * it. Retried as Lambda retries (the same batch again, by several containers at once), every
 * alert ends up posted exactly once with its count right.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { decodeGroupData } from '../../src/alerts/group-data';
import { AlertLifecycle } from '../../src/alerts/lifecycle';
import { fingerprint } from '../../src/engine/fingerprint';
import { alertsForText } from '../../src/engine/run';
import { loadRulesFromDir } from '../../src/rules/load';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { DynamoStore, tableDefinition } from '../../src/store/dynamodb';
import { failedPasswords, successfulLogins } from '../helpers/auth-lines';
import { random } from '../../bench/generate';
import { RecordingNotifier } from '../helpers/recording-notifier';

const RULES = loadRulesFromDir(`${__dirname}/../../rules`).rules;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let backend: Server;
let proxy: Server;
let throttleShare = 0;
let throttled = 0;
let rand = random(42);

beforeAll(async () => {
  backend = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const target = (backend.address() as AddressInfo).port;
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (rand() < throttleShare) {
        throttled++;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded.' }));
        return;
      }
      const forward = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const server of [proxy, backend]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

it('30 % of DynamoDB requests throttled: retried batches (3 containers at once) post each alert once, counts right', async () => {
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 10 });
  await admin.send(new CreateTableCommand(tableDefinition('klaxon-throttled')));
  admin.destroy();
  const events = (await alertsForText(successfulLogins(30) + failedPasswords('203.0.113.50', 6, 100), [], { source: 'ssh', year: 2024, now: Date.UTC(2024, 11, 1), routes: DEFAULT_ROUTES })).events;
  const notifier = new RecordingNotifier();
  // The SDK's own retries (3 attempts) absorb most throttling; the rest fail the batch, as on Lambda.
  const containers = [0, 1, 2].map(
    (i) =>
      new AlertLifecycle({
        store: new DynamoStore({
          tableName: 'klaxon-throttled',
          client: new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 3 }),
          batchRetry: { attempts: 3, baseDelayMs: 5 },
        }),
        rules: RULES,
        notifier,
        defaultChannel: 'C0ALERTS',
        invocationId: `container-${i}`,
        // A container that posted but could not record it (a throttled write) holds its claim this long; then the post is looked up.
        claimMs: 300,
      }),
  );
  rand = random(7);
  throttleShare = 0.3;
  let failedAttempts = 0;
  let done = false;
  for (let attempt = 0; attempt < 40 && !done; attempt++) {
    const results = await Promise.allSettled(containers.map((c) => c.processBatch(events)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    failedAttempts += results.filter((r) => r.status === 'rejected').length;
    done = results.some((r) => r.status === 'fulfilled' && r.value.waiting === 0);
  }
  throttleShare = 0;
  // Whatever a failed attempt left in the outbox goes out with the next drain.
  await containers[0]?.drain();

  expect(done).toBe(true);
  expect(throttled).toBeGreaterThan(0);
  expect(failedAttempts).toBeGreaterThan(0);
  const posts = notifier.posts.map((p) => `${p.view.alert.fingerprint}#${p.view.alert.sequence}`);
  expect(posts).toHaveLength(31);
  expect(new Set(posts).size).toBe(31);
  const store = new DynamoStore({ tableName: 'klaxon-throttled', client: new DynamoDBClient({ endpoint, region: 'us-east-1', credentials }) });
  const brute = await store.getGroup(fingerprint('ssh-brute-force', ['203.0.113.50']));
  expect(decodeGroupData(brute?.fingerprint ?? '', brute?.data ?? {}).messages.map((m) => m.alert.count)).toEqual([6]);
  expect(await store.listPendingGroups(Date.now())).toEqual([]);
  await store.close();
}, 120_000);
