import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditAction, AuditEntry, GroupRecord, JsonObject, Silence, StateStore } from './types';

/** The schema version this code writes, kept in SQLite's `user_version` pragma. */
export const SQLITE_SCHEMA_VERSION = 2;

/** Expired rows are deleted on open and after every this many writes. */
export const HOUSEKEEPING_EVERY_WRITES = 500;

/** How long a writer waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS groups (
  fingerprint TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  version INTEGER NOT NULL,
  active_until INTEGER,
  expires_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  pending_since INTEGER
);
CREATE INDEX IF NOT EXISTS groups_active_until ON groups (active_until) WHERE active_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS groups_expires_at ON groups (expires_at);
CREATE INDEX IF NOT EXISTS groups_pending_since ON groups (pending_since) WHERE pending_since IS NOT NULL;
CREATE TABLE IF NOT EXISTS silences (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  fingerprint TEXT,
  created_at INTEGER NOT NULL,
  until INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  reason TEXT
);
CREATE TABLE IF NOT EXISTS processed_inputs (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS processed_inputs_expires_at ON processed_inputs (expires_at);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  rule TEXT,
  fingerprint TEXT,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_fingerprint ON audit (fingerprint, at, id);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at, id);
`;

/** A state file that cannot be opened or used: unreadable, not a database, or from a newer Klaxon. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

interface GroupRow {
  fingerprint: string;
  rule: string;
  version: number;
  active_until: number | null;
  expires_at: number;
  data: string;
  pending_since: number | null;
}

interface SilenceRow {
  id: string;
  rule: string;
  fingerprint: string | null;
  created_at: number;
  until: number;
  created_by: string;
  reason: string | null;
}

interface AuditRow {
  at: number;
  actor: string;
  action: string;
  rule: string | null;
  fingerprint: string | null;
  detail: string | null;
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * The embedded state store: one SQLite file (WAL mode, so `klaxon run` and a reader such
 * as `klaxon status` can share it). Every method is one statement or one transaction, so
 * the optimistic-concurrency guarantees hold across processes too.
 */
export class SqliteStore implements StateStore {
  private writesSinceHousekeeping = 0;

  private constructor(
    private readonly db: Database.Database,
    private readonly sql: Statements,
  ) {}

