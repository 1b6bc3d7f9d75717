/**
 * A Kinesis data stream fed by a CloudWatch Logs destination (member accounts' log groups):
 * each record's data is one subscription delivery, base64 of gzip of the same JSON payload a
 * subscription hands a Lambda function (`messageType`, `owner`, `logGroup`, `logStream`,
 * `subscriptionFilters`, `logEvents`). CONTROL_MESSAGE records (CloudWatch Logs checking the
 * destination) hold no events.
 */
import { isObject } from '../events/json';
import { parseError } from '../events/event';
import type { InputLocation } from '../input/location';
import { decodeAwsLogsData, type DecodeOptions, type Decoded } from './decode';

/** One stream record, decoded, with the sequence number a partial batch failure names. */
export interface StreamRecord {
  /** Undefined only for a record that lacks one (not what Lambda sends). */
  sequenceNumber: string | undefined;
  decoded: Decoded[];
}

/** The Lambda event of a Kinesis event source mapping, as far as Klaxon reads it. */
export interface KinesisEventShape {
  Records?: unknown;
}

/** Each record of the event, in stream order; a record that is not a CloudWatch Logs delivery is one located parse error, never the batch's end. */
export function decodeKinesisEvent(event: KinesisEventShape, location: InputLocation, options: DecodeOptions): StreamRecord[] {
  if (!Array.isArray(event.Records)) return [{ sequenceNumber: undefined, decoded: [{ location, result: parseError('not a Kinesis event: no Records list') }] }];
  return event.Records.map((record: unknown, i) => {
    const part = `Records[${i}]`;
    const kinesis = isObject(record) && isObject(record.kinesis) ? record.kinesis : undefined;
    const sequenceNumber = typeof kinesis?.sequenceNumber === 'string' ? kinesis.sequenceNumber : undefined;
    if (typeof kinesis?.data !== 'string') return { sequenceNumber, decoded: [{ location, part, result: parseError(`${part} has no kinesis.data`) }] };
    const decoded = decodeAwsLogsData(kinesis.data, location, options).map((d) => ({ ...d, part: d.part === undefined ? part : `${part}.${d.part}` }));
    return { sequenceNumber, decoded };
  });
}
