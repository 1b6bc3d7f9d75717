/**
 * One shared state for several invocations or processes, on each store Klaxon has: an SQLite
 * file opened once per handle, and a DynamoDB table (dynalite on loopback) with a client per
 * handle. `useSharedStates()` starts dynalite for the test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DynamoStore, tableDefinition } from '../../src/store/dynamodb';
import { SqliteStore } from '../../src/store/sqlite';
import type { StateStore } from '../../src/store/types';

export interface SharedState {
  /** One more handle on the state (one per container or process). */
  open(): StateStore;
  cleanup(): Promise<void>;
}

export interface StateBackend {
  name: string;
  /** A fresh shared state. */
  fresh(): Promise<SharedState>;
}

/** The backends, with dynalite started before the file's tests and stopped after them. */
export function useSharedStates(prefix: string): StateBackend[] {
  let server: Server | undefined;
  let config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } | undefined;
  let tables = 0;
  beforeAll(async () => {
    const started = dynalite({ createTableMs: 0 });
    server = started;
    await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
    const { port } = started.address() as AddressInfo;
    config = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });
  return [
    {
      name: 'SQLite (one file, a handle each)',
      async fresh() {
        const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
        return { open: () => SqliteStore.open(join(dir, 'state.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: 'DynamoDB (dynalite, a client each)',
      async fresh() {
        const admin = new DynamoDBClient(config ?? {});
        const table = `${prefix}-${++tables}`;
        await admin.send(new CreateTableCommand(tableDefinition(table)));
        admin.destroy();
        return { open: () => new DynamoStore({ tableName: table, client: new DynamoDBClient(config ?? {}) }), cleanup: async () => undefined };
      },
    },
  ];
}