  /**
   * Opens (creating it and its parent directories if needed) the state file at `path`, and
   * deletes the rows that have expired.
   *
   * @throws StoreOpenError naming `path` when the file cannot be opened, is not a SQLite
   *   database, or has a schema newer than this version of Klaxon knows.
   */
  static open(path: string): SqliteStore {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      migrate(db, path);
      db.pragma('journal_mode = WAL');
      const store = new SqliteStore(db, prepareStatements(db));
      store.housekeep();
      return store;
    } catch (error) {
      db?.close();
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError(path, `cannot open the state store: ${describeError(error)}`, { cause: error });
    }
  }

  /** Deletes every group, processed input and silence that has expired at `now`. */
  housekeep(now: number = Date.now()): void {
    this.sql.deleteExpired(now);
    this.writesSinceHousekeeping = 0;
  }

  async getGroups(fingerprints: readonly string[]): Promise<Map<string, GroupRecord>> {
    const groups = new Map<string, GroupRecord>();
    if (fingerprints.length === 0) return groups;
    const rows = this.sql.getGroups.all(JSON.stringify([...new Set(fingerprints)]), Date.now()) as GroupRow[];
    for (const row of rows) groups.set(row.fingerprint, toGroup(row));
    return groups;
  }

  async getGroup(fingerprint: string): Promise<GroupRecord | undefined> {
    const row = this.sql.getGroup.get(fingerprint, Date.now()) as GroupRow | undefined;
    return row === undefined ? undefined : toGroup(row);
  }

  async putGroup(record: Omit<GroupRecord, 'version'>, expectedVersion: number | undefined): Promise<GroupRecord | undefined> {
    const row: GroupRow = {
      fingerprint: record.fingerprint,
      rule: record.rule,
      version: expectedVersion === undefined ? 1 : expectedVersion + 1,
      active_until: record.activeUntil ?? null,
      expires_at: record.expiresAt,
      data: JSON.stringify(record.data),
      pending_since: record.pendingSince ?? null,
    };
    const params = { ...row, now: Date.now(), expectedVersion: expectedVersion ?? null };
    // An expired row counts as absent: it may be created anew, and can no longer be updated.
    const changes = (expectedVersion === undefined ? this.sql.insertGroup : this.sql.updateGroup).run(params).changes;
    if (changes === 0) return undefined;
    this.wrote();
    // What a read would return: the data as JSON gives it back.
    return toGroup(row);
  }

  async listActiveGroups(now: number): Promise<GroupRecord[]> {
    return (this.sql.listActiveGroups.all({ now }) as GroupRow[]).map(toGroup);
  }

  async listPendingGroups(now: number, limit?: number): Promise<GroupRecord[]> {
    // SQLite reads a negative LIMIT as "no limit".
    return (this.sql.listPendingGroups.all({ now, limit: limit ?? -1 }) as GroupRow[]).map(toGroup);
  }

  async putSilence(silence: Silence): Promise<void> {
    this.sql.putSilence.run({
      id: silence.id,
      rule: silence.rule,
      fingerprint: silence.fingerprint ?? null,
      createdAt: silence.createdAt,
      until: silence.until,
      createdBy: silence.createdBy,
      reason: silence.reason ?? null,
    });
    this.wrote();
  }

  async deleteSilence(id: string): Promise<Silence | undefined> {
    const row = this.sql.deleteSilence.get(id) as SilenceRow | undefined;
    if (row === undefined) return undefined;
    this.wrote();
    // An ended silence was no longer in force: there was nothing to remove.
    return row.until > Date.now() ? toSilence(row) : undefined;
  }

  async listSilences(now: number): Promise<Silence[]> {
    return (this.sql.listSilences.all(now) as SilenceRow[]).map(toSilence);
  }

  async findProcessedInputs(keys: readonly string[], now: number): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = this.sql.findProcessed.all(JSON.stringify([...new Set(keys)]), now) as Array<{ key: string }>;
    return new Set(rows.map((row) => row.key));
  }

  async markInputsProcessed(keys: readonly string[], expiresAt: number): Promise<void> {
    if (keys.length === 0) return;
    this.sql.markProcessed(keys, expiresAt);
    this.wrote();
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.sql.appendAudit.run({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      rule: entry.rule ?? null,
      fingerprint: entry.fingerprint ?? null,
      detail: entry.detail ?? null,
    });
    this.wrote();
  }

  async listAudit(options: { fingerprint?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    // SQLite reads a negative LIMIT as "no limit".
    const limit = options.limit ?? -1;
    if (options.limit !== undefined && limit <= 0) return [];
    const rows =
      options.fingerprint === undefined
        ? (this.sql.listAudit.all(limit) as AuditRow[])
        : (this.sql.listAuditByFingerprint.all(options.fingerprint, limit) as AuditRow[]);
    return rows.map(toAuditEntry);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private wrote(): void {
    this.writesSinceHousekeeping += 1;
    if (this.writesSinceHousekeeping >= HOUSEKEEPING_EVERY_WRITES) this.housekeep();
  }
}

/** Creates the schema in a new file; refuses a file written by a newer schema. */
function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new StoreOpenError(
      path,
      `the state store has schema version ${version}, newer than the version ${SQLITE_SCHEMA_VERSION} this Klaxon knows; upgrade Klaxon or use another KLAXON_STATE file`,
    );
  }
  db.transaction(() => {
    // Version 2 added the outbox column; a version 1 file gains it in place.
    const groupsExist = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'groups'").get() !== undefined;
    if (version === 1 && groupsExist) db.exec('ALTER TABLE groups ADD COLUMN pending_since INTEGER');
    db.exec(SCHEMA);
    if (version < SQLITE_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}

function prepareStatements(db: Database.Database) {
  const groupColumns = 'fingerprint, rule, version, active_until, expires_at, data, pending_since';
  const deleteExpiredGroups = db.prepare('DELETE FROM groups WHERE expires_at <= ?');
  const deleteExpiredInputs = db.prepare('DELETE FROM processed_inputs WHERE expires_at <= ?');
  const deleteEndedSilences = db.prepare('DELETE FROM silences WHERE until <= ?');
  const markOne = db.prepare(
    'INSERT INTO processed_inputs (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at',
  );
  return {
    // json_each takes any number of keys in one statement, with no limit on bound variables.
    getGroups: db.prepare(`SELECT ${groupColumns} FROM groups WHERE fingerprint IN (SELECT value FROM json_each(?)) AND expires_at > ?`),
    getGroup: db.prepare(`SELECT ${groupColumns} FROM groups WHERE fingerprint = ? AND expires_at > ?`),
    insertGroup: db.prepare(
      `INSERT INTO groups (${groupColumns}) VALUES (@fingerprint, @rule, @version, @active_until, @expires_at, @data, @pending_since)
       ON CONFLICT (fingerprint) DO UPDATE SET
         rule = excluded.rule, version = excluded.version, active_until = excluded.active_until,
         expires_at = excluded.expires_at, data = excluded.data, pending_since = excluded.pending_since
       WHERE groups.expires_at <= @now`,
    ),
    updateGroup: db.prepare(
      `UPDATE groups SET rule = @rule, version = @version, active_until = @active_until, expires_at = @expires_at, data = @data,
         pending_since = @pending_since
       WHERE fingerprint = @fingerprint AND version = @expectedVersion AND expires_at > @now`,
    ),
    listPendingGroups: db.prepare(
      `SELECT ${groupColumns} FROM groups WHERE pending_since IS NOT NULL AND expires_at > @now ORDER BY pending_since, fingerprint LIMIT @limit`,
    ),
    listActiveGroups: db.prepare(`SELECT ${groupColumns} FROM groups WHERE active_until > @now AND expires_at > @now ORDER BY active_until DESC, fingerprint`),
    putSilence: db.prepare(
      `INSERT INTO silences (id, rule, fingerprint, created_at, until, created_by, reason)
       VALUES (@id, @rule, @fingerprint, @createdAt, @until, @createdBy, @reason)
       ON CONFLICT (id) DO UPDATE SET rule = excluded.rule, fingerprint = excluded.fingerprint, created_at = excluded.created_at,
         until = excluded.until, created_by = excluded.created_by, reason = excluded.reason`,
    ),
    deleteSilence: db.prepare('DELETE FROM silences WHERE id = ? RETURNING *'),
    listSilences: db.prepare('SELECT * FROM silences WHERE until > ? ORDER BY until, id'),
    findProcessed: db.prepare('SELECT key FROM processed_inputs WHERE key IN (SELECT value FROM json_each(?)) AND expires_at > ?'),
    markProcessed: db.transaction((keys: readonly string[], expiresAt: number) => {
      for (const key of keys) markOne.run(key, expiresAt);
    }),
    appendAudit: db.prepare('INSERT INTO audit (at, actor, action, rule, fingerprint, detail) VALUES (@at, @actor, @action, @rule, @fingerprint, @detail)'),
    listAudit: db.prepare('SELECT at, actor, action, rule, fingerprint, detail FROM audit ORDER BY at DESC, id DESC LIMIT ?'),
    listAuditByFingerprint: db.prepare(
      'SELECT at, actor, action, rule, fingerprint, detail FROM audit WHERE fingerprint = ? ORDER BY at DESC, id DESC LIMIT ?',
    ),
    deleteExpired: db.transaction((now: number) => {
      deleteExpiredGroups.run(now);
      deleteExpiredInputs.run(now);
      deleteEndedSilences.run(now);
    }),
  };
}

function toGroup(row: GroupRow): GroupRecord {
  const group: GroupRecord = {
    fingerprint: row.fingerprint,
    rule: row.rule,
    version: row.version,
    expiresAt: row.expires_at,
    data: JSON.parse(row.data) as JsonObject,
  };
  if (row.active_until !== null) group.activeUntil = row.active_until;
  if (row.pending_since !== null) group.pendingSince = row.pending_since;
  return group;
}

function toSilence(row: SilenceRow): Silence {
  const silence: Silence = { id: row.id, rule: row.rule, createdAt: row.created_at, until: row.until, createdBy: row.created_by };
  if (row.fingerprint !== null) silence.fingerprint = row.fingerprint;
  if (row.reason !== null) silence.reason = row.reason;
  return silence;
}

function toAuditEntry(row: AuditRow): AuditEntry {
  const entry: AuditEntry = { at: row.at, actor: row.actor, action: row.action as AuditAction };
  if (row.rule !== null) entry.rule = row.rule;
  if (row.fingerprint !== null) entry.fingerprint = row.fingerprint;
  if (row.detail !== null) entry.detail = row.detail;
  return entry;
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a parent of the path is not a directory';
  if (code === 'SQLITE_CANTOPEN') return 'cannot open or create the file (is it a directory?)';
  if (code === 'SQLITE_NOTADB') return 'not a SQLite database';
  return error instanceof Error ? error.message : String(error);
}
