/** CloudWatch Logs subscription deliveries (SSH auth logs, WAF logs, a CloudTrail log group) through the rules to Slack. */
import packagedRules from 'klaxon:packaged-rules';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { createRuntime, processDecoded, type InvocationSummary } from '../src/lambda/runtime';
import { originOf, TRIGGER_LOCATION } from '../src/lambda/origin';
import { decodeJson } from '../src/sources/decode';

const runtime = createRuntime(packagedRules);

export async function handler(event: CloudWatchLogsEvent, context: Context): Promise<InvocationSummary> {
  const decoded = decodeJson({ ok: true, value: event, text: '', location: TRIGGER_LOCATION }, runtime.decodeOptions());
  return processDecoded(runtime, decoded, context, originOf(decoded, 'aws.cloudwatch.log_group', 'subscription'));
}
