/**
 * `klaxon replay`: the rules over past events read back from AWS, to try a new rule on last
 * week's real logs before deploying it. `replay logs` reads a log group with FilterLogEvents
 * and decodes each page as the subscription deliveries it stands for; `replay cloudtrail`
 * looks up the security-group calls with LookupEvents. Alerts are printed as `klaxon scan`
 * prints them, or with --deliver go through the lifecycle as in `klaxon run`.
 */
import { parseArgs } from 'node:util';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { describeAwsError, REGION_HINT, type AwsCallContext } from '../aws/errors';
import { logEventPages, logEventPayloads, logGroupRef, type LogGroupRef } from '../aws/log-events';
import { SYSTEM_CLOCK, TrailEventDedupe, trailEventPages, LOOKUP_EVENTS_INTERVAL_MS, type PaceClock } from '../aws/trail-events';
import { maxGroupsPerRule, stateCapLine } from './state-cap';
import { AlertEngine } from '../engine/engine';
import { parseError, type KlaxonEvent } from '../events/event';
import type { InputLocation } from '../input/location';
import { parseDuration } from '../rules/duration';
import type { CloudWatchLogsPayload } from '../sources/awslogs';
import { addSourceCountries } from '../sources/geoip';
import { decodeLogEvents, decodeTextLine, type Decoded, type DecodeOptions, type SourceChoice } from '../sources/decode';
import { ReadStats } from '../sources/read-events';
import { routeLogGroup } from '../sources/routing';
import { SECURITY_GROUP_EVENTS } from '../sources/security-group';
import { DEFAULT_STATE_PATH, openStore } from '../store/open-store';
import { AlertWriter } from './alert-writer';
import { deliveryTotals, describeStore, slackSetup, startDelivery, stillWaitingMessage, type SlackSetup } from './delivery-setup';
import { OutboxDrainer } from './outbox-drainer';
import { ONCE_WAIT_MS } from './run';
import { RUN_BATCH_EVENTS } from './event-batches';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';
import { Progress, summary } from './progress';
import type { Loaded } from './rules-dir';
import { decodeOptions, INPUT_OPTIONS, inputFlags, loadCheckedRules } from './setup';
import { terminalSafe } from './terminal-safe';
import { countText } from './count-text';

export const REPLAY_USAGE = [
  'klaxon replay logs --log-group NAME|ARN [--stream-prefix P] --since 1h|ISO [--until T] [--deliver] [--region R] [--rules DIR] [--templates DIR] [--source ssh|waf|cloudtrail|alarm|auto] [--format json|pretty] [--year YYYY]',
  '       klaxon replay cloudtrail --since 24h|ISO [--until T] [--deliver] [--region R] [--rules DIR] [--templates DIR] [--format json|pretty]',
].join('\n');

/** CloudTrail's event history (what LookupEvents reads) keeps 90 days. */
const EVENT_HISTORY_MS = 90 * 86_400_000;

export type ReplayKind = 'logs' | 'cloudtrail';

export interface ReplayFlags {
  kind: ReplayKind;
  rules?: string;
  templates?: string;
  source: SourceChoice;
  year?: number;
  /** --tz, canonical. */
  timeZone?: string;
  format: 'json' | 'pretty';
  deliver: boolean;
  region?: string;
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, inclusive. */
  until: number;
  logGroup?: string;
  streamPrefix?: string;
}

const REPLAY_OPTIONS = {
  ...INPUT_OPTIONS,
  format: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  deliver: { type: 'boolean', default: false },
  region: { type: 'string' },
  'log-group': { type: 'string' },
  'stream-prefix': { type: 'string' },
} as const;

