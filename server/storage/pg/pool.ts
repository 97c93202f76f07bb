/**
 * The connection pool to PostgreSQL. Every connection commits synchronously (durable before broadcast, as with
 * SQLite), and 64-bit integers come back as numbers: ids, seqs, byte counts and epoch milliseconds all stay far
 * below 2^53.
 */
import pg from 'pg';
import { ConfigError } from '../../config.ts';

const INT8_OID = 20;
const parseInt8 = (value: string) => Number(value);

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;
/** Something that runs a query: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

export function createPgPool(databaseUrl: string, options: { max?: number; applicationName?: string } = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    types,
    application_name: options.applicationName ?? 'pizhu',
    options: '-c synchronous_commit=on',
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that drops (database restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Checks the database answers, with a message that names the URL without its password. */
export async function connectPool(pool: PgPool, databaseUrl: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw new ConfigError(`Cannot reach DATABASE_URL ${redactUrl(databaseUrl)}: ${(error as Error).message}`);
  }
}

export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * Runs `work` on one client of the pool. A connection that dies while checked out (PostgreSQL restarting) emits
 * 'error' on its client, and the pool listens only to idle clients: unheard, that event would end the process.
 * Here it is heard, the query in flight fails with it, and the client is released as broken so the pool drops it.
 */
export async function withClient<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/** Runs `work` in one transaction on one client; rolls back when it throws. */
export function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}
