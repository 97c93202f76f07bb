/**
 * Versioned schema migrations for PostgreSQL (files in ./migrations, applied in order, each in its own
 * transaction). Applied at startup under an advisory lock: several instances starting at once wait for each
 * other, and each migration is applied exactly once.
 */
import { ConfigError } from '../../config.ts';
import * as initial from './migrations/0001-initial.ts';
import * as trigramSearch from './migrations/0002-trigram-search.ts';
import * as teamVocabulary from './migrations/0003-team-vocabulary.ts';
import * as tasks from './migrations/0004-tasks.ts';
import { type PgPool, withClient } from './pool.ts';

export type Migration = { version: number; name: string; sql: string };

/** In version order; append new files, never edit or renumber a released one. */
export const PG_MIGRATIONS: Migration[] = [initial, trigramSearch, teamVocabulary, tasks].map((file, index) => ({
  version: index + 1,
  name: file.name,
  sql: file.sql,
}));

/** Arbitrary but fixed: the key every Pizhu instance locks while it migrates. */
const MIGRATION_LOCK_KEY = 0x5069_7a68;

/** Applies the migrations this database lacks; returns the versions it applied. */
export async function migratePostgres(pool: PgPool, migrations: Migration[] = PG_MIGRATIONS): Promise<number[]> {
  return withClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      const newest = Math.max(0, ...applied);
      if (newest > migrations.length) {
        throw new ConfigError(
          `The database was written by a newer Pizhu server (schema ${newest}); upgrade the server`,
        );
      }
      const done: number[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(
            `schema migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
          );
        }
        done.push(migration.version);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
