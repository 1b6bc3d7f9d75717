import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoStore } from '../../src/store/dynamodb';
import { DEFAULT_STATE_PATH, openStore } from '../../src/store/open-store';
import { SqliteStore } from '../../src/store/sqlite';

describe('openStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-open-store-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the DynamoDB table named by KLAXON_TABLE, even when KLAXON_STATE is set', async () => {
    const store = openStore({ KLAXON_TABLE: 'klaxon-state', KLAXON_STATE: join(dir, 'unused.db') });
    expect(store).toBeInstanceOf(DynamoStore);
    expect(existsSync(join(dir, 'unused.db'))).toBe(false);
    await store.close();
  });

  it('opens the SQLite file named by KLAXON_STATE', async () => {
    const path = join(dir, 'sub', 'state.db');
    const store = openStore({ KLAXON_STATE: path });
    expect(store).toBeInstanceOf(SqliteStore);
    await store.putSilence({ id: 's1', rule: 'r', createdAt: 0, until: Date.now() + 60_000, createdBy: 'cli' });
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it('opens .klaxon/state.db in the working directory by default, and when KLAXON_TABLE is empty', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const env of [{}, { KLAXON_TABLE: '', KLAXON_STATE: '' }]) {
        const store = openStore(env);
        expect(store).toBeInstanceOf(SqliteStore);
        await store.close();
      }
    } finally {
      process.chdir(cwd);
    }
    expect(DEFAULT_STATE_PATH).toBe(join('.klaxon', 'state.db'));
    expect(existsSync(join(dir, '.klaxon', 'state.db'))).toBe(true);
  });
});
