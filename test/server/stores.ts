/**
 * The stores a contract suite runs against: embedded SQLite in a temporary folder, and PostgreSQL started by
 * scripts/services.mjs (a fresh database per suite, migrated as the server migrates it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migratePostgres } from '../../server/storage/pg/migrate.ts';
import { PgUpdateStore } from '../../server/storage/pg/pg-updates.ts';
import { createPgPool, type PgPool } from '../../server/storage/pg/pool.ts';
import { openDatabase } from '../../server/storage/sqlite-db.ts';
import { SqliteUpdateStore } from '../../server/storage/sqlite-updates.ts';
import type { UpdateStore } from '../../server/storage/types.ts';
import { acquireServices, freshDatabase, releaseServices } from './services.ts';

export type StoreFactory = {
  name: string;
  open(): Promise<{ store: UpdateStore; close: () => Promise<void> }>;
};

export const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'pizhu-contract-'));
    const db = openDatabase(dir);
    return {
      store: new SqliteUpdateStore(db),
      close: async () => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** A fresh, migrated PostgreSQL database; `close` drops the pool and stops the services when last. */
export async function openPostgres(): Promise<{ url: string; pool: PgPool; close: () => Promise<void> }> {
  const services = await acquireServices();
  const url = await freshDatabase(services.databaseUrl);
  const pool = createPgPool(url);
  await migratePostgres(pool);
  return {
    url,
    pool,
    close: async () => {
      await pool.end();
      await releaseServices();
    },
  };
}

export const postgresFactory: StoreFactory = {
  name: 'postgres',
  async open() {
    const { pool, close } = await openPostgres();
    return { store: await PgUpdateStore.open(pool), close };
  },
};

export function storeFactories(): StoreFactory[] {
  return [sqliteFactory, postgresFactory];
}
