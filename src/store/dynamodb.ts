import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type BatchGetCommandInput,
  type BatchWriteCommandInput,
  type PutCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditAction, AuditEntry, GroupRecord, JsonObject, Silence, StateStore } from './types';

/*
 * Single-table layout (`pk`, `sk` both strings):
 *
 *   item             pk                   sk                       other attributes
 *   alert group      GROUP#<fingerprint>  GROUP                    fingerprint, rule, version, data (compressed JSON, binary),
 *                                                                  activeUntil + activePk (only while active)
 *   silence          SILENCE              <silence id>             the Silence fields
 *   processed input  INPUT#<key>          INPUT                    -
 *   audit entry      AUDIT#<fingerprint>  <at, 15 digits>#<seq>    auditPk = AUDIT, the AuditEntry fields
 *                    (AUDIT without one)
 *
 * Every item but audit entries carries `expiresAt` (the TTL attribute, epoch seconds) and
 * `expiresAtMs` (the exact expiry the store filters on: TTL deletion lags by up to days).
 */

/** The TTL attribute (epoch seconds), to enable with UpdateTimeToLive when deploying. */
export const TTL_ATTRIBUTE = 'expiresAt';
/** Sparse index of the groups with an open alert: partition `activePk`, sort `activeUntil` (number). */
export const ACTIVE_INDEX = 'active';
/** Index of all audit entries: partition `auditPk`, sort `sk`. */
export const AUDIT_INDEX = 'audit';
/** Sparse index of the outbox, the groups with a Slack post or update waiting: partition `pendingPk`, sort `pendingSince` (number). */
export const PENDING_INDEX = 'pending';

/** DynamoDB refuses items over 400 KB; Klaxon refuses group records well before that. */
export const MAX_GROUP_ITEM_BYTES = 350 * 1024;

const EXPIRES_MS = 'expiresAtMs';
const ACTIVE_PK = 'activePk';
const AUDIT_PK = 'auditPk';
const PENDING_PK = 'pendingPk';
const PENDING = 'PENDING';
// One constant partition per index: an open alert or an audit entry is written at the
// pace of Slack posts and clicks, far below the per-partition limit (1,000 writes/s).
const ACTIVE = 'ACTIVE';
const AUDIT = 'AUDIT';
const SILENCE = 'SILENCE';
const GROUP_SK = 'GROUP';
const INPUT_SK = 'INPUT';

const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/**
 * The CreateTable request for Klaxon's table: on-demand billing, the key schema and the two
 * indexes. TTL is set separately (UpdateTimeToLive on TTL_ATTRIBUTE). The deployment
 * template mirrors this.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: ACTIVE_PK, AttributeType: 'S' },
      { AttributeName: 'activeUntil', AttributeType: 'N' },
      { AttributeName: AUDIT_PK, AttributeType: 'S' },
      { AttributeName: PENDING_PK, AttributeType: 'S' },
      { AttributeName: 'pendingSince', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ACTIVE_INDEX,
        KeySchema: [
          { AttributeName: ACTIVE_PK, KeyType: 'HASH' },
          { AttributeName: 'activeUntil', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: AUDIT_INDEX,
        KeySchema: [
          { AttributeName: AUDIT_PK, KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: PENDING_INDEX,
        KeySchema: [
          { AttributeName: PENDING_PK, KeyType: 'HASH' },
          { AttributeName: 'pendingSince', KeyType: 'RANGE' },
        ],
        // Keys only: the drainer reads each group again, strongly consistent, before delivering.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

export interface DynamoStoreOptions {
  tableName: string;
  /** Default: a client from the standard AWS configuration (environment, profile, role). */
  client?: DynamoDBClient;
  /** Retries of the items a batch call leaves unprocessed (throttling): attempts in all, first delay. */
  batchRetry?: { attempts: number; baseDelayMs: number };
}

/**
 * The state store on AWS: one DynamoDB table (see tableDefinition). Group writes are
 * conditional on the version read; reads of groups and inputs are strongly consistent;
 * listActiveGroups and listAudit without a fingerprint read indexes, which lag writes by
 * a moment. It logs nothing; errors carry no item contents.
 */