/** The flags of `klaxon replay logs|cloudtrail …`; times are resolved against `now` (epoch ms). */
export function parseReplayArgs(args: string[], now: number): ReplayFlags {
  const [kind, ...rest] = args;
  if (kind === undefined || kind.startsWith('-')) throw new UsageError('say what to replay: logs or cloudtrail');
  if (kind !== 'logs' && kind !== 'cloudtrail') throw new UsageError(`unknown replay source "${kind}": expected logs or cloudtrail`);
  const { values: v, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: REPLAY_OPTIONS });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (kind === 'cloudtrail') {
    for (const flag of ['log-group', 'stream-prefix'] as const) if (v[flag] !== undefined) throw new UsageError(`--${flag} is for replay logs`);
  }

  const format = v.format ?? 'json';
  if (format !== 'json' && format !== 'pretty') throw new UsageError(`--format must be json or pretty, not "${format}"`);
  if (v.deliver && v.format !== undefined) throw new UsageError('--format is for printed alerts; with --deliver, alerts go to Slack (or are printed as Slack messages)');
  const input = inputFlags(v);
  const { source } = input;
  if (kind === 'cloudtrail' && source !== 'auto' && source !== 'cloudtrail') throw new UsageError(`replay cloudtrail reads CloudTrail records only; --source ${source} does not apply`);
  if (v.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v.region)) throw new UsageError(`--region must be an AWS region such as eu-west-1, not "${v.region}"`);

  if (v.since === undefined) throw new UsageError('--since is required: how far back to replay, e.g. --since 1h, --since 7d or --since 2026-11-01T00:00:00Z');
  const since = parseTime('since', v.since, now);
  const until = v.until === undefined ? now : parseTime('until', v.until, now);
  if (since >= until) throw new UsageError(`--since (${iso(since)}) must be before --until (${iso(until)})`);

  const flags: ReplayFlags = { kind, rules: v.rules, templates: v.templates, ...input, format, deliver: v.deliver, region: v.region, since, until };
  if (kind === 'logs') {
    const logGroup = v['log-group'];
    if (logGroup === undefined || logGroup.trim() === '') throw new UsageError('--log-group is required: the CloudWatch Logs group to read (its name or ARN)');
    flags.logGroup = logGroup;
    flags.streamPrefix = v['stream-prefix'];
  }
  return flags;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * A time flag: a duration back from now (`30m`, `1h`, `7d`, `1d12h`), or an ISO 8601 date
 * (`2026-11-02`, midnight UTC) or date and time with its zone (`2026-11-02T10:00:00Z`,
 * `…+01:00`). A time without a zone is refused rather than guessed.
 */
