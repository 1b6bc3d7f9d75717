/**
 * Reading past CloudWatch Logs events with FilterLogEvents, page by page, and turning each
 * page into the payloads a subscription filter would have delivered, so that replayed
 * events are decoded exactly as the Lambda decodes live ones.
 */
import { paginateFilterLogEvents, type CloudWatchLogsClient, type FilteredLogEvent, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsPayload } from '../sources/awslogs';

/** Which log events to read. */
export interface LogEventsQuery {
  /** A log group name, or its ARN (a group in another account, through cross-account observability). */
  logGroup: string;
  /** Only streams whose name starts with this. */
  streamPrefix?: string;
  /** Epoch ms; events at or after this time. */
  startTime: number;
  /** Epoch ms; events at or before this time. */
  endTime: number;
}

/** A log group as given on the command line: its name, and what its ARN tells (account, region). */
export interface LogGroupRef {
  name: string;
  account?: string;
  region?: string;
  /** How FilterLogEvents names it: `logGroupName`, or `logGroupIdentifier` for an ARN. */
  input: Pick<FilterLogEventsCommandInput, 'logGroupName' | 'logGroupIdentifier'>;
}

const LOG_GROUP_ARN = /^arn:aws[\w-]*:logs:([a-z0-9-]*):(\d{12}):log-group:(.+?)(?::\*)?$/;

/**
 * A log group name or ARN (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`, with or without
 * the trailing `:*` that the console shows and FilterLogEvents refuses).
 */
export function logGroupRef(text: string): LogGroupRef {
  const arn = LOG_GROUP_ARN.exec(text);
  if (arn === null) return { name: text, input: { logGroupName: text } };
  const [, region, account, name] = arn as unknown as [string, string, string, string];
  return { name, account, region: region === '' ? undefined : region, input: { logGroupIdentifier: text.replace(/:\*$/, '') } };
}

/**
 * The pages of FilterLogEvents for the query, until AWS has no `nextToken`: each page's
 * events (a page may be empty while AWS searches on). AWS errors are thrown as the SDK
 * throws them.
 */
export async function* logEventPages(client: CloudWatchLogsClient, query: LogEventsQuery, pageSize?: number): AsyncGenerator<FilteredLogEvent[]> {
  const input: FilterLogEventsCommandInput = {
    ...logGroupRef(query.logGroup).input,
    startTime: query.startTime,
    endTime: query.endTime,
    ...(query.streamPrefix === undefined ? {} : { logStreamNamePrefix: query.streamPrefix }),
  };
  for await (const page of paginateFilterLogEvents({ client, pageSize }, input)) yield page.events ?? [];
}

/**
 * The subscription payloads one page amounts to: one per run of consecutive events from the
 * same stream, so the events keep the order AWS returned them in. `owner` is the account id
 * when known (a subscription delivery always carries it), else ''.
 */
export function logEventPayloads(logGroup: string, owner: string, events: readonly FilteredLogEvent[]): CloudWatchLogsPayload[] {
  const payloads: CloudWatchLogsPayload[] = [];
  let current: CloudWatchLogsPayload | undefined;
  for (const e of events) {
    const stream = e.logStreamName ?? '';
    if (current === undefined || current.logStream !== stream) {
      current = { messageType: 'DATA_MESSAGE', owner, logGroup, logStream: stream, subscriptionFilters: [], logEvents: [] };
      payloads.push(current);
    }
    current.logEvents.push({ id: e.eventId ?? '', timestamp: e.timestamp ?? e.ingestionTime ?? 0, message: e.message ?? '' });
  }
  return payloads;
}