export class DynamoStore implements StateStore {
  private readonly table: string;
  private readonly client: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  private readonly ownsClient: boolean;
  private readonly batchRetry: { attempts: number; baseDelayMs: number };

  constructor(options: DynamoStoreOptions) {
    this.table = options.tableName;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new DynamoDBClient({});
    this.doc = DynamoDBDocumentClient.from(this.client);
    this.batchRetry = options.batchRetry ?? { attempts: 8, baseDelayMs: 50 };
  }

  async getGroups(fingerprints: readonly string[]): Promise<Map<string, GroupRecord>> {
    const keys = [...new Set(fingerprints)].map(groupKey);
    const now = Date.now();
    const groups = new Map<string, GroupRecord>();
    for (const item of await this.batchGet(keys)) {
      if (!expired(item, now)) {
        const group = toGroup(item);
        groups.set(group.fingerprint, group);
      }
    }
    return groups;
  }

  async getGroup(fingerprint: string): Promise<GroupRecord | undefined> {
    return (await this.getGroups([fingerprint])).get(fingerprint);
  }

  async putGroup(record: Omit<GroupRecord, 'version'>, expectedVersion: number | undefined): Promise<GroupRecord | undefined> {
    const json = JSON.stringify(record.data);
    const item = toGroupItem(record, json, expectedVersion === undefined ? 1 : expectedVersion + 1);
    // An expired item counts as absent (TTL has not got to it yet): it may be created anew,
    // and can no longer be updated. Each branch names only the attributes it uses, as
    // DynamoDB refuses unused expression names.
    const condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
      expectedVersion === undefined
        ? {
            ConditionExpression: 'attribute_not_exists(pk) OR #expiresAtMs <= :now',
            ExpressionAttributeNames: { '#expiresAtMs': EXPIRES_MS },
            ExpressionAttributeValues: { ':now': Date.now() },
          }
        : {
            ConditionExpression: '#version = :expected AND #expiresAtMs > :now',
            ExpressionAttributeNames: { '#version': 'version', '#expiresAtMs': EXPIRES_MS },
            ExpressionAttributeValues: { ':now': Date.now(), ':expected': expectedVersion },
          };
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ...condition }));
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
    // What a read would return: the data as JSON gives it back (from the text just written, not decompressed again).
    return toGroup(item, JSON.parse(json) as JsonObject);
  }

  async listActiveGroups(now: number): Promise<GroupRecord[]> {
    const items = await this.query({
      IndexName: ACTIVE_INDEX,
      KeyConditionExpression: '#activePk = :active AND #activeUntil > :now',
      FilterExpression: '#expiresAtMs > :now',
      ExpressionAttributeNames: { '#activePk': ACTIVE_PK, '#activeUntil': 'activeUntil', '#expiresAtMs': EXPIRES_MS },
      ExpressionAttributeValues: { ':active': ACTIVE, ':now': now },
      ScanIndexForward: false,
    });
    // The index orders by activeUntil; ties by fingerprint, as the SQLite store does.
    return items.map((item) => toGroup(item)).sort((a, b) => (b.activeUntil ?? 0) - (a.activeUntil ?? 0) || compare(a.fingerprint, b.fingerprint));
  }

  async listPendingGroups(now: number, limit?: number): Promise<GroupRecord[]> {
    const keys = await this.query(
      {
        IndexName: PENDING_INDEX,
        KeyConditionExpression: '#pendingPk = :pending',
        ExpressionAttributeNames: { '#pendingPk': PENDING_PK },
        ExpressionAttributeValues: { ':pending': PENDING },
        ScanIndexForward: true,
      },
      limit,
    );
    // The index lags writes by a moment: read the groups themselves, and keep those still waiting.
    const groups = await this.getGroups(keys.map((k) => readString(k, 'pk').slice(GROUP_PREFIX.length)));
    void now;
    return [...groups.values()]
      .filter((g) => g.pendingSince !== undefined)
      .sort((a, b) => (a.pendingSince ?? 0) - (b.pendingSince ?? 0) || compare(a.fingerprint, b.fingerprint));
  }

  async putSilence(silence: Silence): Promise<void> {
    const item: Item = {
      pk: SILENCE,
      sk: silence.id,
      id: silence.id,
      rule: silence.rule,
      createdAt: silence.createdAt,
      until: silence.until,
      createdBy: silence.createdBy,
      [TTL_ATTRIBUTE]: ttlSeconds(silence.until),
    };
    if (silence.fingerprint !== undefined) item.fingerprint = silence.fingerprint;
    if (silence.reason !== undefined) item.reason = silence.reason;
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  async deleteSilence(id: string): Promise<Silence | undefined> {
    const out = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: SILENCE, sk: id }, ReturnValues: 'ALL_OLD' }));
    if (out.Attributes === undefined) return undefined;
    const silence = toSilence(out.Attributes);
    // An ended silence was no longer in force: there was nothing to remove.
    return silence.until > Date.now() ? silence : undefined;
  }

  async listSilences(now: number): Promise<Silence[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :silence',
      FilterExpression: '#until > :now',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':silence': SILENCE, ':now': now },
    });
    return items.map(toSilence).sort((a, b) => a.until - b.until || compare(a.id, b.id));
  }

  async findProcessedInputs(keys: readonly string[], now: number): Promise<Set<string>> {
    const items = await this.batchGet([...new Set(keys)].map(inputKey), {
      ProjectionExpression: 'pk, #expiresAtMs',
      ExpressionAttributeNames: { '#expiresAtMs': EXPIRES_MS },
    });
    const found = new Set<string>();
    for (const item of items) {
      if (!expired(item, now)) found.add(readString(item, 'pk').slice(INPUT_PREFIX.length));
    }
    return found;
  }

  async markInputsProcessed(keys: readonly string[], expiresAt: number): Promise<void> {
    const items = [...new Set(keys)].map((key) => ({ ...inputKey(key), [TTL_ATTRIBUTE]: ttlSeconds(expiresAt), [EXPIRES_MS]: expiresAt }));
    await this.batchWrite(items);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const item: Item = {
      pk: entry.fingerprint === undefined ? AUDIT : `${AUDIT}#${entry.fingerprint}`,
      sk: auditSortKey(entry.at),
      [AUDIT_PK]: AUDIT,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
    };
    if (entry.rule !== undefined) item.rule = entry.rule;
    if (entry.fingerprint !== undefined) item.fingerprint = entry.fingerprint;
    if (entry.detail !== undefined) item.detail = entry.detail;
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  /*
   * One group's entries are one partition, read with a Query on the table. All entries
   * are read from the `audit` index, whose single partition holds every entry in time
   * order: one write per entry (writing a second copy under a constant partition would
   * double the writes and could leave the two copies disagreeing), at the cost of the
   * index lagging the table by a moment, which an audit listing can afford.
   */
  async listAudit(options: { fingerprint?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    if (options.limit !== undefined && options.limit <= 0) return [];
    const query: Omit<QueryCommandInput, 'TableName'> =
      options.fingerprint === undefined
        ? {
            IndexName: AUDIT_INDEX,
            KeyConditionExpression: '#auditPk = :audit',
            ExpressionAttributeNames: { '#auditPk': AUDIT_PK },
            ExpressionAttributeValues: { ':audit': AUDIT },
          }
        : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${AUDIT}#${options.fingerprint}` } };
    const items = await this.query({ ...query, ScanIndexForward: false }, options.limit);
    return items.map(toAuditEntry);
  }

  async close(): Promise<void> {
    // A client passed in belongs to the caller, who may still use it.
    if (this.ownsClient) this.client.destroy();
  }

  /** Every page of a query, or the first `limit` items. */
  private async query(input: Omit<QueryCommandInput, 'TableName'>, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const remaining = limit === undefined ? undefined : limit - items.length;
      const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: startKey, Limit: remaining }));
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && (limit === undefined || items.length < limit));
    return items;
  }

  /** Strongly consistent BatchGetItem of any number of distinct keys, in chunks of 100. */
  private async batchGet(keys: readonly Key[], projection: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } = {}): Promise<Item[]> {
    const chunks = chunk(keys, BATCH_GET_MAX).map(async (part) => {
      const items: Item[] = [];
      let request: BatchGetCommandInput['RequestItems'] = { [this.table]: { Keys: part, ConsistentRead: true, ...projection } };
      await this.withBatchRetry('BatchGetItem', async () => {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        items.push(...(out.Responses?.[this.table] ?? []));
        const unprocessed = out.UnprocessedKeys?.[this.table];
        request = { [this.table]: unprocessed ?? { Keys: [] } };
        return unprocessed?.Keys?.length ?? 0;
      });
      return items;
    });
    return (await Promise.all(chunks)).flat();
  }

  /** BatchWriteItem puts of any number of items with distinct keys, in chunks of 25. */
  private async batchWrite(items: readonly Item[]): Promise<void> {
    const chunks = chunk(items, BATCH_WRITE_MAX).map(async (part) => {
      let request: BatchWriteCommandInput['RequestItems'] = { [this.table]: part.map((item) => ({ PutRequest: { Item: item } })) };
      await this.withBatchRetry('BatchWriteItem', async () => {
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: request }));
        const unprocessed = out.UnprocessedItems?.[this.table] ?? [];
        request = { [this.table]: unprocessed };
        return unprocessed.length;
      });
    });
    await Promise.all(chunks);
  }

  /** Calls `attempt` (which returns how many items it left unprocessed) until none are left, backing off between calls. */
  private async withBatchRetry(operation: string, attempt: () => Promise<number>): Promise<void> {
    const { attempts, baseDelayMs } = this.batchRetry;
    for (let n = 1; ; n++) {
      const left = await attempt();
      if (left === 0) return;
      if (n >= attempts) throw new Error(`DynamoDB ${operation} on ${this.table} left ${left} item(s) unprocessed after ${attempts} attempts (throttled?)`);
      // Exponential backoff with jitter, capped at 64 times the first delay.
      await sleep(baseDelayMs * 2 ** Math.min(n - 1, 6) * (0.5 + Math.random() / 2));
    }
  }
}

