import { ChangeMessageVisibilityBatchCommand, DeleteMessageCommand, GetQueueUrlCommand, QueueDoesNotExist, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient, type InvokeCommandInput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { PassThrough, Readable } from 'node:stream';
import { age, redrive } from '../../src/cli/redrive';
import { runCli, type CliResult } from './helpers';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const NOW = Date.parse('2026-11-02T12:00:00Z');
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/klaxon-prod-dead-letters`;

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);

const fnArn = (fn: string, qualifier = ':$LATEST'): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}${qualifier}`;

/** A Lambda on-failure record, as the asynchronous functions leave them in the queue. */
function failureRecord(fn: string, requestPayload: unknown, over: { count?: number; at?: number; error?: { errorType: string; errorMessage: string }; requestId?: string } = {}): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date(over.at ?? NOW - 2 * 3_600_000 - 5 * 60_000).toISOString(),
    requestContext: { requestId: over.requestId ?? 'e4b46cbf-b738-4f0e-8880-a18cdf61200e', functionArn: fnArn(fn), condition: 'RetriesExhausted', approximateInvokeCount: over.count ?? 3 },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: over.error ?? { errorType: 'SlackDeliveryError', errorMessage: 'Slack chat.postMessage to #alerts failed: request failed (fetch failed)', trace: [] },
  });
}

interface Stored {
  id: string;
  body: string;
  receipt?: string;
  visible: boolean;
}

/** A stand-in for the SQS queue: received messages hide until deleted or made visible again. */
class FakeQueue {
  messages: Stored[] = [];
  private seq = 0;

  add(body: string): string {
    const id = `m-${++this.seq}`;
    this.messages.push({ id, body, visible: true });
    return id;
  }

  receive(max: number): { Messages?: Message[] } {
    const batch = this.messages.filter((m) => m.visible).slice(0, max);
    for (const m of batch) {
      m.visible = false;
      m.receipt = `receipt-${m.id}-${++this.seq}`;
    }
    return batch.length === 0 ? {} : { Messages: batch.map((m) => ({ MessageId: m.id, ReceiptHandle: m.receipt, Body: m.body, Attributes: { SentTimestamp: String(NOW - 60_000) } })) };
  }

  delete(receipt: string | undefined): void {
    this.messages = this.messages.filter((m) => m.receipt !== receipt);
  }

  release(receipt: string | undefined): void {
    for (const m of this.messages) if (m.receipt === receipt) m.visible = true;
  }

  ids(): string[] {
    return this.messages.map((m) => m.id);
  }
}

let queue: FakeQueue;
const invoked: Array<{ fn: string; payload: unknown; type: string | undefined }> = [];

beforeEach(() => {
  sqs.reset();
  lambda.reset();
  queue = new FakeQueue();
  invoked.length = 0;
  sqs.on(GetQueueUrlCommand, { QueueName: 'klaxon-prod-dead-letters' }).resolves({ QueueUrl: QUEUE_URL });
  sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages?: number }) => queue.receive(input.MaxNumberOfMessages ?? 1));
  sqs.on(DeleteMessageCommand).callsFake((input: { ReceiptHandle?: string }) => {
    queue.delete(input.ReceiptHandle);
    return {};
  });
  sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: Array<{ Id: string; ReceiptHandle: string }> }) => {
    for (const e of input.Entries) queue.release(e.ReceiptHandle);
    return { Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] };
  });
  // The functions: an event with `fail` still fails, anything else now succeeds.
  lambda.on(InvokeCommand).callsFake((input: InvokeCommandInput) => {
    const payload = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as { fail?: string };
    invoked.push({ fn: String(input.FunctionName), payload, type: input.InvocationType });
    if (payload.fail !== undefined) {
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify({ errorType: 'SlackDeliveryError', errorMessage: payload.fail, trace: ['at x'] })) };
    }
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: new TextEncoder().encode(JSON.stringify({ events: 1, alerts: 0 })) };
  });
});

function runRedrive(args: string[] = []): Promise<CliResult> {
  return runCli(['redrive', '--stage', 'prod', '--region', REGION, ...args], { now: NOW });
}

const logsEvent = (n: number) => ({ awslogs: { data: `H4sIAAAAAAAA-${n}` } });

