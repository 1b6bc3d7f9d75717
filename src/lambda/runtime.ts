/**
 * What every handler shares for the life of a Lambda container: the rules and templates
 * (packaged into the bundle at build time), the DynamoDB store, and the Slack client
 * built from the bot token in SSM. Handlers stay thin: decode their trigger, call
 * `processDecoded`, return.
 */
import type { Context } from 'aws-lambda';
import type { WebClient } from '@slack/web-api';
import { AlertLifecycle, type BatchReport } from '../alerts/lifecycle';
import { describeLocation } from '../input/location';
import type { CompiledRule } from '../rules/types';
import { createSlackClient } from '../slack/client';
import { SlackNotifier } from '../slack/notifier';
import type { TemplateSet } from '../slack/template-set';
import type { DecodeOptions, Decoded } from '../sources/decode';
import { ReadStats } from '../sources/read-events';
import { DEFAULT_ROUTES, parseRoutes } from '../sources/routing';
import { DynamoStore } from '../store/dynamodb';
import type { StateStore } from '../store/types';
import { compilePackagedRules, type PackagedRules } from './packaged-rules';
import { BOT_TOKEN_PARAMETER_VAR, readSecret } from './secrets';
import { logger, metrics, recordBatch } from './telemetry';

/** Problems logged per invocation; the counts cover the rest. */
const LOGGED_PROBLEMS = 10;

export interface Runtime {
  rules: readonly CompiledRule[];
  templates: TemplateSet;
  store: StateStore;
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
 * KLAXON_TABLE. Throws RuntimeConfigError listing every problem.
 */
export function createRuntime(packaged: PackagedRules, env: NodeJS.ProcessEnv = process.env): Runtime {
  const compiled = compilePackagedRules(packaged);
  const table = env.KLAXON_TABLE?.trim();
  if (table === undefined || table === '') throw new RuntimeConfigError('KLAXON_TABLE is not set: it names the DynamoDB state table (serverless.yml sets it)');
  const routes = parseRoutes(env.KLAXON_LOG_GROUP_SOURCES ?? '');
  if (routes.problems.length > 0) throw new RuntimeConfigError(`KLAXON_LOG_GROUP_SOURCES: ${routes.problems.join('; ')}`);

  let current: SlackContext | undefined;
  return {
    rules: compiled.rules,
    templates: compiled.templates,
    store: new DynamoStore({ tableName: table }),
    env,
    decodeOptions: () => ({ source: 'auto', now: Date.now(), routes: [...routes.routes, ...DEFAULT_ROUTES] }),
    async slack() {
      const token = await readSecret(BOT_TOKEN_PARAMETER_VAR, env);
      if (current?.token !== token) {
        const sink = { warn: (line: string) => logger.warn(line), error: (line: string) => logger.error(line) };
        const apiUrl = env.SLACK_API_URL?.trim();
        const client = createSlackClient({ token, logger: sink, ...(apiUrl ? { apiUrl } : {}) });
        current = { client, token, notifier: new SlackNotifier(client, compiled.templates, { defaultRegion: env.AWS_REGION }) };
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
    invocationId: `lambda:${runtime.env.AWS_LAMBDA_FUNCTION_NAME ?? 'klaxon'}:${requestId}`,
  });
}

export interface InvocationSummary {
  records: number;
  events: number;
  parseErrors: number;
  skipped: number;
  report?: BatchReport;
}

/**
 * One invocation's decoded input through the lifecycle; `origin` names the input in logs
 * (a log group and stream, an EventBridge rule, an SNS topic). Bad records are counted and logged
 * (with where they were), never thrown: the good part of a batch always goes through. A
 * failure to reach Slack or the table throws, so Lambda retries the invocation (idempotently)
 * and finally hands it to the dead-letter queue.
 */
export async function processDecoded(runtime: Runtime, decoded: readonly Decoded[], context: Context, origin: string): Promise<InvocationSummary> {
  // Every line of this invocation carries its request id (and cold start flag).
  logger.addContext(context);
  const stats = new ReadStats(LOGGED_PROBLEMS);
  const events = decoded.flatMap((d) => {
    stats.record(d);
    return d.result.status === 'ok' ? d.result.events : [];
  });
  for (const problem of stats.problems) {
    logger.warn('record not parsed', { origin, part: problem.part ?? describeLocation(problem.location), problem: problem.message });
  }
  let report: BatchReport | undefined;
  try {
    if (events.length > 0) report = await lifecycleFor(runtime, await runtime.slack(), context.awsRequestId).processBatch(events);
  } finally {
    recordBatch(stats, report);
    metrics.publishStoredMetrics();
  }
  const summary: InvocationSummary = { records: stats.units, events: stats.events, parseErrors: stats.errors, skipped: stats.skipped, ...(report ? { report } : {}) };
  logger.info('batch processed', { origin, ...summary });
  return summary;
}
