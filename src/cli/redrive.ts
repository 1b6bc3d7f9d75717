/**
 * `klaxon redrive`: sends a stage's dead letters through Klaxon again. Each message of the
 * queue `klaxon-<stage>-dead-letters` is a Lambda on-failure record; its original event is
 * replayed by invoking the failed function synchronously, and the message is deleted once that
 * succeeds. The handlers remember the input they processed, so a replay never posts twice.
 *
 * Exit 0 when every record replayed (or, with --dry-run, was listed); 1 when one still fails or
 * AWS refused a call; 2 on a usage error. Records of functions that are not this stage's and
 * messages that are not on-failure records are skipped and left in the queue.
 */
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient, type Message } from '@aws-sdk/client-sqs';
import { describeAwsError, REGION_HINT } from '../aws/errors';
import { deleteMessage, invokeAgain, parseFailureRecord, queueUrl, receiveBatches, releaseMessages, VISIBILITY_TIMEOUT_SECONDS, type FailureRecord } from '../aws/redrive';
import { ASYNC_FUNCTIONS, stageNames } from '../deploy/names';
import { stageAndRegion } from './doctor';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';
import { terminalSafe } from './terminal-safe';

export const REDRIVE_USAGE = 'klaxon redrive [--stage S] [--region R] [--max N] [--dry-run]';

export interface RedriveClients {
  sqs?: SQSClient;
  lambda?: LambdaClient;
}

export interface RedriveTotals {
  replayed: number;
  failing: number;
  skipped: number;
  /** Dry run: records that would be replayed. */
  listed: number;
}

/** `klaxon redrive` with clients built from the standard AWS settings. */
export function redriveCommand(args: string[], io: CliIo): Promise<number> {
  return redrive(args, io);
}

