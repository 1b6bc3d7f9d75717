/**
 * Alert lifecycle under a burst: 10,000 failed SSH logins from 100 addresses within one
 * minute, delivered as Lambda-sized batches through the real lifecycle, the real WebClient
 * and a Slack Web API stand-in on 127.0.0.1, with state in SQLite and in DynamoDB (dynalite).
 * Counts Slack calls (target: at most 100 posts, at most one update per alert per batch),
 * times each batch, and re-delivers every batch (a Lambda retry) to show it posts nothing.
 * Then the acknowledgement round trip: signed block_actions requests to the real Bolt app,
 * timed from request to response (target: p99 under 300 ms).
 *
 *   npm run bench:lifecycle
 *   BENCH_SMOKE=1 npm run bench:lifecycle    # 1,000 logins, 20 acknowledgements
 *   BENCH_RULES=DIR npm run bench:lifecycle  # another rule directory than the shipped one
 *   BENCH_STORE=dynamodb npm run bench:lifecycle  # only the DynamoDB burst (sqlite: only SQLite), no acknowledgements
 *   BENCH_DYNALITE=child npm run bench:lifecycle  # dynalite in a process of its own: CPU per batch is then Klaxon's and the SDK's alone
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AlertLifecycle } from '../src/alerts/lifecycle';
import type { KlaxonEvent } from '../src/events/event';
import { BUNDLED_RULES_DIR } from '../src/cli/rules-dir';
import { loadRulesFromDir } from '../src/rules/load';
import type { CompiledRule } from '../src/rules/types';
import { createSlackClient, OUTBOX_CLIENT_OPTIONS } from '../src/slack/client';
import { SlackNotifier } from '../src/slack/notifier';
import { DEFAULT_TEMPLATES_DIR, loadTemplates, type TemplateSet } from '../src/slack/templates';
import { readEvents, ReadStats } from '../src/sources/read-events';
import { DEFAULT_ROUTES } from '../src/sources/routing';
import { DynamoStore, tableDefinition } from '../src/store/dynamodb';
import { SqliteStore } from '../src/store/sqlite';
import type { StateStore } from '../src/store/types';
import { startSlackStandIn, type SlackStandIn } from '../test/helpers/slack-standin';
import { benchAcknowledgements } from './ack-latency';

const SMOKE = process.env.BENCH_SMOKE === '1';
const LOGINS = SMOKE ? 1_000 : 10_000;
const ADDRESSES = 100;
/** Events per batch: about what one CloudWatch Logs subscription delivery carries in a burst. */
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
/** Which bursts to run: both stores and the acknowledgements by default; `dynamodb` or `sqlite` for that store's burst alone (profiling, interleaved comparisons). */
const ONLY = process.env.BENCH_STORE;

function burstLines(): string {
  const lines: string[] = [];
  for (let i = 0; i < LOGINS; i++) {
    const second = String(Math.floor((i * 60) / LOGINS)).padStart(2, '0');
    const address = `198.51.100.${(i % ADDRESSES) + 1}`;
    // Each address guesses one account of its own: 100 brute forces, nothing for ssh-password-spray (one user per
    // address) or ssh-distributed-guessing (one address per user), so the posts are the brute forces' alone.
    lines.push(`Nov  2 10:00:${second} bastion sshd[${1000 + i}]: Failed password for user${i % ADDRESSES} from ${address} port ${30000 + i} ssh2`);
  }
  return `${lines.join('\n')}\n`;
}

async function parse(text: string): Promise<KlaxonEvent[]> {
  const events: KlaxonEvent[] = [];
  await readEvents('-', Readable.from([Buffer.from(text)]), { source: 'ssh', year: 2024, now: Date.now(), routes: DEFAULT_ROUTES }, new ReadStats(), (batch) => {
    events.push(...batch);
  });
  return events;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** DynamoDB requests by operation (filled by a middleware on the bench's client); empty for SQLite. */
const requests = new Map<string, number>();

/** dynalite's own process (BENCH_DYNALITE=child), asked for its CPU time around each batch. */
let dynaliteChild: ChildProcess | undefined;

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    child.send(message);
  });
}

