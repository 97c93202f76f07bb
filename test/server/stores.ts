/**
 * The stores a contract suite runs against: embedded SQLite in a temporary folder, and PostgreSQL from
 * scripts/services.mjs once it is available.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/storage/sqlite-db.ts';
import { SqliteUpdateStore } from '../../server/storage/sqlite-updates.ts';
import type { UpdateStore } from '../../server/storage/types.ts';

export type StoreFactory = {
  name: string;
  open(): Promise<{ store: UpdateStore; close: () => Promise<void> }>;
};

const sqlite: StoreFactory = {
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

export function storeFactories(): StoreFactory[] {
  return [sqlite];
}