describe('klaxon redrive', () => {
  it('replays every record until the queue is empty, deleting each that succeeds', async () => {
    for (let i = 0; i < 23; i++) queue.add(failureRecord(['klaxon-prod-logs', 'klaxon-prod-cloudtrail', 'klaxon-prod-alarm'][i % 3] as string, logsEvent(i)));
    const r = await runRedrive();
    expect(r.code).toBe(0);
    expect(queue.ids()).toEqual([]);
    // 10 + 10 + 3, then an empty answer ends it.
    const receives = sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
    expect(receives).toHaveLength(4);
    expect(receives[0]).toMatchObject({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300 });
    expect(invoked).toHaveLength(23);
    expect(invoked[0]).toEqual({ fn: 'klaxon-prod-logs', payload: logsEvent(0), type: 'RequestResponse' });
    expect(invoked[1]?.fn).toBe('klaxon-prod-cloudtrail');
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(23);
    expect(r.stderr).toContain('redrive: reading klaxon-prod-dead-letters in eu-west-1');
    expect(r.stderr).toContain('redrive: replayed klaxon-prod-logs: failed 3 times (RetriesExhausted) 2h 5m ago: SlackDeliveryError: Slack chat.postMessage to #alerts failed');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('redrive: 23 replayed, 0 still failing, 0 skipped');
    expect(r.stdout).toBe('');
  });

  it('keeps a record whose replay fails again, reports its error and exits 1', async () => {
    const ok = queue.add(failureRecord('klaxon-prod-logs', logsEvent(1)));
    const bad = queue.add(failureRecord('klaxon-prod-alarm', { fail: 'Slack chat.postMessage to #ops failed: channel_not_found' }));
    const r = await runRedrive();
    expect(r.code).toBe(1);
    expect(queue.ids()).toEqual([bad]);
    expect(queue.ids()).not.toContain(ok);
    expect(r.stderr).toContain(`redrive: still failing: klaxon-prod-alarm: SlackDeliveryError: Slack chat.postMessage to #ops failed: channel_not_found (message ${bad} kept; it is visible again in 5 minutes)`);
    expect(r.stderr).toContain('redrive: 1 replayed, 1 still failing, 0 skipped');
    // Received once only: a kept message stays hidden for the rest of the run.
    expect(invoked.filter((i) => i.fn === 'klaxon-prod-alarm')).toHaveLength(1);
  });

  it("refuses to invoke a function that is not one of the stage's asynchronous functions", async () => {
    const other = queue.add(failureRecord('klaxon-dev-logs', logsEvent(1)));
    const foreign = queue.add(failureRecord('payments-worker', { order: 1 }));
    const slackFn = queue.add(failureRecord('klaxon-prod-slack', { body: '' }));
    const r = await runRedrive();
    expect(r.code).toBe(0);
    expect(invoked).toEqual([]);
    expect(queue.ids()).toEqual([other, foreign, slackFn]);
    expect(r.stderr).toContain(`redrive: skipped message ${foreign}: its function payments-worker is not one of stage prod's (klaxon-prod-logs, klaxon-prod-cloudtrail, klaxon-prod-alarm); refusing to invoke it (left in the queue)`);
    expect(r.stderr).toContain('redrive: 0 replayed, 0 still failing, 3 skipped');
  });

  it('skips a message that is not an on-failure record and leaves it in the queue', async () => {
    const text = queue.add('hello');
    const json = queue.add(JSON.stringify({ awslogs: { data: 'x' } }));
    const noPayload = queue.add(JSON.stringify({ requestContext: { functionArn: fnArn('klaxon-prod-logs') } }));
    queue.add(failureRecord('klaxon-prod-logs', logsEvent(1)));
    const r = await runRedrive();
    expect(r.code).toBe(0);
    expect(queue.ids()).toEqual([text, json, noPayload]);
    expect(r.stderr).toContain(`redrive: skipped message ${text}: not JSON, so not a Lambda on-failure record (left in the queue)`);
    expect(r.stderr).toContain(`redrive: skipped message ${json}: not a Lambda on-failure record (no requestContext.functionArn)`);
    expect(r.stderr).toContain(`redrive: skipped message ${noPayload}: the record has no requestPayload`);
    expect(r.stderr).toContain('redrive: 1 replayed, 0 still failing, 3 skipped');
  });

  it('--dry-run lists what would be replayed, invokes and deletes nothing, and makes the messages visible again', async () => {
    queue.add(failureRecord('klaxon-prod-logs', logsEvent(1), { count: 3, requestId: 'req-1' }));
    queue.add(failureRecord('klaxon-prod-cloudtrail', { detail: {} }, { count: 1, at: NOW - 3 * 86_400_000 - 4 * 3_600_000, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 60.00 seconds' } }));
    queue.add('not a record');
    const r = await runRedrive(['--dry-run']);
    expect(r.code).toBe(0);
    expect(invoked).toEqual([]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(queue.messages).toHaveLength(3);
    expect(queue.messages.every((m) => m.visible)).toBe(true);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'would replay klaxon-prod-logs: failed 3 times (RetriesExhausted) 2h 5m ago: SlackDeliveryError: Slack chat.postMessage to #alerts failed: request failed (fetch failed) (request req-1) [message m-1]',
      'would replay klaxon-prod-cloudtrail: failed 1 time (RetriesExhausted) 3d 4h ago: Sandbox.Timedout: Task timed out after 60.00 seconds (request e4b46cbf-b738-4f0e-8880-a18cdf61200e) [message m-2]',
    ]);
    expect(r.stderr).toContain('(dry run: nothing is replayed or deleted)');
    expect(r.stderr).toContain('redrive: 2 would be replayed, 1 skipped (dry run: nothing replayed or deleted)');
  });

  it('--max stops after that many messages', async () => {
    for (let i = 0; i < 15; i++) queue.add(failureRecord('klaxon-prod-logs', logsEvent(i)));
    const r = await runRedrive(['--max', '12']);
    expect(r.code).toBe(0);
    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.MaxNumberOfMessages)).toEqual([10, 2]);
    expect(queue.messages).toHaveLength(3);
    expect(r.stderr).toContain('at most 12 messages');
    expect(r.stderr).toContain('redrive: 12 replayed, 0 still failing, 0 skipped');
  });

  it('tries a kept message once per run even when it becomes visible again during the run', async () => {
    const bad = queue.add(failureRecord('klaxon-prod-alarm', { fail: 'still down' }));
    // As after the visibility timeout of a long run: the kept message is received again at once.
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages?: number }) => {
      for (const m of queue.messages) m.visible = true;
      return queue.receive(input.MaxNumberOfMessages ?? 1);
    });
    const r = await runRedrive();
    expect(r.code).toBe(1);
    expect(invoked).toHaveLength(1);
    expect(queue.ids()).toEqual([bad]);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
    expect(r.stderr).toContain('redrive: 0 replayed, 1 still failing, 0 skipped');
  });

  it('says so when the queue is empty', async () => {
    const r = await runRedrive();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('redrive: klaxon-prod-dead-letters is empty');
    expect(r.stderr).toContain('redrive: 0 replayed, 0 still failing, 0 skipped');
  });

  it('stops on AccessDenied from Invoke, naming the IAM action, and keeps the messages', async () => {
    queue.add(failureRecord('klaxon-prod-logs', logsEvent(1)));
    queue.add(failureRecord('klaxon-prod-logs', logsEvent(2)));
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException', $metadata: {} }));
    const r = await runRedrive();
    expect(r.code).toBe(1);
    expect(queue.messages).toHaveLength(2);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(r.stderr).toContain('redrive: stopped: access denied: the AWS identity needs permission for lambda:InvokeFunction in region eu-west-1');
  });

  it('stops when a replayed message cannot be deleted', async () => {
    queue.add(failureRecord('klaxon-prod-logs', logsEvent(1)));
    sqs.on(DeleteMessageCommand).rejects(Object.assign(new Error('not authorized to perform: sqs:DeleteMessage'), { name: 'AccessDenied', $metadata: {} }));
    const r = await runRedrive();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redrive: stopped: access denied: the AWS identity needs permission for sqs:DeleteMessage');
    expect(r.stderr).toContain('the message just replayed stays in the queue (replaying it again is harmless)');
    expect(r.stderr).toContain('redrive: 1 replayed, 0 still failing, 0 skipped');
  });

  it('stops when a later receive is refused, counting what it did until then', async () => {
    queue.add(failureRecord('klaxon-prod-alarm', { fail: 'still down' }));
    sqs.on(ReceiveMessageCommand).callsFakeOnce((input: { MaxNumberOfMessages?: number }) => queue.receive(input.MaxNumberOfMessages ?? 1)).rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: {} }));
    const r = await runRedrive();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redrive: stopped: access denied: the AWS identity needs permission for sqs:ReceiveMessage');
    expect(r.stderr).toContain('redrive: 0 replayed, 1 still failing, 0 skipped');
  });

  it('fails without an AWS region', async () => {
    const noRegion = new SQSClient({
      region: async () => {
        throw new Error('Region is missing');
      },
    });
    let err = '';
    const stderr = new PassThrough();
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await redrive(['--stage', 'prod'], { stdin: Readable.from([]), stdout: new PassThrough(), stderr, env: {} }, { sqs: noRegion, lambda: new LambdaClient({ region: 'eu-west-1' }) });
    expect(code).toBe(1);
    expect(err).toContain('redrive: no AWS region: set AWS_REGION');
  });

  it('fails with the deploy hint when the stage has no queue in the region', async () => {
    sqs.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    const r = await runRedrive();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redrive: the queue klaxon-prod-dead-letters does not exist in eu-west-1: is stage prod deployed in this region? (npx serverless deploy --stage prod)');
  });

  it('reports usage errors with exit 2', async () => {
    for (const args of [['--max', '0'], ['--max', 'ten'], ['--max', '1.5'], ['--stage', 'PROD'], ['--nope']]) {
      const r = await runCli(['redrive', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage: klaxon redrive [--stage S] [--region R] [--max N] [--dry-run]');
    }
  });

  it('formats ages', () => {
    expect([age(5_000), age(12 * 60_000), age(3 * 3_600_000 + 5 * 60_000), age(50 * 3_600_000), age(-1)]).toEqual(['5s', '12m', '3h 5m', '2d 2h', '0s']);
  });
});
