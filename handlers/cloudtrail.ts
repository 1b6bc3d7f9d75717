/** EventBridge "AWS API Call via CloudTrail" events for security-group calls through the rules to Slack. */
import packagedRules from 'klaxon:packaged-rules';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createRuntime, processDecoded, type InvocationSummary } from '../src/lambda/runtime';
import { originOf, TRIGGER_LOCATION } from '../src/lambda/origin';
import { boundJsonDepth } from '../src/events/json-bounds';
import { decodeJson } from '../src/sources/decode';

const runtime = createRuntime(packagedRules);

export async function handler(event: EventBridgeEvent<string, unknown>, context: Context): Promise<InvocationSummary> {
  // Bounded before it is written back as text: an attacker's request parameters may nest deeper than stringifying can follow.
  const value = boundJsonDepth(event);
  const decoded = decodeJson({ ok: true, value, text: JSON.stringify(value), location: TRIGGER_LOCATION }, runtime.decodeOptions());
  return processDecoded(runtime, decoded, context, originOf(decoded, 'event.action', 'eventbridge'));
}
