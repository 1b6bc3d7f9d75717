/**
 * The state store: everything Klaxon must remember between Lambda invocations (or runs of
 * `klaxon run`). One interface, two implementations: SQLite on disk (the embedded default)
 * and DynamoDB (one table, on AWS). Both pass the same contract suite (test/store/contract.ts).
 *
 * The store knows nothing about alerts: a group's state is an opaque JSON object that the
 * lifecycle (src/alerts/) reads and writes under optimistic concurrency (`version`).
 */

/** A JSON object as the store keeps it: written with JSON.stringify, read back with JSON.parse. */
export type JsonObject = { [key: string]: unknown };

/**
 * The state of one alert group (one fingerprint): threshold window, open alert, Slack
 * message, acknowledgement. `version` starts at 1 on the first write and goes up by one
 * on every write; a write names the version it read, so two writers cannot both win.
 */
export interface GroupRecord {
  /** `rule:hash` from the engine; the primary key. */
  fingerprint: string;
  rule: string;
  version: number;
  /**
   * Epoch ms until which the group counts as an open alert (listed by `/klaxon status`);
   * absent when it has none.
   */
  activeUntil?: number;
  /** Epoch ms after which the record may be deleted (DynamoDB TTL; SQLite housekeeping). */
  expiresAt: number;
  /**
   * Epoch ms since when the group has had a Slack post or update waiting (the outbox);
   * absent when everything it has is delivered. Listed by `listPendingGroups`.
   */
  pendingSince?: number;
  data: JsonObject;
}

/** A silence: matching alerts are counted, not posted, until `until`. */
export interface Silence {
  /** Short, unique, typeable (`/klaxon unsilence ID`). */
  id: string;
  rule: string;
  /** One alert group; absent: the whole rule is silenced. */
  fingerprint?: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; the silence ends here. */
  until: number;
  /** Slack user id, or `cli` / `klaxon`. */
  createdBy: string;
  reason?: string;
}

export type AuditAction =
  | 'post'
  | 'update'
  | 'suppress'
  | 'acknowledge'
  | 'unacknowledge'
  | 'silence'
  | 'unsilence'
  | 'refuse';

/** One line of the audit log: who did what to which alert, when. */
export interface AuditEntry {
  /** Epoch ms. */
  at: number;
  /** Slack user id, or `klaxon` for the lifecycle's own actions. */
  actor: string;
  action: AuditAction;
  rule?: string;
  fingerprint?: string;
  /** Free text: the silence id and expiry, the message ts, the count posted... */
  detail?: string;
}

export interface StateStore {
  /** The records that exist among `fingerprints` (any order, duplicates allowed), keyed by fingerprint. */
  getGroups(fingerprints: readonly string[]): Promise<Map<string, GroupRecord>>;
  getGroup(fingerprint: string): Promise<GroupRecord | undefined>;
  /**
   * Writes `record` if the stored version is still `expectedVersion` (`undefined`: the
   * record must not exist yet). Stores it with version `expectedVersion + 1` (or 1) and
   * returns that record; returns undefined, writing nothing, when another writer got there
   * first.
   */
  putGroup(record: Omit<GroupRecord, 'version'>, expectedVersion: number | undefined): Promise<GroupRecord | undefined>;
  /** Groups whose `activeUntil` is after `now`, soonest-ending last (most recent first). */
  listActiveGroups(now: number): Promise<GroupRecord[]>;
  /** The outbox: groups with `pendingSince`, longest waiting first, at most `limit` (default all). */
  listPendingGroups(now: number, limit?: number): Promise<GroupRecord[]>;

  putSilence(silence: Silence): Promise<void>;
  /** Removes a silence; returns it, or undefined when there was none with that id. */
  deleteSilence(id: string): Promise<Silence | undefined>;
  /** Silences still in force at `now` (`until > now`), ending soonest first. */
  listSilences(now: number): Promise<Silence[]>;

  /** Which of `keys` were marked processed (and have not expired at `now`). */
  findProcessedInputs(keys: readonly string[], now: number): Promise<Set<string>>;
  /** Marks input keys processed until `expiresAt` (epoch ms). Marking twice is harmless. */
  markInputsProcessed(keys: readonly string[], expiresAt: number): Promise<void>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; only one group's entries when `fingerprint` is given. */
  listAudit(options?: { fingerprint?: string; limit?: number }): Promise<AuditEntry[]>;

  /** Releases the file or client. The store is unusable afterwards. */
  close(): Promise<void>;
}
