import { gunzipSync, gzipSync } from 'node:zlib';
import { isObject, textOf } from '../events/json';

/** The decoded payload of a CloudWatch Logs subscription delivery. */
export interface CloudWatchLogsPayload {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: Array<{ id: string; timestamp: number; message: string }>;
}

/**
 * What one subscription delivery may inflate to. Lambda takes at most 1 MB per asynchronous
 * invocation (so at most about 750 KB of gzip), and log text rarely compresses beyond
 * 15:1; more is a gzip bomb. Processing costs about 20 bytes of memory per payload byte,
 * so 16 MiB stays well inside a 512 MB function (64 MiB did not: 1.27 GB).
 */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

export type PayloadResult = { ok: true; payload: CloudWatchLogsPayload } | { ok: false; message: string };

/** True for the Lambda event a subscription filter delivers: `{"awslogs":{"data":"<base64 gzip>"}}`. */
export function isAwsLogsEvent(value: unknown): value is { awslogs: { data: string } } {
  if (!isObject(value) || !isObject(value.awslogs)) return false;
  return typeof value.awslogs.data === 'string';
}

/** True for an already decoded payload (as `aws logs` tooling or tests write them). */
export function isCloudWatchLogsPayload(value: unknown): boolean {
  return isObject(value) && typeof value.messageType === 'string' && Array.isArray(value.logEvents);
}

/** Decodes `awslogs.data` (base64 of gzip of JSON) and checks the payload's shape. */
export function decodeAwsLogsEvent(event: { awslogs: { data: string } }): PayloadResult {
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64'), { maxOutputLength: MAX_PAYLOAD_BYTES }).toString('utf8'));
  } catch (err) {
    const tooLarge = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    if (tooLarge) return { ok: false, message: `awslogs.data inflates to more than ${MAX_PAYLOAD_BYTES} bytes (16 MiB): skipped` };
    return { ok: false, message: `awslogs.data is not base64 gzip JSON: ${(err as Error).message}` };
  }
  return checkPayload(json);
}

/** Validates a decoded payload; every log event must have an id, a numeric timestamp and a string message. */
export function checkPayload(json: unknown): PayloadResult {
  if (!isObject(json)) return { ok: false, message: 'CloudWatch Logs payload is not an object' };
  const { messageType, logEvents } = json;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    return { ok: false, message: `CloudWatch Logs payload has messageType ${JSON.stringify(messageType)}` };
  }
  if (!Array.isArray(logEvents)) return { ok: false, message: 'CloudWatch Logs payload has no logEvents list' };
  for (const [i, e] of logEvents.entries()) {
    if (!isObject(e) || typeof e.message !== 'string' || !isEpochMillis(e.timestamp)) {
      return { ok: false, message: `logEvents[${i}] lacks a string message or a valid epoch-millisecond timestamp` };
    }
  }
  return {
    ok: true,
    payload: {
      messageType,
      owner: typeof json.owner === 'string' ? json.owner : '',
      logGroup: typeof json.logGroup === 'string' ? json.logGroup : '',
      logStream: typeof json.logStream === 'string' ? json.logStream : '',
      subscriptionFilters: Array.isArray(json.subscriptionFilters) ? json.subscriptionFilters.map(textOf) : [],
      logEvents: logEvents.map((e: Record<string, unknown>) => ({ id: e.id === undefined || e.id === null ? '' : textOf(e.id), timestamp: e.timestamp as number, message: e.message as string })),
    },
  };
}

/** Builds the Lambda event that a subscription filter delivers: the inverse of decodeAwsLogsEvent (tests, benchmarks, replay). */
export function encodeAwsLogsEvent(payload: CloudWatchLogsPayload): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64') } };
}

/**
 * Klaxon's member stacks name their subscription filters `NAME@REGION`: a delivery through a
 * cross-account destination carries the sending account (`owner`) but not the region of its
 * log group, and the filter's name is the one place the sender can put it.
 */
export const FILTER_REGION_SEPARATOR = '@';
const FILTER_REGION = /@([a-z]{2}(?:-[a-z]+)+-\d+)$/;

/** The region a member stack's subscription filter names, if the payload came through one. */
export function regionOfSubscription(payload: Pick<CloudWatchLogsPayload, 'subscriptionFilters'>): string | undefined {
  for (const name of payload.subscriptionFilters) {
    const region = FILTER_REGION.exec(name)?.[1];
    if (region !== undefined) return region;
  }
  return undefined;
}

/** Within what a JavaScript Date can hold (±8.64e15 ms). */
function isEpochMillis(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}
