/**
 * What an hour of the organisation load costs a month, at AWS list prices for us-east-1
 * (on-demand, no free tier; check the pricing pages for your region, most are within 10-25 %).
 */

export const PRICES_REGION = 'us-east-1';

/** List prices, USD. */
export const PRICES = {
  /** Kinesis Data Streams, provisioned: per shard-hour, and per million PUT payload units (25 KB each, a record rounded up). */
  kinesisShardHour: 0.015,
  kinesisPutUnitsPerMillion: 0.014,
  /** Lambda on arm64: per GB-second, and per million requests. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequestsPerMillion: 0.2,
  /** DynamoDB on demand: per million write and read request units. */
  dynamoWriteUnitsPerMillion: 0.625,
  dynamoReadUnitsPerMillion: 0.125,
} as const;

/** A shard takes 1 MB/s or 1,000 records/s in. */
export const SHARD_IN = { bytesPerSecond: 1_000_000, recordsPerSecond: 1000 };
/** Shards are sized for bursts this many times the hour's average. */
export const PEAK_FACTOR = 10;
const HOURS_PER_MONTH = 730;
const PUT_UNIT_BYTES = 25 * 1024;

export interface Volume {
  eventsPerHour: number;
  recordsPerHour: number;
  bytesPerHour: number;
  invocationsPerHour: number;
  /** Summed duration of the invocations, as measured. */
  lambdaMsPerHour: number;
  readUnitsPerHour: number;
  writeUnitsPerHour: number;
}

export interface CostLine {
  item: string;
  usd: number;
  basis: string;
}

/** The month at `volume` per hour, line by line, with the function's memory in GB. */
export function monthlyCost(volume: Volume, memoryGb = 0.5): { lines: CostLine[]; total: number; shards: number } {
  const peakRecords = (volume.recordsPerHour / 3600) * PEAK_FACTOR;
  const peakBytes = (volume.bytesPerHour / 3600) * PEAK_FACTOR;
  const shards = Math.max(1, Math.ceil(peakRecords / SHARD_IN.recordsPerSecond), Math.ceil(peakBytes / SHARD_IN.bytesPerSecond));
  // A delivery is far under 25 KB gzip: one PUT payload unit per record.
  const putUnits = volume.recordsPerHour * Math.max(1, Math.ceil(volume.bytesPerHour / Math.max(1, volume.recordsPerHour) / PUT_UNIT_BYTES)) * HOURS_PER_MONTH;
  const gbSeconds = (volume.lambdaMsPerHour / 1000) * memoryGb * HOURS_PER_MONTH;
  const requests = volume.invocationsPerHour * HOURS_PER_MONTH;
  const lines: CostLine[] = [
    { item: `Kinesis: ${shards} shard${shards === 1 ? '' : 's'}`, usd: shards * PRICES.kinesisShardHour * HOURS_PER_MONTH, basis: `$${PRICES.kinesisShardHour}/shard-hour; sized for ${PEAK_FACTOR}× the average rate` },
    { item: 'Kinesis: PUT payload units', usd: (putUnits / 1e6) * PRICES.kinesisPutUnitsPerMillion, basis: `${(putUnits / 1e6).toFixed(1)} M × $${PRICES.kinesisPutUnitsPerMillion}/M` },
    { item: 'Lambda: kinesis function duration', usd: gbSeconds * PRICES.lambdaGbSecond, basis: `${Math.round(gbSeconds).toLocaleString('en')} GB-s (${memoryGb * 1024} MB, duration as measured here) × $${PRICES.lambdaGbSecond}` },
    { item: 'Lambda: requests', usd: (requests / 1e6) * PRICES.lambdaRequestsPerMillion, basis: `${(requests / 1e6).toFixed(2)} M × $${PRICES.lambdaRequestsPerMillion}/M` },
    { item: 'DynamoDB: writes', usd: ((volume.writeUnitsPerHour * HOURS_PER_MONTH) / 1e6) * PRICES.dynamoWriteUnitsPerMillion, basis: `${((volume.writeUnitsPerHour * HOURS_PER_MONTH) / 1e6).toFixed(1)} M WRU × $${PRICES.dynamoWriteUnitsPerMillion}/M` },
    { item: 'DynamoDB: reads', usd: ((volume.readUnitsPerHour * HOURS_PER_MONTH) / 1e6) * PRICES.dynamoReadUnitsPerMillion, basis: `${((volume.readUnitsPerHour * HOURS_PER_MONTH) / 1e6).toFixed(1)} M RRU × $${PRICES.dynamoReadUnitsPerMillion}/M` },
  ];
  return { lines, total: lines.reduce((sum, line) => sum + line.usd, 0), shards };
}