const GROUP_PREFIX = 'GROUP#';
const INPUT_PREFIX = 'INPUT#';

function groupKey(fingerprint: string): Key {
  return { pk: `${GROUP_PREFIX}${fingerprint}`, sk: GROUP_SK };
}

function inputKey(key: string): Key {
  return { pk: `${INPUT_PREFIX}${key}`, sk: INPUT_SK };
}

/**
 * `data` is kept as JSON, not a DynamoDB map: the marshaller refuses `undefined` values and
 * numbers it cannot keep exactly, and a map's empty strings, empty sets and key order have
 * their own rules. The JSON is stored compressed, as a binary attribute: a group's sample
 * events repeat the same field names and texts, and shrink about fivefold, which the SDK,
 * the network and DynamoDB's write units (one per KB) all pay for. A record written by a
 * Klaxon that stored the JSON text (a string attribute) is still read.
 */
export function encodeGroupPayload(json: string): Uint8Array {
  const deflated = deflateRawSync(json, { level: DEFLATE_LEVEL });
  const payload = new Uint8Array(deflated.length + 1);
  payload[0] = PAYLOAD_DEFLATE_RAW;
  payload.set(deflated, 1);
  return payload;
}

/** The JSON text of a stored `data`: compressed (this Klaxon) or text (earlier ones). */
export function decodeGroupPayload(fingerprint: string, data: unknown): string {
  if (typeof data === 'string') return data;
  if (!(data instanceof Uint8Array)) throw new Error(`malformed item in the state table: group ${fingerprint} has data that is neither text nor binary`);
  if (data[0] !== PAYLOAD_DEFLATE_RAW) throw new Error(`state store: group ${fingerprint} is stored in an unknown format (${String(data[0])}); was it written by a newer Klaxon?`);
  return inflateRawSync(data.subarray(1)).toString('utf8');
}

