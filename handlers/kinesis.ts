/** Member accounts' log groups, through a CloudWatch Logs destination's Kinesis stream, through the rules to Slack. */
import packagedRules from 'klaxon:packaged-rules';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { createRuntime } from '../src/lambda/runtime';
import { processStreamBatch, type StreamBatchResponse } from '../src/lambda/stream-batch';

const runtime = createRuntime(packagedRules);

export async function handler(event: KinesisStreamEvent, context: Context): Promise<StreamBatchResponse> {
  return processStreamBatch(runtime, event, context);
}
