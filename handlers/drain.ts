/** Every minute (EventBridge schedule): delivers what waits in the outbox, whatever became of the invocations that queued it. */
import packagedRules from 'klaxon:packaged-rules';
import type { Context } from 'aws-lambda';
import type { DrainReport } from '../src/alerts/lifecycle';
import { createRuntime, drainOutbox } from '../src/lambda/runtime';

const runtime = createRuntime(packagedRules);

export async function handler(_event: unknown, context: Context): Promise<DrainReport> {
  return drainOutbox(runtime, context);
}