/** First byte of a binary `data`: how the rest is encoded. */
const PAYLOAD_DEFLATE_RAW = 1;
/** Fast and almost as small as the default (6) on group records. */
const DEFLATE_LEVEL = 3;

function toGroupItem(group: Omit<GroupRecord, 'version'>, json: string, version: number): Item {
  const item: Item = {
    ...groupKey(group.fingerprint),
    fingerprint: group.fingerprint,
    rule: group.rule,
    version,
    data: encodeGroupPayload(json),
    [TTL_ATTRIBUTE]: ttlSeconds(group.expiresAt),
    [EXPIRES_MS]: group.expiresAt,
  };
  // Only active groups carry the index's partition key: the index stays small (sparse).
  if (group.activeUntil !== undefined) {
    item.activeUntil = group.activeUntil;
    item[ACTIVE_PK] = ACTIVE;
  }
  if (group.pendingSince !== undefined) {
    item.pendingSince = group.pendingSince;
    item[PENDING_PK] = PENDING;
  }
  const bytes = itemBytes(item);
  if (bytes > MAX_GROUP_ITEM_BYTES) {
    throw new Error(
      `group ${group.fingerprint}: the record is ${Math.ceil(bytes / 1024)} KB, over the ${MAX_GROUP_ITEM_BYTES / 1024} KB Klaxon allows a DynamoDB item (the limit is 400 KB); group data must stay small`,
    );
  }
  return item;
}