async function childCpuMs(): Promise<number> {
  return dynaliteChild === undefined ? 0 : (await ask<{ cpuMs: number }>(dynaliteChild, 'cpu')).cpuMs;
}

async function burst(name: string, store: StateStore, rules: CompiledRule[], templates: TemplateSet, slack: SlackStandIn, events: KlaxonEvent[]): Promise<void> {
  requests.clear();
  slack.reset();
  const client = createSlackClient({ token: 'xoxb-bench', apiUrl: slack.url, ...OUTBOX_CLIENT_OPTIONS });
  // The burst's minute on the lifecycle's clock: deliveries a few seconds apart, as CloudWatch Logs sends them (updates are coalesced per 30 s of it).
  let clock = Date.now();
  const lifecycle = new AlertLifecycle({ store, rules, notifier: new SlackNotifier(client, templates), defaultChannel: 'C0BENCH', invocationId: `bench-${name}`, now: () => clock });
  const batches: KlaxonEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  const step = 60_000 / batches.length;

  const times: number[] = [];
  let cpuMs = 0;
  let dynaliteCpuMs = 0;
  let maxUpdatesPerAlertInBatch = 0;
  for (const batch of batches) {
    const before = slack.calls.length;
    const childBefore = await childCpuMs();
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await lifecycle.processBatch(batch);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    dynaliteCpuMs += (await childCpuMs()) - childBefore;
    clock += step;
    const perMessage = new Map<string, number>();
    for (const call of slack.calls.slice(before)) {
      if (call.method === 'chat.update') perMessage.set(String(call.body.ts), (perMessage.get(String(call.body.ts)) ?? 0) + 1);
    }
    for (const n of perMessage.values()) maxUpdatesPerAlertInBatch = Math.max(maxUpdatesPerAlertInBatch, n);
  }
  const burstRequests = [...requests].sort((a, b) => b[1] - a[1]);
  const posts = slack.callsTo('chat.postMessage').length;
  const updates = slack.callsTo('chat.update').length;
  // Half a minute after the burst, the outbox sends the final counts.
  clock += 30_000;
  const drained = await lifecycle.drain();
  const finalCount = Math.round(events.length / ADDRESSES);
  const showingFinal = slack.messages().filter((m) => JSON.stringify(m.blocks).includes(`Count: ${finalCount} ·`)).length;

  const beforeRetry = slack.calls.length;
  let retryMs = 0;
  for (const batch of batches) {
    const started = process.hrtime.bigint();
    await lifecycle.processBatch(batch);
    retryMs += Number(process.hrtime.bigint() - started) / 1e6;
  }
  const retryCalls = slack.calls.length - beforeRetry;

  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  console.log(`\n${name}: ${events.length.toLocaleString('en')} failed logins from ${ADDRESSES} addresses in one minute, ${batches.length} batches of ${BATCH}`);
  console.log(`  Slack calls: ${posts} chat.postMessage (target ≤ ${ADDRESSES}), ${updates} chat.update during the burst (coalesced: at most one per message per 30 s), at most ${maxUpdatesPerAlertInBatch} update per alert per batch (target ≤ 1)`);
  console.log(`  30 s later the drain sent ${drained.updated} updates; ${showingFinal} of ${ADDRESSES} messages show their final count (${finalCount}); ${drained.waiting} still waiting`);
  console.log(`  time per batch: mean ${fmt(total / times.length)}, p50 ${fmt(percentile(sorted, 50))}, p95 ${fmt(percentile(sorted, 95))}, max ${fmt(sorted.at(-1) ?? NaN)}; ${Math.round(events.length / (total / 1000)).toLocaleString('en')} events/s`);
  // CPU time of this process, the Slack stand-in and dynalite included: steadier than wall time on a shared machine.
  const withDynalite = name.startsWith('DynamoDB') && dynaliteChild === undefined;
  console.log(`  CPU per batch: ${fmt(cpuMs / times.length)} (this process: the lifecycle, the SDK, the Slack stand-in${withDynalite ? ' and dynalite' : ''})`);
  if (name.startsWith('DynamoDB') && dynaliteChild !== undefined) console.log(`  dynalite's own process: ${fmt(dynaliteCpuMs / times.length)} CPU per batch`);
  if (burstRequests.length > 0) {
    const perBatch = burstRequests.map(([operation, n]) => `${operation} ${(n / batches.length).toFixed(1)}`).join(', ');
    console.log(`  DynamoDB requests per batch: ${perBatch} (${(burstRequests.reduce((a, [, n]) => a + n, 0) / batches.length).toFixed(1)} in all)`);
  }
  console.log(`  every batch delivered again (Lambda retry): ${retryCalls} Slack calls, ${fmt(retryMs / batches.length)} per batch`);
  if (posts > ADDRESSES || maxUpdatesPerAlertInBatch > 1 || retryCalls > 0 || showingFinal !== ADDRESSES) {
    console.error(`  TARGET MISSED: posts ${posts}, updates per alert per batch ${maxUpdatesPerAlertInBatch}, calls on retry ${retryCalls}, final counts shown ${showingFinal}`);
    process.exitCode = 1;
  }
}

