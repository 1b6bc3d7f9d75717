/**
 * `klaxon run`: Klaxon's main job on one machine. Reads log files (or follows them as they
 * grow), runs the rules, keeps alert state in SQLite (or DynamoDB with KLAXON_TABLE), and
 * posts to Slack when SLACK_BOT_TOKEN is set; otherwise prints what it would post. With
 * Slack, it also serves the Acknowledge/Silence buttons and `/klaxon` (Socket Mode with
 * SLACK_APP_TOKEN, else HTTP on PORT) until stopped, unless --once.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseError } from '../events/event';
import { MAX_LINE_BYTES } from '../input/lines';
import { decodeTextLine, type Decoded } from '../sources/decode';
import { addSourceCountries } from '../sources/geoip';
import { followFile, type FollowHandle } from '../input/follow';
import { InputReadError } from '../input/open';
import type { DecodeOptions } from '../sources/decode';
import { readEvents, ReadStats } from '../sources/read-events';
import { openStore, DEFAULT_STATE_PATH } from '../store/open-store';
import type { StateStore } from '../store/types';
import type { EventBatches } from './event-batches';
import type { OutboxStatus } from '../alerts/outbox';
import { deliveryTotals, slackSetup, startDelivery, describeStore, stillWaitingMessage } from './delivery-setup';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';
import { OutboxDrainer } from './outbox-drainer';
import { summary } from './progress';
import { plural } from '../slack/status';
import { SAMPLE_FILES, SAMPLES_DIR } from './scan';
import { decodeOptions, INPUT_OPTIONS, inputFlags, loadCheckedRules } from './setup';
import { listenPort, startInteractions, type InteractionServer, type InteractionSetup } from './interactions-server';
import { startLocalPage, type LocalPageSetup } from './local-page';
import { operatorName } from './operate';

export const RUN_USAGE = 'klaxon run [--rules DIR] [--templates DIR] [--source ssh|waf|cloudtrail|alarm|auto] [--year YYYY] [--follow] [--once] [--serve] [FILE...] (no FILE: replay the bundled samples; --serve without SLACK_BOT_TOKEN: the alerts and their buttons at http://127.0.0.1:PORT/ until Ctrl-C)';

/** Where the sample replay keeps its state: its own file, started afresh each time, so `npm start` always shows the alerts. */
export const SAMPLES_STATE_FILE = 'samples.db';

interface RunFlags {
  rules?: string;
  templates?: string;
  source: DecodeOptions['source'];
  year?: number;
  /** --tz, canonical. */
  timeZone?: string;
  follow: boolean;
  once: boolean;
  serve: boolean;
  files: string[];
}

function parseRunArgs(args: string[]): RunFlags {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ...INPUT_OPTIONS,
      follow: { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
      serve: { type: 'boolean', default: false },
    },
  });
  if (values.serve && values.once) throw new UsageError('--serve and --once exclude each other');
  if (values.follow && values.once) throw new UsageError('--follow and --once exclude each other');
  if (values.follow && positionals.length === 0) throw new UsageError('--follow needs the FILEs to follow');
  if (values.follow && positionals.includes('-')) throw new UsageError('--follow cannot follow stdin');
  return { rules: values.rules, templates: values.templates, ...inputFlags(values), follow: values.follow, once: values.once, serve: values.serve, files: positionals };
}

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const flags = parseRunArgs(args);
  const env = io.env ?? process.env;
  const loaded = await loadCheckedRules('run', flags, io);
  if (loaded === undefined) return EXIT_FAILED;
  const options = decodeOptions(flags, io);
  const samples = flags.files.length === 0;
  const files = samples ? SAMPLE_FILES : flags.files;
  const slack = slackSetup('run', env, loaded.rules, io);

  const store = openRunStore(env, samples);
  const storeName = describeStore(env, store.path);
  if (samples) await write(io.stderr, `klaxon run: no FILE given, replaying the bundled samples in ${SAMPLES_DIR} (state: ${storeName}, started afresh)\n`);
  else await write(io.stderr, `klaxon run: state in ${storeName}\n`);

  const { notifier, lifecycle, batches } = await startDelivery('run', { env, io, loaded, store: store.store, slack });
  const stats = new ReadStats(20);
  const say = (line: string) => void write(io.stderr, `klaxon run: ${line}\n`);
  const outbox = new OutboxDrainer(lifecycle, store.store, say, storeName);
  batches.onReport = (report) => {
    if (report.parked > 0) say(`Slack refused ${plural(report.parked, 'alert message')} for good (${report.failure?.message ?? 'refused'}): parked, the others go on`);
  };
  let server: InteractionServer | undefined;
  let unreadable = false;
  let waiting: OutboxStatus | undefined;
  try {
    if (slack !== undefined && !flags.once) server = await startInteractionsOrWarn({ env, io, store: store.store, lifecycle, notifier, rules: loaded.rules, slackClient: slack.client }, say);
    if (slack === undefined && (flags.serve || flags.follow)) server = await startLocalPageOrWarn({ store: store.store, lifecycle, notifier, rules: loaded.rules, templates: loaded.templates, operator: operatorName(), port: listenPort(env), log: say }, flags.serve);
    // Delivery goes on in the background: an outage of Slack delays alerts, never the reading.
    outbox.start();
    if (flags.follow) await followAll(files, options, stats, batches, io);
    else unreadable = await readAll(files, options, stats, batches, io);
    await batches.flush();
    if (server !== undefined && !flags.follow) await server.waitForStop();
    await outbox.stop();
    waiting = await outbox.settle(flags.follow || server !== undefined ? 0 : ONCE_WAIT_MS);
  } finally {
    await outbox.stop();
    await server?.stop();
    await store.store.close();
  }
  await write(io.stderr, summary(stats, files.length, undefined, 'run'));
  await write(io.stderr, deliveryTotals('run', batches.totals, slack));
  if (waiting !== undefined && waiting.waiting > 0) await write(io.stderr, stillWaitingMessage('run', waiting, storeName));
  const parked = batches.totals.parked + outbox.parked;
  return unreadable || parked > 0 || (waiting !== undefined && waiting.waiting > 0) ? EXIT_FAILED : EXIT_OK;
}

