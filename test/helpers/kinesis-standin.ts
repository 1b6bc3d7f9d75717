/**
 * Kinesis Data Streams on 127.0.0.1 (kinesalite) with a CloudWatch Logs destination's writer
 * in front: each subscription delivery is put as one record whose data is the gzip of the
 * payload's JSON, as CloudWatch Logs writes to a destination's stream, and the records are
 * read back with GetRecords and shaped as the Lambda event of a Kinesis event source mapping
 * (data base64, the sequence number a partial batch response names).
 *
 * @example
 *   const kinesis = await startKinesisStandIn();
 *   await kinesis.putPayloads([payload]);
 *   const event = await kinesis.nextEvent();   // { Records: [{ kinesis: { data, sequenceNumber, … } }] }
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import type { CloudWatchLogsPayload } from '../../src/sources/awslogs';

export const STREAM_REGION = 'eu-west-1';
export const CENTRAL_ACCOUNT = '111111111111';

export interface KinesisStandIn {
  streamArn: string;
  client: KinesisClient;
  /** Puts each payload as CloudWatch Logs does (one record each, gzip of the JSON, the log stream as partition key); raw buffers go as they are. */
  putPayloads(payloads: ReadonlyArray<CloudWatchLogsPayload | Buffer>): Promise<string[]>;
  /** The records put since the last call, read with GetRecords, as one Lambda event (at most `limit`). */
  nextEvent(limit?: number): Promise<KinesisStreamEvent>;
  close(): Promise<void>;
}

/** The bytes CloudWatch Logs puts into a destination's stream for one delivery. */
export function destinationRecordData(payload: CloudWatchLogsPayload): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(payload)));
}

export async function startKinesisStandIn(streamName = 'klaxon-test-members'): Promise<KinesisStandIn> {
  const server: Server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The Kinesis client speaks HTTP/2 by default (for SubscribeToShard); kinesalite, HTTP/1.1.
  const client = new KinesisClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: STREAM_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
  });
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
  const description = await client.send(new DescribeStreamCommand({ StreamName: streamName }));
  const shardId = description.StreamDescription?.Shards?.[0]?.ShardId as string;
  const streamArn = `arn:aws:kinesis:${STREAM_REGION}:${CENTRAL_ACCOUNT}:stream/${streamName}`;
  let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;

  return {
    streamArn,
    client,
    async putPayloads(payloads) {
      const sequenceNumbers: string[] = [];
      // PutRecords takes 500 records a call, and keeps their order within a shard.
      for (let i = 0; i < payloads.length; i += 500) {
        const Records = payloads.slice(i, i + 500).map((payload) => ({
          Data: Buffer.isBuffer(payload) ? payload : destinationRecordData(payload),
          PartitionKey: Buffer.isBuffer(payload) ? 'raw' : payload.logStream || 'control',
        }));
        const put = await client.send(new PutRecordsCommand({ StreamName: streamName, Records }));
        if ((put.FailedRecordCount ?? 0) > 0) throw new Error(`kinesalite refused ${put.FailedRecordCount} records`);
        sequenceNumbers.push(...(put.Records ?? []).map((r) => r.SequenceNumber as string));
      }
      return sequenceNumbers;
    },
    async nextEvent(limit = 10_000) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      iterator = page.NextShardIterator;
      return {
        Records: (page.Records ?? []).map((record) => ({
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: record.PartitionKey as string,
            sequenceNumber: record.SequenceNumber as string,
            data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
            approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp ?? new Date()).getTime() / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `${shardId}:${record.SequenceNumber as string}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: `arn:aws:iam::${CENTRAL_ACCOUNT}:role/klaxon-test-kinesis`,
          awsRegion: STREAM_REGION,
          eventSourceARN: streamArn,
        })),
      };
    },
    async close() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
