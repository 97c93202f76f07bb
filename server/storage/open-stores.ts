/**
 * The stores the configuration selects: PostgreSQL when DATABASE_URL is set (schema migrated at open), else the
 * embedded SQLite file in DATA_DIR. The server and the CLI open them the same way.
 */
import type { ServerConfig } from '../config.ts';
import { type ClientOwnerStore, SqliteClientOwners } from '../guard/client-owners.ts';
import { PgAnnotationIndex } from '../index-db/pg-index.ts';
import { SqliteAnnotationIndex } from '../index-db/sqlite-index.ts';
import type { TaskIndex } from '../index-db/tasks-index.ts';
import type { AnnotationQueries, IndexSink } from '../index-db/types.ts';
import type { Logger } from '../log.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { type HealthCheck, StorageHealth } from './health.ts';
import { migratePostgres } from './pg/migrate.ts';
import { PendingClaims, PgClientOwners } from './pg/pg-client-owners.ts';
import { PgHealth } from './pg/pg-health.ts';
import { PgTeamStore } from './pg/pg-teams.ts';
import { PgUnitCache } from './pg/pg-units.ts';
import { PgUpdateStore } from './pg/pg-updates.ts';
import { connectPool, createPgPool, redactUrl } from './pg/pool.ts';
import { openDatabase } from './sqlite-db.ts';
import { SqliteTeamStore } from './sqlite-teams.ts';
import { SqliteUpdateStore } from './sqlite-updates.ts';
import type { TeamStore, UpdateStore } from './types.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

export type Stores = {
  /** Where the data lives, for the startup line: the data folder or the database URL without its password. */
  location: string;
  updates: UpdateStore;
  teams: TeamStore;
  index: IndexSink & AnnotationQueries;
  /** Tasks and progress in the query index. */
  tasks: TaskIndex;
  owners: ClientOwnerStore;
  health: HealthCheck;
  close(): Promise<void>;
};

export type OpenOptions = {
  log: Logger;
  /** The server (not the CLI) keeps the data folder to itself, unless instances share it on purpose (tests). */
  lockDataDir: boolean;
  /** Background work of a long-running server: SQLite checkpoints, health probes. */
  serving: boolean;
};

export function openStores(config: ServerConfig, options: OpenOptions): Promise<Stores> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, options) : Promise.resolve(openSqlite(config, options));
}

function openSqlite(config: ServerConfig, { log, lockDataDir: lock, serving }: OpenOptions): Stores {
  const dirLock = lock ? lockDataDir(config.dataDir) : null;
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(config.dataDir, config.sqliteSynchronous);
  } catch (error) {
    dirLock?.release();
    throw error;
  }
  const checkpointer = serving
    ? new WalCheckpointer(db, {
        intervalMs: config.timings.checkpointMs,
        onError: (error) => log.error('storage', 'checkpointing the write-ahead log', error),
      })
    : null;
  const index = new SqliteAnnotationIndex(db, (error) => log.error('index', 'writing the query index failed', error));
  return {
    location: config.dataDir,
    updates: new SqliteUpdateStore(db),
    teams: new SqliteTeamStore(db),
    index,
    tasks: index.tasks,
    owners: new SqliteClientOwners(db),
    health: new StorageHealth(db, config.dataDir, config.limits.minFreeDiskBytes, log),
    async close() {
      await checkpointer?.close();
      db.close();
      dirLock?.release();
    },
  };
}

async function openPostgres(databaseUrl: string, { log, serving }: OpenOptions): Promise<Stores> {
  const pool = createPgPool(databaseUrl, { max: serving ? 20 : 2 });
  // The write rules' units, kept fresh by listening (a server's); the CLI writes units and never reads them.
  const units = new PgUnitCache(pool, databaseUrl, log);
  try {
    await connectPool(pool, databaseUrl);
    await migratePostgres(pool);
    const claims = new PendingClaims();
    if (serving) await units.start();
    const health = serving ? new PgHealth(pool, log) : { check: () => ({ ok: true }) as const, close() {} };
    const index = new PgAnnotationIndex(pool, units, (error) =>
      log.error('index', 'writing the query index failed', error),
    );
    return {
      location: redactUrl(databaseUrl),
      updates: await PgUpdateStore.open(pool, claims),
      teams: new PgTeamStore(pool, units),
      index,
      tasks: index.tasks,
      owners: new PgClientOwners(pool, claims),
      health,
      async close() {
        health.close();
        await units.close();
        await pool.end();
      },
    };
  } catch (error) {
    await units.close();
    await pool.end().catch(() => {});
    throw error;
  }
}
