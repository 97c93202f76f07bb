/**
 * GET /health tells the truth about storage: 503 with a reason when the real database file cannot be written
 * (another connection holds its write lock) or the disk holding DATA_DIR is below its free-space floor (the
 * built server as users run it, on the real disk), and 200 again once that is over.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../server/storage/sqlite-db.ts';
import { exited, type ServerProcess, startServerProcess } from '../../server-process.ts';
import { startTestServer, type TestServer, tempDir, waitFor } from './helpers.ts';

type Health = { status: string; code?: string; reason?: string };
const health = async (s: { url: string }) => {
  const response = await fetch(`${s.url}/health`);
  return { status: response.status, body: (await response.json()) as Health };
};

let server: TestServer | null = null;
let process_: ServerProcess | null = null;
afterEach(async () => {
  await server?.cleanup();
  server = null;
  if (process_) {
    process_.child.kill('SIGKILL');
    await exited(process_.child);
    process_ = null;
  }
});

describe('/health', () => {
  it('answers 503 while the database file cannot be written, and 200 once it can', async () => {
    server = await startTestServer();
    expect(await health(server)).toEqual({ status: 200, body: { status: 'ok' } });
    await new Promise((r) => setTimeout(r, 1_100)); // past the reuse of the last answer

    const other = new Database(path.join(server.dataDir, DATABASE_FILE));
    other.exec('BEGIN IMMEDIATE');
    try {
      const refused = await health(server);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ status: 'unavailable', code: 'database_not_writable' });
      expect(refused.body.reason).toMatch(/database cannot be written: database is locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    let answer = await health(server);
    const poll = setInterval(async () => (answer = await health(server!)), 200);
    await waitFor(() => answer.status === 200, 5_000, 'still unhealthy').finally(() => clearInterval(poll));
  });

  it('answers 503 (disk_full) when the disk holding DATA_DIR has less free space than configured', async () => {
    const dataDir = tempDir('pizhu-health-disk-');
    try {
      process_ = await startServerProcess({ DATA_DIR: dataDir, PIZHU_MIN_FREE_DISK_BYTES: String(2 ** 60) });
      const refused = await health(process_);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ status: 'unavailable', code: 'disk_full' });
      expect(refused.body.reason).toMatch(/has \d+ MiB free, less than PIZHU_MIN_FREE_DISK_BYTES/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
