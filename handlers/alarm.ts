/** Klaxon's CloudWatch alarms (metric filters, dead letters), delivered by SNS, through the rules to Slack. */
import packagedRules from 'klaxon:packaged-rules';
import type { Context, SNSEvent } from 'aws-lambda';
import { createRuntime, processDecoded, type InvocationSummary } from '../src/lambda/runtime';
import { originOf } from '../src/lambda/origin';
import { decodeSnsEvent } from '../src/sources/alarm';

const runtime = createRuntime(packagedRules);

export async function handler(event: SNSEvent, context: Context): Promise<InvocationSummary> {
  const decoded = decodeSnsEvent(event, runtime.decodeOptions());
  return processDecoded(runtime, decoded, context, originOf(decoded, 'rule.name', 'sns'));
}