/** A group from its item; `data` when the caller has it parsed already. */
function toGroup(item: Item, data?: JsonObject): GroupRecord {
  const fingerprint = readString(item, 'fingerprint');
  const group: GroupRecord = {
    fingerprint,
    rule: readString(item, 'rule'),
    version: readNumber(item, 'version'),
    expiresAt: readNumber(item, EXPIRES_MS),
    data: data ?? (JSON.parse(decodeGroupPayload(fingerprint, item.data)) as JsonObject),
  };
  if (item.activeUntil !== undefined) group.activeUntil = readNumber(item, 'activeUntil');
  if (item.pendingSince !== undefined) group.pendingSince = readNumber(item, 'pendingSince');
  return group;
}

function toSilence(item: Item): Silence {
  const silence: Silence = {
    id: readString(item, 'id'),
    rule: readString(item, 'rule'),
    createdAt: readNumber(item, 'createdAt'),
    until: readNumber(item, 'until'),
    createdBy: readString(item, 'createdBy'),
  };
  if (item.fingerprint !== undefined) silence.fingerprint = readString(item, 'fingerprint');
  if (item.reason !== undefined) silence.reason = readString(item, 'reason');
  return silence;
}

function toAuditEntry(item: Item): AuditEntry {
  const entry: AuditEntry = { at: readNumber(item, 'at'), actor: readString(item, 'actor'), action: readString(item, 'action') as AuditAction };
  if (item.rule !== undefined) entry.rule = readString(item, 'rule');
  if (item.fingerprint !== undefined) entry.fingerprint = readString(item, 'fingerprint');
  if (item.detail !== undefined) entry.detail = readString(item, 'detail');
  return entry;
}

/** An item's size as DynamoDB counts it: names and string values in UTF-8 bytes, binary values in bytes, numbers at most 21 bytes. */
function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : value instanceof Uint8Array ? value.length : 21);
  }
  return bytes;
}

function expired(item: Item, now: number): boolean {
  return readNumber(item, EXPIRES_MS) <= now;
}

/** DynamoDB TTL is in epoch seconds; rounding up never deletes an item before it expires. */
function ttlSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}

let auditSequence = 0;

/**
 * Time order, then order of appending within this process (a counter), then a random
 * suffix so that two processes appending at the same millisecond never collide.
 */
function auditSortKey(at: number): string {
  auditSequence += 1;
  const time = String(Math.max(0, Math.floor(at))).padStart(15, '0');
  return `${time}#${String(auditSequence).padStart(12, '0')}#${randomBytes(4).toString('hex')}`;
}

function readString(item: Item, name: string): string {
  const value = item[name];
  if (typeof value !== 'string') throw new Error(`malformed item in the state table: ${name} is not a string`);
  return value;
}

function readNumber(item: Item, name: string): number {
  const value = item[name];
  if (typeof value !== 'number') throw new Error(`malformed item in the state table: ${name} is not a number`);
  return value;
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
