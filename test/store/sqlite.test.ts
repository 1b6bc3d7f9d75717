import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HOUSEKEEPING_EVERY_WRITES, SQLITE_SCHEMA_VERSION, SqliteStore, StoreOpenError } from '../../src/store/sqlite';
import { describeStoreContract } from './contract';

const HOUR = 3_600_000;

let dir: string;
let files = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'klaxon-sqlite-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function freshPath(): string {
  files += 1;
  return join(dir, `state-${files}.db`);
}

/** Reads a table of the state file directly, behind the store's back. */
function countRows(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describeStoreContract('SQLite', async () => SqliteStore.open(freshPath()));

describe('SqliteStore', () => {
  it('creates the parent directories and uses WAL mode with the current schema version', async () => {
    const path = join(dir, 'nested', 'deeper', 'state.db');
    const store = SqliteStore.open(path);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    db.close();
  });

  it('keeps everything across close and reopen', async () => {
    const path = freshPath();
    const until = Date.now() + HOUR;
    const first = SqliteStore.open(path);
    const written = await first.putGroup({ fingerprint: 'r:1', rule: 'r', activeUntil: until, expiresAt: until, data: { n: [1, 'ü'] } }, undefined);
    await first.putSilence({ id: 's1', rule: 'r', createdAt: 1, until, createdBy: 'U1' });
    await first.markInputsProcessed(['in-1'], until);
    await first.appendAudit({ at: 1, actor: 'klaxon', action: 'post', fingerprint: 'r:1' });
    await first.close();

    const second = SqliteStore.open(path);
    expect(await second.getGroup('r:1')).toEqual(written);
    expect(await second.listActiveGroups(Date.now())).toEqual([written]);
    expect((await second.listSilences(Date.now())).map((s) => s.id)).toEqual(['s1']);
    expect(await second.findProcessedInputs(['in-1'], Date.now())).toEqual(new Set(['in-1']));
    expect(await second.listAudit({ fingerprint: 'r:1' })).toEqual([{ at: 1, actor: 'klaxon', action: 'post', fingerprint: 'r:1' }]);
    // Versions continue from the stored one.
    expect(await second.putGroup({ fingerprint: 'r:1', rule: 'r', expiresAt: until, data: {} }, 1)).toMatchObject({ version: 2 });
    await second.close();
  });

  it('upgrades a version 1 file in place: its groups are kept and the outbox works', async () => {
    const path = freshPath();
    const v1 = new Database(path);
    v1.exec(`CREATE TABLE groups (fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, version INTEGER NOT NULL, active_until INTEGER, expires_at INTEGER NOT NULL, data TEXT NOT NULL)`);
    v1.prepare('INSERT INTO groups VALUES (?, ?, 1, NULL, ?, ?)').run('r:old', 'r', Date.now() + HOUR, '{"kept":true}');
    v1.pragma('user_version = 1');
    v1.close();
    const store = SqliteStore.open(path);
    expect((await store.getGroup('r:old'))?.data).toEqual({ kept: true });
    await store.putGroup({ fingerprint: 'r:old', rule: 'r', expiresAt: Date.now() + HOUR, pendingSince: 5, data: {} }, 1);
    expect((await store.listPendingGroups(Date.now())).map((g) => g.fingerprint)).toEqual(['r:old']);
    await store.close();
  });

  it('refuses a file written with a newer schema, naming it', () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => SqliteStore.open(path)).toThrow(StoreOpenError);
    expect(() => SqliteStore.open(path)).toThrow(`${path}: the state store has schema version ${SQLITE_SCHEMA_VERSION + 1}, newer than`);
  });

  it('names the path when the file cannot be opened', () => {
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, 'text');
    const below = join(notADirectory, 'state.db');
    expect(() => SqliteStore.open(below)).toThrow(`${below}: cannot open the state store: a parent of the path is not a directory`);
    expect(() => SqliteStore.open(dir)).toThrow(`${dir}: cannot open the state store: cannot open or create the file`);
  });

  it('names the path when the file is not a SQLite database', () => {
    const path = join(dir, 'not-a-db');
    writeFileSync(path, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    expect(() => SqliteStore.open(path)).toThrow(`${path}: cannot open the state store: not a SQLite database`);
  });

  it('deletes expired rows on open, and after every so many writes', async () => {
    const path = freshPath();
    const past = Date.now() - 1000;
    const future = Date.now() + HOUR;
    const store = SqliteStore.open(path);
    await store.putGroup({ fingerprint: 'r:old', rule: 'r', expiresAt: past, data: {} }, undefined);
    await store.putGroup({ fingerprint: 'r:new', rule: 'r', expiresAt: future, data: {} }, undefined);
    await store.putSilence({ id: 'old', rule: 'r', createdAt: 0, until: past, createdBy: 'cli' });
    await store.putSilence({ id: 'new', rule: 'r', createdAt: 0, until: future, createdBy: 'cli' });
    await store.markInputsProcessed(['old'], past);
    await store.markInputsProcessed(['new'], future);
    await store.close();
    expect([countRows(path, 'groups'), countRows(path, 'silences'), countRows(path, 'processed_inputs')]).toEqual([2, 2, 2]);

    const reopened = SqliteStore.open(path);
    expect([countRows(path, 'groups'), countRows(path, 'silences'), countRows(path, 'processed_inputs')]).toEqual([1, 1, 1]);

    await reopened.markInputsProcessed(['expired-later'], past);
    expect(countRows(path, 'processed_inputs')).toBe(2);
    // The writes so far count towards the next housekeeping; these reach it.
    for (let i = 0; i < HOUSEKEEPING_EVERY_WRITES; i++) await reopened.appendAudit({ at: i, actor: 'klaxon', action: 'update' });
    expect(countRows(path, 'processed_inputs')).toBe(1);
    await reopened.close();
  });

  it('is unusable after close', async () => {
    const store = SqliteStore.open(freshPath());
    await store.close();
    await expect(store.getGroup('r:1')).rejects.toThrow();
  });
});
