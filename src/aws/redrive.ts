/**
 * The dead-letter queue of a stage, read back: the asynchronous functions (`logs`,
 * `cloudtrail`, `alarm`) send the events they could not process after Lambda's retries to
 * the SQS queue `names.deadLetterQueue` as on-failure invocation records. `klaxon redrive`
 * receives those records, invokes the failed function again with the original event and
 * deletes a record once its replay succeeded.
 *
 * An on-failure record, as Lambda writes it:
 *
 *     { "version": "1.0", "timestamp": "2019-11-14T18:16:05.568Z",
 *       "requestContext": { "requestId": "…", "functionArn": "arn:aws:lambda:…:function:NAME:$LATEST",
 *                           "condition": "RetriesExhausted", "approximateInvokeCount": 3 },
 *       "requestPayload": <the original event>,
 *       "responseContext": { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" },
 *       "responsePayload": { "errorType": "…", "errorMessage": "…" } }
 *
 * `condition` is `RetriesExhausted` or `EventAgeExceeded` (then there is no response).
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** What a redrive needs to know of one on-failure record. */
export interface FailureRecord {
  /** `requestContext.functionArn` as written (may end in a qualifier such as `:$LATEST`). */
  functionArn: string;
  /** The function's name, from the ARN. */
  functionName: string;
  requestId?: string;
  /** `RetriesExhausted`, `EventAgeExceeded`… */
  condition?: string;
  approximateInvokeCount?: number;
  /** Epoch ms of the record (when Lambda gave up), when it says. */
  timestamp?: number;
  /** The original event, to invoke the function with again. */
  requestPayload: unknown;
  /** The last attempt's error, when there was one. */
  errorType?: string;
  errorMessage?: string;
}

export type ParsedRecord = { ok: true; record: FailureRecord } | { ok: false; problem: string };

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;

/** `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` -> `NAME`; undefined for anything else. */
export function lambdaFunctionName(arn: string): string | undefined {
  return FUNCTION_ARN.exec(arn)?.[1];
}

/** An SQS message body as an on-failure record, or why it is not one. */
export function parseFailureRecord(body: string | undefined): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, problem: 'not JSON, so not a Lambda on-failure record' };
  }
  if (!isRecord(json)) return { ok: false, problem: 'not a JSON object, so not a Lambda on-failure record' };
  const context = json.requestContext;
  if (!isRecord(context) || typeof context.functionArn !== 'string') return { ok: false, problem: 'not a Lambda on-failure record (no requestContext.functionArn)' };
  const functionName = lambdaFunctionName(context.functionArn);
  if (functionName === undefined) return { ok: false, problem: `requestContext.functionArn is not a Lambda function ARN: ${JSON.stringify(context.functionArn).slice(0, 200)}` };
  if (!('requestPayload' in json)) return { ok: false, problem: 'the record has no requestPayload (the original event), so there is nothing to replay' };
  const response = isRecord(json.responsePayload) ? json.responsePayload : undefined;
  const responseContext = isRecord(json.responseContext) ? json.responseContext : undefined;
  const timestamp = typeof json.timestamp === 'string' ? Date.parse(json.timestamp) : NaN;
  const errorType = str(response?.errorType) ?? str(responseContext?.functionError);
  const errorMessage = str(response?.errorMessage) ?? (typeof json.responsePayload === 'string' ? json.responsePayload : undefined);
  return {
    ok: true,
    record: {
      functionArn: context.functionArn,
      functionName,
      requestId: str(context.requestId),
      condition: str(context.condition),
      approximateInvokeCount: typeof context.approximateInvokeCount === 'number' ? context.approximateInvokeCount : undefined,
      timestamp: Number.isFinite(timestamp) ? timestamp : undefined,
      requestPayload: json.requestPayload,
      errorType,
      errorMessage,
    },
  };
}

/** The queue's URL (throws `QueueDoesNotExist` as the SDK does when there is none). */
export async function queueUrl(sqs: SQSClient, queueName: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  if (QueueUrl === undefined) throw new Error(`SQS answered GetQueueUrl for ${queueName} without a URL`);
  return QueueUrl;
}

/** A received message hides this long: longer than a replay (the functions time out after 60 s) takes. */
export const VISIBILITY_TIMEOUT_SECONDS = 300;
/** Long polling, so an empty answer means an empty queue, not an unlucky sample. */
export const WAIT_TIME_SECONDS = 1;

/**
 * Batches of messages (up to 10 each) until a receive comes back empty or `max` messages
 * were received. Received messages stay hidden for {@link VISIBILITY_TIMEOUT_SECONDS}, so a
 * message kept (not deleted) is not received twice in one run.
 */
export async function* receiveBatches(sqs: SQSClient, url: string, max = Infinity): AsyncGenerator<Message[]> {
  let received = 0;
  while (received < max) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, max - received),
        WaitTimeSeconds: WAIT_TIME_SECONDS,
        VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    const batch = (Messages ?? []).slice(0, max - received);
    if (batch.length === 0) return;
    received += batch.length;
    yield batch;
  }
}

export async function deleteMessage(sqs: SQSClient, url: string, message: Message): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
}

/** Makes messages visible again at once (after a dry run); returns how many SQS refused. */
export async function releaseMessages(sqs: SQSClient, url: string, messages: readonly Message[]): Promise<number> {
  let refused = 0;
  for (let i = 0; i < messages.length; i += 10) {
    const entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(i + j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const { Failed } = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
    refused += Failed?.length ?? 0;
  }
  return refused;
}

export type InvokeOutcome = { ok: true } | { ok: false; errorType: string; errorMessage: string };

/**
 * Invokes the function synchronously with the original event. A function error (the
 * handler threw, timed out, ran out of memory) is an outcome; an error of the Invoke call
 * itself (access denied, no such function, throttled after retries) is thrown.
 */
export async function invokeAgain(lambda: LambdaClient, functionName: string, payload: unknown): Promise<InvokeOutcome> {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(payload ?? null)) }),
  );
  if (out.FunctionError === undefined || out.FunctionError === '') return { ok: true };
  const text = out.Payload === undefined ? '' : new TextDecoder().decode(out.Payload);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const errorType = isRecord(body) ? (str(body.errorType) ?? out.FunctionError) : out.FunctionError;
  const errorMessage = isRecord(body) ? (str(body.errorMessage) ?? '') : typeof body === 'string' ? body : '';
  return { ok: false, errorType, errorMessage };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