export function parseTime(flag: string, text: string, now: number): number {
  const duration = parseDuration(text);
  if (duration !== undefined && now - duration < 0) throw new UsageError(`--${flag} ${text} reaches back before 1970`);
  if (duration !== undefined) return now - duration;
  const m = ISO_TIME.exec(text);
  const ms = m === null ? NaN : Date.parse(text);
  if (m !== null && Number.isFinite(ms) && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return ms;
  const zoneless = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text) ? ' (add the zone: Z or +01:00)' : '';
  throw new UsageError(`--${flag} must be a duration back from now (30m, 1h, 7d, 1d12h) or an ISO 8601 time such as 2026-11-02T10:00:00Z, not "${text}"${zoneless}`);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** AWS clients for tests (default: built from the standard AWS settings and --region) and the clock that paces LookupEvents. */
export interface ReplayClients {
  logs?: CloudWatchLogsClient;
  cloudtrail?: CloudTrailClient;
  clock?: PaceClock;
}

/** `klaxon replay` with the standard AWS clients. */
export function replayCommand(args: string[], io: CliIo): Promise<number> {
  return replay(args, io);
}

/**
 * `klaxon replay` over the given clients. Exit 0 when the replay ran, even if some records
 * could not be parsed (reported on stderr); 1 when the rules are invalid, AWS refused (what
 * was read until then is still processed) or Slack stayed unreachable.
 */
export async function replay(args: string[], io: CliIo, clients: ReplayClients = {}): Promise<number> {
  const flags = parseReplayArgs(args, (io.now ?? Date.now)());
  const env = io.env ?? process.env;
  const loaded = await loadCheckedRules('replay', flags, io);
  if (loaded === undefined) return EXIT_FAILED;
  const options = decodeOptions(flags, io);
  const slack = flags.deliver ? slackSetup('replay', env, loaded.rules, io) : undefined;

  const reader = flags.kind === 'logs' ? new LogsReplay(flags, options, clients) : new TrailReplay(flags, options, clients, io);
  const region = await reader.region();
  if (region === undefined) {
    await write(io.stderr, `klaxon replay: no AWS region: ${REGION_HINT}\n`);
    return EXIT_FAILED;
  }
  for (const line of reader.describe(region)) await write(io.stderr, `klaxon replay: ${line}\n`);

  const stats = new ReadStats(20);
  const progress = new Progress(io.stderr, stats);
  const output = flags.deliver ? await deliverOutput(io, env, loaded, slack, region) : printOutput(io, flags.format, loaded);
  let failed = false;
  try {
    let refused: string | undefined;
    try {
      await reader.read(stats, () => progress.tick(), (events) => {
        addSourceCountries(events);
        return output.add(events);
      });
    } catch (err) {
      refused = describeAwsError(err, reader.context(region));
      if (refused === undefined) throw err;
    }
    progress.done();
    if (refused !== undefined) {
      const partial = stats.units > 0 ? 'klaxon replay: stopped early; the results are from what was read until then\n' : '';
      await write(io.stderr, `klaxon replay: ${terminalSafe(refused)}\n${partial}`);
      failed = true;
    }
    if (!(await output.finish())) failed = true;
  } finally {
    await output.close();
  }
  await write(io.stderr, replaySummary(reader.summary(stats), stats, output.alerts?.()));
  if (output.totals !== undefined) await write(io.stderr, output.totals());
  return failed ? EXIT_FAILED : EXIT_OK;
}

/** The closing report of `klaxon scan` (events, skipped, unparsable with where, alerts), with what the replay read in place of files. */
function replaySummary(read: string, stats: ReadStats, alerts: number | undefined): string {
  return summary(stats, read, alerts, 'replay');
}

/** Where replayed events go: printed alerts, or the lifecycle. */
interface ReplayOutput {
  add(events: KlaxonEvent[]): Promise<void> | void;
  /** Ends the output; false when something could not be delivered yet (said on stderr). */
  finish(): Promise<boolean>;
  close(): Promise<void>;
  alerts?: () => number;
  totals?: () => string;
  storeName?: string;
}

/** As `klaxon scan`: the engine with no state, alerts printed once they can no longer change. */
function printOutput(io: CliIo, format: 'json' | 'pretty', loaded: Loaded): ReplayOutput {
  const alerts = new AlertWriter(io, format, loaded.templates);
  const cap = maxGroupsPerRule(io.env ?? process.env);
  const engine = new AlertEngine(loaded.rules, { onClosed: (alert) => alerts.add(alert), maxGroupsPerRule: cap });
  return {
    add(events) {
      for (const e of events) engine.process(e);
      return alerts.flush();
    },
    async finish() {
      engine.finish();
      await alerts.flush();
      return true;
    },
    close: async () => undefined,
    alerts: () => alerts.written,
    totals: () => stateCapLine(engine, cap),
  };
}

/** As `klaxon run --once`: state in the store (KLAXON_TABLE, else SQLite), Slack or the terminal. */
async function deliverOutput(io: CliIo, env: NodeJS.ProcessEnv, loaded: Loaded, slack: SlackSetup | undefined, region: string): Promise<ReplayOutput> {
  const store = openStore(env);
  const storeName = describeStore(env, env.KLAXON_STATE || DEFAULT_STATE_PATH);
  await write(io.stderr, `klaxon replay: state in ${storeName}\n`);
  const { batches, lifecycle } = await startDelivery('replay', { env, io, loaded, store, slack, region });
  const outbox = new OutboxDrainer(lifecycle, store, (line) => void write(io.stderr, `klaxon replay: ${line}\n`), storeName);
  return {
    add: (events) => batches.add(events),
    finish: async () => {
      await batches.flush();
      const status = await outbox.settle(ONCE_WAIT_MS);
      if (status.waiting > 0) {
        await write(io.stderr, stillWaitingMessage('replay', status, storeName));
        return false;
      }
      return true;
    },
    close: () => store.close(),
    totals: () => deliveryTotals('replay', batches.totals, slack),
    storeName,
  };
}

/** One kind of replay: where it reads, what it says about it, and the reading. */
interface Reader {
  /** The region the client will call, or undefined when none is configured. */
  region(): Promise<string | undefined>;
  describe(region: string): string[];
  context(region: string): AwsCallContext;
  /** Reads everything, handing decoded events to `onEvents` (awaited); throws what AWS throws. */
  read(stats: ReadStats, tick: () => void, onEvents: (events: KlaxonEvent[]) => Promise<void> | void): Promise<void>;
  /** The "read" part of the closing report. */
  summary(stats: ReadStats): string;
}

async function clientRegion(client: CloudWatchLogsClient | CloudTrailClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}

/** A replayed event is not from a file: it keeps the CloudWatch/CloudTrail fields, not `log.file.path`/`log.offset`. */
function notFromFile(events: KlaxonEvent[]): KlaxonEvent[] {
  for (const e of events) {
    delete e.fields['log.file.path'];
    delete e.fields['log.offset'];
  }
  return events;
}

/** The parsers are written never to throw; as in `klaxon scan`, one record can still never sink the replay. */
function guarded(count: number, location: InputLocation, decode: () => Decoded[]): Decoded[] {
  try {
    return decode();
  } catch (err) {
    const result = parseError(`could not be read: ${err instanceof Error ? err.message : String(err)}`);
    return Array.from({ length: count }, () => ({ location, result }));
  }
}

class LogsReplay implements Reader {
  private readonly group: LogGroupRef;
  private readonly client: CloudWatchLogsClient;
  private pages = 0;

  constructor(
    private readonly flags: ReplayFlags,
    private readonly options: DecodeOptions,
    clients: ReplayClients,
  ) {
    this.group = logGroupRef(flags.logGroup as string);
    const region = flags.region ?? this.group.region;
    this.client = clients.logs ?? new CloudWatchLogsClient(region === undefined ? {} : { region });
  }

  region(): Promise<string | undefined> {
    return clientRegion(this.client);
  }

  describe(region: string): string[] {
    const { source, routes } = this.options;
    const routed = routeLogGroup(this.group.name, routes);
    const parser = source !== 'auto' ? `as ${source} (--source)` : routed !== undefined ? `as ${routed} (by its name)` : 'sniffing each message (no route names it: set KLAXON_LOG_GROUP_SOURCES or --source)';
    const streams = this.flags.streamPrefix === undefined ? '' : `, streams starting with "${this.flags.streamPrefix}"`;
    return [`reading log group ${this.group.name} in ${region}${streams}, ${iso(this.flags.since)} to ${iso(this.flags.until)}, ${parser}`];
  }

  context(region: string): AwsCallContext {
    return { action: 'logs:FilterLogEvents', region, resource: `log group "${this.group.name}"` };
  }

  async read(stats: ReadStats, tick: () => void, onEvents: (events: KlaxonEvent[]) => Promise<void> | void): Promise<void> {
    const query = { logGroup: this.flags.logGroup as string, streamPrefix: this.flags.streamPrefix, startTime: this.flags.since, endTime: this.flags.until };
    let read = 0;
    for await (const page of logEventPages(this.client, query)) {
      this.pages++;
      const events: KlaxonEvent[] = [];
      for (const payload of logEventPayloads(this.group.name, this.group.account ?? '', page)) {
        for (const d of this.decode(payload, read)) {
          stats.record(d);
          if (d.result.status === 'ok') events.push(...notFromFile(d.result.events));
        }
        read += payload.logEvents.length;
      }
      tick();
      if (events.length > 0) await onEvents(events);
    }
  }

  /**
   * One payload, decoded as a subscription delivery is. For problems, each log event is
   * `logs:GROUP/STREAM:N at TIME`: the N-th event of the replay, and its time.
   */
  private decode(payload: CloudWatchLogsPayload, before: number): Decoded[] {
    const path = `logs:${payload.logGroup}/${payload.logStream}`;
    const decoded = guarded(payload.logEvents.length, { path, line: before + 1, offset: 0 }, () => decodeLogEvents(payload, { path, line: before + 1, offset: 0 }, this.options));
    return decoded.map((d, i) => ({ location: { path, line: before + i + 1, offset: 0 }, part: `at ${iso(payload.logEvents[i]?.timestamp ?? 0)}`, result: d.result }));
  }

  summary(stats: ReadStats): string {
    return `${this.pages} page${this.pages === 1 ? '' : 's'} of FilterLogEvents, ${countText(stats.units)} log event${stats.units === 1 ? '' : 's'} read from ${this.group.name}`;
  }
}

class TrailReplay implements Reader {
  private readonly client: CloudTrailClient;
  private readonly eventNames = [...SECURITY_GROUP_EVENTS];
  private readonly dedupe = new TrailEventDedupe();
  private pages = 0;

  constructor(
    private readonly flags: ReplayFlags,
    private readonly options: DecodeOptions,
    private readonly clients: ReplayClients,
    private readonly io: CliIo,
  ) {
    this.client = clients.cloudtrail ?? new CloudTrailClient(flags.region === undefined ? {} : { region: flags.region });
  }

  region(): Promise<string | undefined> {
    return clientRegion(this.client);
  }

  describe(region: string): string[] {
    const lines = [
      `looking up ${this.eventNames.length} security-group event names in CloudTrail's event history in ${region}, ${iso(this.flags.since)} to ${iso(this.flags.until)} (LookupEvents, ${1000 / LOOKUP_EVENTS_INTERVAL_MS} calls a second)`,
    ];
    if (this.flags.since < (this.io.now ?? Date.now)() - EVENT_HISTORY_MS) lines.push("CloudTrail's event history keeps 90 days: older events are only in a trail's log files");
    return lines;
  }

  context(region: string): AwsCallContext {
    return { action: 'cloudtrail:LookupEvents', region };
  }

  /** Reads every page first, then hands the events on oldest first: LookupEvents returns each name's events newest first. */
  async read(stats: ReadStats, tick: () => void, onEvents: (events: KlaxonEvent[]) => Promise<void> | void): Promise<void> {
    const events: KlaxonEvent[] = [];
    let failure: unknown;
    try {
      await this.lookUp(stats, tick, events);
    } catch (err) {
      failure = err;
    }
    events.sort((a, b) => a.timestamp - b.timestamp || String(a.fields['event.id']).localeCompare(String(b.fields['event.id'])));
    for (let i = 0; i < events.length; i += RUN_BATCH_EVENTS) await onEvents(events.slice(i, i + RUN_BATCH_EVENTS));
    if (failure !== undefined) throw failure;
  }

  private async lookUp(stats: ReadStats, tick: () => void, into: KlaxonEvent[]): Promise<void> {
    const options: DecodeOptions = { ...this.options, source: 'cloudtrail' };
    const read = new Map<string, number>();
    const query = { eventNames: this.eventNames, startTime: new Date(this.flags.since), endTime: new Date(this.flags.until) };
    const onThrottled = (ms: number, attempt: number) => void write(this.io.stderr, `klaxon replay: LookupEvents was throttled; retry ${attempt} in ${ms / 1000} s\n`);
    for await (const page of trailEventPages(this.client, query, { clock: this.clients.clock ?? SYSTEM_CLOCK, onThrottled })) {
      this.pages++;
      for (const event of this.dedupe.fresh(page.events)) {
        const n = (read.get(page.eventName) ?? 0) + 1;
        read.set(page.eventName, n);
        const location = { path: `cloudtrail:${page.eventName}`, line: n, offset: 0 };
        const record = event.CloudTrailEvent;
        const decoded: Decoded[] =
          record === undefined ? [{ location, result: parseError('LookupEvents returned the event without its CloudTrailEvent record') }] : guarded(1, location, () => decodeTextLine(record, location, options));
        for (const d of decoded) {
          stats.record({ ...d, part: d.part ?? (event.EventId === undefined ? undefined : `event ${event.EventId}`) });
          if (d.result.status !== 'ok') continue;
          for (const e of notFromFile(d.result.events)) {
            if (e.fields['event.id'] === undefined && event.EventId !== undefined) e.fields['event.id'] = event.EventId;
            into.push(e);
          }
        }
      }
      tick();
    }
  }

  summary(stats: ReadStats): string {
    const duplicates = this.dedupe.duplicates === 0 ? '' : ` (${this.dedupe.duplicates} duplicate${this.dedupe.duplicates === 1 ? '' : 's'} dropped)`;
    return `${this.eventNames.length} event names looked up in ${this.pages} page${this.pages === 1 ? '' : 's'} of LookupEvents, ${countText(stats.units)} CloudTrail event${stats.units === 1 ? '' : 's'} read${duplicates}`;
  }
}