export async function redrive(args: string[], io: CliIo, clients: RedriveClients = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { stage: { type: 'string' }, region: { type: 'string' }, max: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const { stage, region: regionFlag } = stageAndRegion(values, positionals);
  const max = values.max === undefined ? Infinity : Number(values.max);
  if (!Number.isSafeInteger(max) && max !== Infinity) throw new UsageError(`--max must be a whole number of messages, not "${values.max}"`);
  if (max < 1) throw new UsageError(`--max must be at least 1, not "${values.max}"`);
  const dryRun = values['dry-run'];
  const now = io.now ?? Date.now;

  const names = stageNames(stage, {});
  const ours = new Set(ASYNC_FUNCTIONS.map((fn) => names.functionName(fn)));
  const config = regionFlag === undefined ? {} : { region: regionFlag };
  const sqs = clients.sqs ?? new SQSClient(config);
  const lambda = clients.lambda ?? new LambdaClient(config);
  const say = (text: string): Promise<void> | void => write(io.stderr, `redrive: ${terminalSafe(text)}\n`);

  let region: string;
  try {
    region = await sqs.config.region();
  } catch {
    await say(`no AWS region: ${REGION_HINT}`);
    return EXIT_FAILED;
  }
  const queue = names.deadLetterQueue;
  let url: string;
  try {
    url = await queueUrl(sqs, queue);
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
      await say(`the queue ${queue} does not exist in ${region}: is stage ${stage} deployed in this region? (npx serverless deploy --stage ${stage})`);
      return EXIT_FAILED;
    }
    const described = describeAwsError(err, { action: 'sqs:GetQueueUrl', region, resource: `queue ${queue}` });
    if (described === undefined) throw err;
    await say(described);
    return EXIT_FAILED;
  }

  await say(`reading ${queue} in ${region}${max === Infinity ? '' : `, at most ${max} message${max === 1 ? '' : 's'}`}${dryRun ? ' (dry run: nothing is replayed or deleted)' : ''}`);
  const totals: RedriveTotals = { replayed: 0, failing: 0, skipped: 0, listed: 0 };
  const received: Message[] = [];
  const seen = new Set<string>();
  let stopped: string | undefined;
  // The call being made, for what AWS refuses.
  let action = 'sqs:ReceiveMessage';
  let resource = `queue ${queue}`;
  try {
    for await (const batch of receiveBatches(sqs, url, max)) {
      received.push(...batch);
      // A message kept earlier in a long run is visible again after the visibility timeout: not tried twice in one run.
      const fresh = batch.filter((m) => m.MessageId === undefined || !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const id = message.MessageId ?? '?';
        seen.add(id);
        const parsed = parseFailureRecord(message.Body);
        if (!parsed.ok) {
          totals.skipped++;
          await say(`skipped message ${id}: ${parsed.problem} (left in the queue)`);
          continue;
        }
        const record = parsed.record;
        if (!ours.has(record.functionName)) {
          totals.skipped++;
          await say(
            `skipped message ${id}: its function ${record.functionName} is not one of stage ${stage}'s (${[...ours].join(', ')}); refusing to invoke it (left in the queue)`,
          );
          continue;
        }
        const about = describeRecord(record, message, now());
        if (dryRun) {
          totals.listed++;
          await write(io.stdout, `${terminalSafe(`would replay ${record.functionName}: ${about} [message ${id}]`)}\n`);
          continue;
        }
        action = 'lambda:InvokeFunction';
        resource = `function ${record.functionName}`;
        const outcome = await invokeAgain(lambda, record.functionName, record.requestPayload);
        if (!outcome.ok) {
          totals.failing++;
          await say(
            `still failing: ${record.functionName}: ${oneLine(`${outcome.errorType}: ${outcome.errorMessage}`)} (message ${id} kept; it is visible again in ${VISIBILITY_TIMEOUT_SECONDS / 60} minutes)`,
          );
          continue;
        }
        totals.replayed++;
        await say(`replayed ${record.functionName}: ${about}`);
        action = 'sqs:DeleteMessage';
        resource = `queue ${queue}`;
        await deleteMessage(sqs, url, message);
      }
      action = 'sqs:ReceiveMessage';
      resource = `queue ${queue}`;
    }
  } catch (err) {
    const described = describeAwsError(err, { action, region, resource });
    if (described === undefined) throw err;
    // The handlers remember what they processed: replaying an undeleted message again later posts nothing twice.
    stopped = action === 'sqs:DeleteMessage' ? `${described}; the message just replayed stays in the queue (replaying it again is harmless)` : described;
  }

  if (dryRun && received.length > 0) {
    // What a dry run received would otherwise stay hidden for the visibility timeout.
    try {
      const refused = await releaseMessages(sqs, url, received);
      if (refused > 0) await say(`${refused} message${refused === 1 ? '' : 's'} could not be made visible again at once: they are in ${VISIBILITY_TIMEOUT_SECONDS / 60} minutes`);
    } catch (err) {
      const described = describeAwsError(err, { action: 'sqs:ChangeMessageVisibility', region }) ?? String(err);
      await say(`the listed messages could not be made visible again at once (${described}): they are in ${VISIBILITY_TIMEOUT_SECONDS / 60} minutes`);
    }
  }
  if (stopped !== undefined) await say(`stopped: ${stopped}`);
  else if (received.length === 0) await say(`${queue} is empty`);
  await say(closing(totals, dryRun));
  return totals.failing > 0 || stopped !== undefined ? EXIT_FAILED : EXIT_OK;
}

/** `redrive: 12 replayed, 1 still failing, 0 skipped`, or for a dry run what would be. */
export function closing(totals: RedriveTotals, dryRun: boolean): string {
  if (dryRun) return `${totals.listed} would be replayed, ${totals.skipped} skipped (dry run: nothing replayed or deleted)`;
  return `${totals.replayed} replayed, ${totals.failing} still failing, ${totals.skipped} skipped`;
}

/** `failed 3 times (RetriesExhausted) 2h 5m ago: Error: Slack unreachable (request e4b4…)` */
export function describeRecord(record: FailureRecord, message: Message, now: number): string {
  const sent = Number(message.Attributes?.SentTimestamp);
  const at = record.timestamp ?? (Number.isFinite(sent) ? sent : undefined);
  const parts = [
    record.approximateInvokeCount === undefined ? 'failed' : `failed ${record.approximateInvokeCount} time${record.approximateInvokeCount === 1 ? '' : 's'}`,
    record.condition === undefined ? '' : ` (${record.condition})`,
    at === undefined ? '' : ` ${age(now - at)} ago`,
  ];
  const error = record.errorType === undefined && record.errorMessage === undefined ? 'no error recorded' : oneLine([record.errorType, record.errorMessage].filter((x) => x !== undefined).join(': '));
  const request = record.requestId === undefined ? '' : ` (request ${record.requestId})`;
  return `${parts.join('')}: ${error}${request}`;
}

/** `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
