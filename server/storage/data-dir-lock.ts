/**
 * One server per DATA_DIR. Two servers on one database would each hold the same rooms in memory, and one's
 * compaction would fold away rows the other appended. The lock is SQLite's own exclusive lock on a small file of
 * its own (`pizhu.lock`): a POSIX lock, which the kernel drops the moment the holding process dies, however it
 * dies, so a restart right after `kill -9` always finds it free. The database itself stays shared-locked as
 * usual, so the admin CLI and the WAL checkpoint worker can still open it while the server runs.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../config.ts';
import { ensureWritableDir } from './sqlite-db.ts';

export const LOCK_FILE = 'pizhu.lock';

/**
 * How long to wait for a lock held by another process before refusing: long enough for a process that was
 * just killed to be torn down, short enough for a clear answer when another server really runs.
 */
const WAIT_FOR_LOCK_MS = 2_000;

export type DataDirLock = { release(): void };

/** Takes DATA_DIR for this server; throws a ConfigError naming the folder when another server holds it. */
export function lockDataDir(dataDir: string): DataDirLock {
  ensureWritableDir(dataDir);
  const file = path.join(dataDir, LOCK_FILE);
  const db = new Database(file, { timeout: WAIT_FOR_LOCK_MS });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in this locking mode it is kept until the connection closes.
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL); DELETE FROM holder;');
      db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    }).exclusive();
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ConfigError(
        `Another Pizhu server is using the DATA_DIR "${dataDir}"; stop it or give this server its own DATA_DIR`,
      );
    }
    throw error;
  }
  return { release: () => db.close() };
}