/** dynalite in this process (the default), or in a child (BENCH_DYNALITE=child): its port, and how to stop it. */
async function startDynalite(): Promise<{ port: number; stop: () => Promise<void> }> {
  if (process.env.BENCH_DYNALITE === 'child') {
    const child = fork(join(__dirname, 'dynalite-child.ts'), { execArgv: ['--require', 'tsx/cjs'] });
    dynaliteChild = child;
    const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
    return { port, stop: () => new Promise<void>((resolve) => child.once('exit', () => resolve()).send('stop')) };
  }
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function withDynalite<T>(run: (store: StateStore) => Promise<T>): Promise<T> {
  const { port, stop } = await startDynalite();
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  await client.send(new CreateTableCommand(tableDefinition('klaxon-bench')));
  client.middlewareStack.add(
    (next, context) => (args) => {
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      requests.set(operation, (requests.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  const store = new DynamoStore({ tableName: 'klaxon-bench', client });
  try {
    const result = await run(store);
    await reportGroupSizes(client, 'klaxon-bench');
    return result;
  } finally {
    await store.close();
    client.destroy();
    await stop();
  }
}

/** The group items' stored `data` after the run, and the JSON it holds (a binary `data` is raw deflate after a format byte). */
async function reportGroupSizes(client: DynamoDBClient, table: string): Promise<void> {
  let groups = 0;
  let stored = 0;
  let json = 0;
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const data = item.data;
      if (!String(item.pk?.S).startsWith('GROUP#') || data === undefined) continue;
      groups++;
      if (data.B !== undefined) {
        stored += data.B.length;
        json += inflateRawSync(data.B.subarray(1)).length;
      } else {
        stored += Buffer.byteLength(data.S ?? '');
        json += Buffer.byteLength(data.S ?? '');
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  console.log(`  group records after the run: ${groups}, data ${Math.round(stored / groups).toLocaleString('en')} bytes stored on average (JSON ${Math.round(json / groups).toLocaleString('en')} bytes)`);
}

async function main(): Promise<void> {
  // BENCH_RULES: another rule directory (an older release's, to compare the lifecycle alone).
  const { rules, problems } = loadRulesFromDir(process.env.BENCH_RULES ?? BUNDLED_RULES_DIR);
  if (problems.length > 0) throw new Error(`shipped rules have problems: ${problems.map((p) => p.message).join('; ')}`);
  const { templates } = loadTemplates(DEFAULT_TEMPLATES_DIR);
  const events = await parse(burstLines());
  const slack = await startSlackStandIn();
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-'));
  try {
    if (ONLY === undefined || ONLY === 'sqlite') {
      const sqlite = SqliteStore.open(join(dir, 'state.db'));
      await burst('SQLite', sqlite, rules, templates, slack, events);
      await sqlite.close();
    }
    if (ONLY === undefined || ONLY === 'dynamodb') await withDynalite((store) => burst('DynamoDB (dynalite on 127.0.0.1)', store, rules, templates, slack, events));
    if (ONLY === undefined) await benchAcknowledgements({ rules, templates, slack, dir, count: SMOKE ? 20 : 500 });
  } finally {
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\npeak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
