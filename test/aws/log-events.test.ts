import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { logEventPages, logEventPayloads, logGroupRef } from '../../src/aws/log-events';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'eu-west-1' });

const event = (id: string, stream: string, timestamp: number, message = `line ${id}`) => ({ eventId: id, logStreamName: stream, timestamp, ingestionTime: timestamp + 500, message });

/** What each FilterLogEvents call carried, copied when it was made (the SDK's paginator reuses one input object). */
function recordInputs(): FilterLogEventsCommandInput[] {
  const inputs: FilterLogEventsCommandInput[] = [];
  const pages = [
    { events: [event('1', 'i-0a', 1000), event('2', 'i-0a', 2000)], nextToken: 't1' },
    { events: [], nextToken: 't2' },
    { events: [event('3', 'i-0b', 3000)] },
  ];
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    inputs.push({ ...input });
    return pages[inputs.length - 1];
  });
  return inputs;
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

beforeEach(() => logs.reset());
afterAll(() => logs.restore());

describe('logEventPages', () => {
  it('reads every page until AWS returns no nextToken, empty pages included, passing the time range and stream prefix', async () => {
    const inputs = recordInputs();
    const pages = await all(logEventPages(client, { logGroup: '/prod/bastion/auth', streamPrefix: 'i-0', startTime: 1_000, endTime: 9_000 }));
    expect(pages.map((p) => p.map((e) => e.eventId))).toEqual([['1', '2'], [], ['3']]);
    expect(inputs).toHaveLength(3);
    expect(inputs.map((i) => i.nextToken)).toEqual([undefined, 't1', 't2']);
    for (const input of inputs) {
      expect(input).toMatchObject({ logGroupName: '/prod/bastion/auth', logStreamNamePrefix: 'i-0', startTime: 1_000, endTime: 9_000 });
      expect(input.logGroupIdentifier).toBeUndefined();
    }
  });

  it('sends no stream prefix when none is given', async () => {
    const inputs = recordInputs();
    await all(logEventPages(client, { logGroup: 'aws-waf-logs-edge', startTime: 0, endTime: 1 }));
    expect(inputs[0]).not.toHaveProperty('logStreamNamePrefix');
  });

  it('names a log group given by ARN with logGroupIdentifier, without the trailing :*', async () => {
    const inputs = recordInputs();
    await all(logEventPages(client, { logGroup: 'arn:aws:logs:us-east-1:210987654321:log-group:/prod/bastion/auth:*', startTime: 0, endTime: 1 }));
    expect(inputs[0]).toMatchObject({ logGroupIdentifier: 'arn:aws:logs:us-east-1:210987654321:log-group:/prod/bastion/auth' });
    expect(inputs[0]?.logGroupName).toBeUndefined();
  });

  it('throws what AWS throws', async () => {
    logs.on(FilterLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: { httpStatusCode: 400 } }));
    await expect(all(logEventPages(client, { logGroup: '/nope', startTime: 0, endTime: 1 }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('logGroupRef', () => {
  it('takes the account, region and name from an ARN, and a plain name as it is', () => {
    expect(logGroupRef('arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-edge')).toEqual({
      name: 'aws-waf-logs-edge',
      account: '123456789012',
      region: 'eu-west-1',
      input: { logGroupIdentifier: 'arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-edge' },
    });
    expect(logGroupRef('/var/log/secure')).toEqual({ name: '/var/log/secure', input: { logGroupName: '/var/log/secure' } });
  });
});

describe('logEventPayloads', () => {
  it('makes one subscription payload per run of one stream, keeping the order AWS returned', () => {
    const payloads = logEventPayloads('/prod/auth', '123456789012', [event('1', 'a', 1), event('2', 'a', 2), event('3', 'b', 3), event('4', 'a', 4)]);
    expect(payloads.map((p) => [p.logStream, p.logEvents.map((e) => e.id)])).toEqual([
      ['a', ['1', '2']],
      ['b', ['3']],
      ['a', ['4']],
    ]);
    expect(payloads[0]).toEqual({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/prod/auth',
      logStream: 'a',
      subscriptionFilters: [],
      logEvents: [
        { id: '1', timestamp: 1, message: 'line 1' },
        { id: '2', timestamp: 2, message: 'line 2' },
      ],
    });
  });
});
