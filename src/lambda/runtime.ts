/**
 * What every handler shares for the life of a Lambda container: the rules and templates
 * (packaged into the bundle at build time), the DynamoDB store, and the Slack client
 * built from the bot token in SSM. Handlers stay thin: decode their trigger, call
 * `processDecoded`, return.
 */
import type { Context } from 'aws-lambda';
import type { WebClient } from '@slack/web-api';
import { InputKeys } from '../alerts/input-keys';
import { AlertLifecycle, type BatchReport, type DrainReport } from '../alerts/lifecycle';
import type { KlaxonEvent } from '../events/event';
import { describeLocation } from '../input/location';
import type { CompiledRule } from '../rules/types';
import { createSlackClient, OUTBOX_CLIENT_OPTIONS } from '../slack/client';
import { SlackNotifier } from '../slack/notifier';
import type { TemplateSet } from '../slack/template-set';
import { AccountDirectory, type AccountDirectoryData } from '../sources/accounts';
import type { DecodeOptions, Decoded } from '../sources/decode';
import { addSourceCountries } from '../sources/geoip';
import { zoneSettings } from '../sources/log-group-zones';
import { ReadStats } from '../sources/read-events';
import { DEFAULT_ROUTES, parseRoutes } from '../sources/routing';
import { DynamoStore } from '../store/dynamodb';
import type { StateStore } from '../store/types';
import { packagedAccounts } from './packaged-accounts';
import { compilePackagedRules, type PackagedRules } from './packaged-rules';
import { BOT_TOKEN_PARAMETER_VAR, readSecret } from './secrets';
import { logger, metrics, recordBatch, recordDrain } from './telemetry';
import { timeSkewWarner } from './time-skew-warning';

/** Problems logged per invocation; the counts cover the rest. */
const LOGGED_PROBLEMS = 10;

export interface Runtime {
  rules: readonly CompiledRule[];
  templates: TemplateSet;
  store: StateStore;
  /** Names and channels per AWS account (stage config `accounts:`). */
  accounts: AccountDirectory;
  env: NodeJS.ProcessEnv;
  /** The decoding options for an invocation starting now. */
  decodeOptions(): DecodeOptions;
  /** The Slack client and notifier for the current bot token. */
  slack(): Promise<SlackContext>;
}

export interface SlackContext {
  client: WebClient;
  notifier: SlackNotifier;
  token: string;
}

/** A deployment that cannot work as packaged (a bad rule file, a missing setting): fails the cold start loudly. */
export class RuntimeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeConfigError';
  }
}

/**
 * Compiles the rules and templates packaged into the bundle and opens the table named by
 * KLAXON_TABLE; `accounts` is the stage's account directory, built into the bundle too.
 * Auth-log lines without an offset are read in the zones of KLAXON_LOG_GROUP_TIMEZONES (per log
 * group, from the stage config) or KLAXON_SYSLOG_TZ, else UTC.
 * Throws RuntimeConfigError listing every problem.
 */
export function createRuntime(packaged: PackagedRules, env: NodeJS.ProcessEnv = process.env, accounts: AccountDirectoryData = packagedAccounts()): Runtime {
  const compiled = compilePackagedRules(packaged);
  const table = env.KLAXON_TABLE?.trim();
  if (table === undefined || table === '') throw new RuntimeConfigError('KLAXON_TABLE is not set: it names the DynamoDB state table (serverless.yml sets it)');
  const routes = parseRoutes(env.KLAXON_LOG_GROUP_SOURCES ?? '');
  if (routes.problems.length > 0) throw new RuntimeConfigError(`KLAXON_LOG_GROUP_SOURCES: ${routes.problems.join('; ')}`);
  const { problems: zoneProblems, ...zones } = zoneSettings(env);
  if (zoneProblems.length > 0) throw new RuntimeConfigError(zoneProblems.join('; '));

  let current: SlackContext | undefined;
  return {
    rules: compiled.rules,
    templates: compiled.templates,
    store: new DynamoStore({ tableName: table }),
    accounts: new AccountDirectory(accounts, env.AWS_REGION),
    env,
    // A fresh skew warner per invocation: each log group's zone warning is logged once per invocation.
    decodeOptions: () => ({ source: 'auto', now: Date.now(), routes: [...routes.routes, ...DEFAULT_ROUTES], ...zones, onTimeSkew: timeSkewWarner() }),
    async slack() {
      const token = await readSecret(BOT_TOKEN_PARAMETER_VAR, env);
      if (current?.token !== token) {
        const sink = { warn: (line: string) => logger.warn(line), error: (line: string) => logger.error(line) };
        const apiUrl = env.SLACK_API_URL?.trim();
        const client = createSlackClient({ token, logger: sink, ...(apiUrl ? { apiUrl } : {}) });
        // The outbox sends one request per attempt and schedules retries itself.
        const outbox = createSlackClient({ token, logger: sink, ...OUTBOX_CLIENT_OPTIONS, ...(apiUrl ? { apiUrl } : {}) });
        current = { client, token, notifier: new SlackNotifier(outbox, compiled.templates, { defaultRegion: env.AWS_REGION }) };
      }
      return current;
    },
  };
}

