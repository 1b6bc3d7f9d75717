import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { invokeAgain, lambdaFunctionName, parseFailureRecord, receiveBatches, releaseMessages } from '../../src/aws/redrive';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const client = new SQSClient({ region: 'eu-west-1' });
const lambdaClient = new LambdaClient({ region: 'eu-west-1' });

beforeEach(() => {
  sqs.reset();
  lambda.reset();
});

/** The invocation record of the Lambda developer guide ("Capturing records of asynchronous invocations"). */
const DOCUMENTED = {
  version: '1.0',
  timestamp: '2019-11-14T18:16:05.568Z',
  requestContext: {
    requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
    functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: { ORDER_IDS: ['9e07af03-ce31-4ff3-xmpl-36dce652cb4f'] },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorMessage: 'RequestId: e4b46cbf-b738-xmpl-8880-a18cdf61200e Process exited before completing request' },
};

describe('lambdaFunctionName', () => {
  it('takes the name out of a function ARN, with or without a qualifier, in any partition', () => {
    expect(lambdaFunctionName('arn:aws:lambda:eu-west-1:123456789012:function:klaxon-prod-logs')).toBe('klaxon-prod-logs');
    expect(lambdaFunctionName('arn:aws:lambda:eu-west-1:123456789012:function:klaxon-prod-logs:$LATEST')).toBe('klaxon-prod-logs');
    expect(lambdaFunctionName('arn:aws:lambda:eu-west-1:123456789012:function:klaxon-prod-logs:live')).toBe('klaxon-prod-logs');
    expect(lambdaFunctionName('arn:aws-cn:lambda:cn-north-1:123456789012:function:klaxon_x')).toBe('klaxon_x');
  });

  it('is undefined for anything else', () => {
    for (const arn of ['klaxon-prod-logs', 'arn:aws:sqs:eu-west-1:123456789012:klaxon-prod-logs', 'arn:aws:lambda:eu-west-1:123456789012:function:a:b:c', '']) {
      expect(lambdaFunctionName(arn)).toBeUndefined();
    }
  });
});

describe('parseFailureRecord', () => {
  it('reads the documented on-failure record', () => {
    const parsed = parseFailureRecord(JSON.stringify(DOCUMENTED));
    expect(parsed).toEqual({
      ok: true,
      record: {
        functionArn: DOCUMENTED.requestContext.functionArn,
        functionName: 'my-function',
        requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        timestamp: Date.parse('2019-11-14T18:16:05.568Z'),
        requestPayload: DOCUMENTED.requestPayload,
        // No errorType in the response: the kind of function error stands in.
        errorType: 'Unhandled',
        errorMessage: DOCUMENTED.responsePayload.errorMessage,
      },
    });
  });

  it('reads a record of an event too old to retry (no response) and keeps a null payload', () => {
    const aged: Record<string, unknown> = { ...DOCUMENTED, requestContext: { ...DOCUMENTED.requestContext, condition: 'EventAgeExceeded' }, requestPayload: null };
    delete aged.responseContext;
    delete aged.responsePayload;
    const parsed = parseFailureRecord(JSON.stringify(aged));
    expect(parsed.ok && parsed.record).toMatchObject({ condition: 'EventAgeExceeded', requestPayload: null, errorType: undefined, errorMessage: undefined });
  });

  it('says why a message is not a record', () => {
    expect(parseFailureRecord(undefined)).toEqual({ ok: false, problem: 'not JSON, so not a Lambda on-failure record' });
    expect(parseFailureRecord('[1]')).toEqual({ ok: false, problem: 'not a JSON object, so not a Lambda on-failure record' });
    expect(parseFailureRecord('{"Records":[]}')).toEqual({ ok: false, problem: 'not a Lambda on-failure record (no requestContext.functionArn)' });
    expect(parseFailureRecord(JSON.stringify({ ...DOCUMENTED, requestContext: { functionArn: 'arn:aws:sns:x' } }))).toMatchObject({ ok: false, problem: expect.stringContaining('not a Lambda function ARN') });
    const noPayload: Record<string, unknown> = { ...DOCUMENTED };
    delete noPayload.requestPayload;
    expect(parseFailureRecord(JSON.stringify(noPayload))).toMatchObject({ ok: false, problem: expect.stringContaining('no requestPayload') });
  });
});

describe('receiveBatches', () => {
  it('receives until an empty answer, with long polling and a visibility timeout longer than a replay', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: '1' }, { MessageId: '2' }] })
      .resolvesOnce({ Messages: [{ MessageId: '3' }] })
      .resolvesOnce({});
    const batches = [];
    for await (const b of receiveBatches(client, 'url')) batches.push(b.map((m) => m.MessageId));
    expect(batches).toEqual([['1', '2'], ['3']]);
    const inputs = sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(3);
    expect(inputs[0]).toMatchObject({ QueueUrl: 'url', MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300 });
  });

  it('asks for no more than max', async () => {
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => ({ Messages: Array.from({ length: input.MaxNumberOfMessages }, (_, i) => ({ MessageId: String(i) })) }));
    let n = 0;
    for await (const b of receiveBatches(client, 'url', 13)) n += b.length;
    expect(n).toBe(13);
    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.MaxNumberOfMessages)).toEqual([10, 3]);
  });
});

describe('releaseMessages', () => {
  it('makes messages visible at once in batches of 10 and counts refusals', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => ({ Successful: [], Failed: input.Entries.length === 5 ? [{ Id: 'x', Code: 'ReceiptHandleIsInvalid', SenderFault: true }] : [] }));
    const messages = Array.from({ length: 25 }, (_, i) => ({ MessageId: String(i), ReceiptHandle: `r${i}` }));
    expect(await releaseMessages(client, 'url', messages)).toBe(1);
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((e) => e.length)).toEqual([10, 10, 5]);
    expect(calls[2]?.[0]).toEqual({ Id: '20', ReceiptHandle: 'r20', VisibilityTimeout: 0 });
  });
});

describe('invokeAgain', () => {
  it('invokes synchronously with the original event', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(invokeAgain(lambdaClient, 'klaxon-prod-logs', { awslogs: { data: 'x' } })).resolves.toEqual({ ok: true });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'klaxon-prod-logs', InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({ awslogs: { data: 'x' } });
  });

  it("reports a function error with the function's error type and message", async () => {
    const encode = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v)) as InvokeCommandOutput['Payload'];
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: encode({ errorType: 'RuntimeConfigError', errorMessage: 'KLAXON_TABLE is not set' }) })
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: encode('Task timed out') })
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Handled' });
    await expect(invokeAgain(lambdaClient, 'f', {})).resolves.toEqual({ ok: false, errorType: 'RuntimeConfigError', errorMessage: 'KLAXON_TABLE is not set' });
    await expect(invokeAgain(lambdaClient, 'f', {})).resolves.toEqual({ ok: false, errorType: 'Unhandled', errorMessage: 'Task timed out' });
    await expect(invokeAgain(lambdaClient, 'f', {})).resolves.toEqual({ ok: false, errorType: 'Handled', errorMessage: '' });
  });
});
