import { resolve } from 'node:path';
import { DynamoStore } from './dynamodb';
import { SqliteStore } from './sqlite';
import type { StateStore } from './types';

/** Where the SQLite state file lives when KLAXON_STATE names none: relative to the working directory. */
export const DEFAULT_STATE_PATH = '.klaxon/state.db';

/**
 * The state store the environment asks for: the DynamoDB table named by `KLAXON_TABLE`
 * when it is set (in AWS), else the SQLite file at `KLAXON_STATE` (default
 * DEFAULT_STATE_PATH, relative to the working directory).
 *
 * @throws StoreOpenError when the SQLite file cannot be opened.
 */
export function openStore(env: NodeJS.ProcessEnv = process.env): StateStore {
  if (env.KLAXON_TABLE) return new DynamoStore({ tableName: env.KLAXON_TABLE });
  return SqliteStore.open(resolve(env.KLAXON_STATE || DEFAULT_STATE_PATH));
}