/** The lifecycle for one invocation: its request id names its posting claims. */
export function lifecycleFor(runtime: Runtime, slack: SlackContext, requestId: string): AlertLifecycle {
  return new AlertLifecycle({
    store: runtime.store,
    rules: runtime.rules,
    notifier: slack.notifier,
    defaultChannel: runtime.env.SLACK_CHANNEL?.trim() ?? '',
    accountChannel: (alert) => (alert.samples[0] === undefined ? undefined : runtime.accounts.channelFor(alert.samples[0])),
    invocationId: `lambda:${runtime.env.AWS_LAMBDA_FUNCTION_NAME ?? 'klaxon'}:${requestId}`,
  });
}

export interface InvocationSummary {
  records: number;
  events: number;
  parseErrors: number;
  /** Lines whose message Klaxon does not know (events with the header fields only). */
  generic: number;
  skipped: number;
  report?: BatchReport;
}

/** How an invocation treats messages of its batch that Slack has not taken yet. */
export interface ProcessOptions {
  /**
   * true (asynchronous invocations): throw UndeliveredError, so that Lambda retries soon.
   * false (a stream): return; the drain function delivers them, and the shard moves on.
   */
  retryUndelivered: boolean;
}

/**
 * One invocation's decoded input through the lifecycle; `origin` names the input in logs
 * (a log group and stream, an EventBridge rule, an SNS topic). Bad records are counted and logged
 * (with where they were), never thrown: the good part of a batch always goes through. A
 * failure to reach the table throws, and so (`retryUndelivered`) does a message of this batch
 * that Slack has not taken yet (it waits in the outbox): Lambda retries the invocation
 * (idempotently), and the drain function delivers the outbox every minute whatever becomes of
 * the retries.
 */
export async function processDecoded(
  runtime: Runtime,
  decoded: readonly Decoded[],
  context: Context,
  origin: string,
  options: ProcessOptions = { retryUndelivered: true },
): Promise<InvocationSummary> {
  // Every line of this invocation carries its request id (and cold start flag).
  logger.addContext(context);
  const stats = new ReadStats(LOGGED_PROBLEMS);
  const keys = new InputKeys();
  const events: KlaxonEvent[] = [];
  const eventKeys: string[] = [];
  for (const d of decoded) {
    stats.record(d);
    if (d.result.status !== 'ok') continue;
    // Each decoded record's events are numbered within it: the same record twice in one batch counts once.
    keys.record();
    for (const event of d.result.events) {
      events.push(event);
      eventKeys.push(keys.next(event));
    }
  }
  runtime.accounts.name(events);
  addSourceCountries(events, (problem) => logger.warn(problem.message));
  for (const problem of stats.problems) {
    logger.warn('record not parsed', { origin, part: problem.part ?? describeLocation(problem.location), problem: problem.message });
  }
  let report: BatchReport | undefined;
  try {
    if (events.length > 0) report = await lifecycleFor(runtime, await runtime.slack(), context.awsRequestId).processBatch(events, eventKeys);
  } finally {
    recordBatch(stats, report);
    metrics.publishStoredMetrics();
  }
  const summary: InvocationSummary = { records: stats.units, events: stats.events, parseErrors: stats.errors, generic: stats.generic, skipped: stats.skipped, ...(report ? { report } : {}) };
  logger.info('batch processed', { origin, ...summary, ...(report?.failure ? { report: { ...report, failure: report.failure.message } } : {}) });
  if (report !== undefined && report.waiting > 0) {
    if (options.retryUndelivered) throw new UndeliveredError(report);
    logger.warn('alert messages wait in the outbox: the drain function delivers them', { origin, waiting: report.waiting, reason: report.failure?.message });
  }
  if (report !== undefined && report.parked > 0) logger.error('Slack refused alert messages for good: they are parked', { origin, parked: report.parked, reason: report.failure?.message });
  return summary;
}

/** Thrown when messages of the batch still wait for Slack: Lambda retries the invocation; nothing is lost meanwhile. */
export class UndeliveredError extends Error {
  override name = 'UndeliveredError';
  constructor(report: BatchReport) {
    super(
      `${report.waiting} alert message(s) of this batch are not in Slack yet (${report.failure?.message ?? 'waiting for their retry time'}); they wait in the outbox: this invocation's retry or the drain function delivers them`,
    );
  }
}

/** The scheduled drain: delivers what waits in the outbox, and reports the backlog as metrics. */
export async function drainOutbox(runtime: Runtime, context: Context, limit = DRAIN_LIMIT): Promise<DrainReport> {
  logger.addContext(context);
  const lifecycle = lifecycleFor(runtime, await runtime.slack(), context.awsRequestId);
  const report = await lifecycle.drain(limit);
  const backlog = await runtime.store.listPendingGroups(Date.now());
  const oldest = backlog[0]?.pendingSince;
  recordDrain(report, backlog.length, oldest === undefined ? 0 : Math.max(0, Date.now() - oldest));
  metrics.publishStoredMetrics();
  const line = { ...report, failure: report.failure?.message, backlogGroups: backlog.length, oldestWaitingSince: oldest === undefined ? undefined : new Date(oldest).toISOString() };
  if (report.waiting > 0 || report.parked > 0) logger.warn('outbox not empty after drain', line);
  else logger.info('outbox drained', line);
  return report;
}

/** Groups one drain delivers at most: a minute's work for one invocation. */
export const DRAIN_LIMIT = 200;