/** How long a run that ends (`--once`, or no interactions to serve) keeps trying what waits for Slack before it exits saying so. */
export const ONCE_WAIT_MS = 10_000;

/** The interaction server; a failure to start it (Slack unreachable, a bad token) is said and does not stop the run: alerts still wait in the outbox. */
async function startInteractionsOrWarn(setup: InteractionSetup, say: (line: string) => void): Promise<InteractionServer | undefined> {
  try {
    return await startInteractions(setup);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    say(`Acknowledge and Silence are off for this run: the Slack app could not start (${err instanceof Error ? err.message : String(err)}); alerts still go out`);
    return undefined;
  }
}

/** The local page; when it cannot listen (the port is taken), `--serve` fails as a usage error and `--follow` goes on without it. */
async function startLocalPageOrWarn(setup: LocalPageSetup, required: boolean): Promise<InteractionServer | undefined> {
  try {
    const page = await startLocalPage(setup);
    setup.log(`no SLACK_BOT_TOKEN: the alerts, with working Acknowledge and Silence, are at ${page.url} (Ctrl-C to stop)`);
    return page;
  } catch (err) {
    const why = `the local page could not listen on 127.0.0.1:${setup.port} (${err instanceof Error ? err.message : String(err)}); set PORT to a free port`;
    if (required) throw new UsageError(why);
    setup.log(`${why}; following without it`);
    return undefined;
  }
}

/** Reads each file once; true when one could not be read. */
async function readAll(files: readonly string[], options: DecodeOptions, stats: ReadStats, batches: EventBatches, io: CliIo): Promise<boolean> {
  let unreadable = false;
  for (const file of files) {
    try {
      await readEvents(file, io.stdin, options, stats, (events) => batches.add(events));
    } catch (err) {
      if (!(err instanceof InputReadError)) throw err;
      unreadable = true;
      await write(io.stderr, `klaxon run: ${err.message}\n`);
    }
  }
  return unreadable;
}

/** Follows the files (existing content first) until SIGINT or SIGTERM. */
async function followAll(files: readonly string[], options: DecodeOptions, stats: ReadStats, batches: EventBatches, io: CliIo): Promise<void> {
  const followers: FollowHandle[] = files.map((path) =>
    followFile(path, {
      fromStart: true,
      onLines: (lines) => {
        for (const line of lines) {
          const decoded: Decoded[] = line.truncated === true ? [{ location: line.location, result: parseError(`line longer than ${MAX_LINE_BYTES} bytes`) }] : decodeTextLine(line.text, line.location, options);
          for (const d of decoded) {
            stats.record(d);
            if (d.result.status === 'ok') {
              addSourceCountries(d.result.events);
              void batches.add(d.result.events);
            }
          }
        }
        return batches.flush();
      },
      onNotice: (notice) => void write(io.stderr, `klaxon run: ${notice.path}: ${notice.message}\n`),
    }),
  );
  const stop = () => void Promise.all(followers.map((f) => f.stop()));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await Promise.all(followers.map((f) => f.ready));
    await write(io.stderr, `klaxon run: following ${files.length} file${files.length === 1 ? '' : 's'}; Ctrl-C to stop\n`);
    await Promise.all(followers.map((f) => f.done));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await Promise.all(followers.map((f) => f.stop()));
  }
}

/** The store: KLAXON_TABLE / KLAXON_STATE as configured; the sample replay gets its own fresh file unless KLAXON_STATE is set. */
function openRunStore(env: NodeJS.ProcessEnv, samples: boolean): { store: StateStore; path: string } {
  if (!samples || env.KLAXON_STATE || env.KLAXON_TABLE) return { store: openStore(env), path: env.KLAXON_STATE || DEFAULT_STATE_PATH };
  const path = join(dirname(DEFAULT_STATE_PATH), SAMPLES_STATE_FILE);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return { store: openStore({ ...env, KLAXON_STATE: path }), path };
}
