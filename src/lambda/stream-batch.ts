/**
 * One batch of the member accounts' Kinesis stream through the lifecycle, answered as a
 * partial batch response (the mapping's `ReportBatchItemFailures`).
 *
 * The whole batch goes through at once (one read of the table per group, whatever the number
 * of records). Should that fail, the records go through again one by one, in order: the
 * first that fails is reported, and Lambda retries the batch from it (what came before is
 * checkpointed; what comes after is retried with it, and counts once whatever the retries,
 * by the events' keys). A record that is not a CloudWatch Logs delivery is logged and
 * skipped: retrying it could never help, and it must not hold up the shard.
 * Messages Slack has not taken yet are not a failure here: they wait in the outbox for the
 * drain function, and the shard moves on.
 */
import type { Context } from 'aws-lambda';
import { decodeKinesisEvent, type KinesisEventShape, type StreamRecord } from '../sources/kinesis';
import { originOf, TRIGGER_LOCATION } from './origin';
import { processDecoded, type Runtime } from './runtime';
import { logger } from './telemetry';

/** What a Kinesis event source mapping reads back with `ReportBatchItemFailures`. */
export interface StreamBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

const STREAM = { retryUndelivered: false };

export async function processStreamBatch(runtime: Runtime, event: KinesisEventShape, context: Context): Promise<StreamBatchResponse> {
  const records = decodeKinesisEvent(event, TRIGGER_LOCATION, runtime.decodeOptions());
  const all = records.flatMap((r) => r.decoded);
  try {
    await processDecoded(runtime, all, context, originOf(all, 'aws.cloudwatch.log_group', 'kinesis'), STREAM);
    return { batchItemFailures: [] };
  } catch (error) {
    logger.warn('batch failed as a whole: trying its records one by one', { records: records.length, error: describe(error) });
  }
  return recordByRecord(runtime, records, context);
}

async function recordByRecord(runtime: Runtime, records: readonly StreamRecord[], context: Context): Promise<StreamBatchResponse> {
  for (const [i, record] of records.entries()) {
    try {
      await processDecoded(runtime, record.decoded, context, originOf(record.decoded, 'aws.cloudwatch.log_group', `Records[${i}]`), STREAM);
    } catch (error) {
      // Without a sequence number there is nothing to name: failing the invocation retries (and bisects) the batch.
      if (record.sequenceNumber === undefined) throw error;
      logger.error('record failed: Lambda retries the batch from it', { record: `Records[${i}]`, sequenceNumber: record.sequenceNumber, error: describe(error) });
      return { batchItemFailures: [{ itemIdentifier: record.sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
