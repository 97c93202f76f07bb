import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase, type SqliteHandle } from './sqlite-db.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

let dir: string;
let db: SqliteHandle;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pizhu-wal-'));
  db = openDatabase(dir);
  db.exec('CREATE TABLE filler (bytes BLOB)');
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const databaseBytes = () => statSync(path.join(dir, DATABASE_FILE)).size;
const fill = (rows: number) => {
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run(Buffer.alloc(1000, i % 251));
};

describe('WalCheckpointer', () => {
  it("turns automatic checkpoints off on the server's connection", async () => {
    const checkpointer = new WalCheckpointer(db, { intervalMs: 60_000, onError: () => {} });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = databaseBytes();
    fill(3000); // about 3 MB: three automatic checkpoints' worth, none of which may run on this thread
    expect(databaseBytes()).toBe(before);
    await checkpointer.close();
  });

  it('copies the log into the database file from its worker', async () => {
    const errors: Error[] = [];
    const checkpointer = new WalCheckpointer(db, { intervalMs: 20, onError: (e) => errors.push(e) });
    const before = databaseBytes();
    fill(3000);
    await expect.poll(databaseBytes, { timeout: 5_000 }).toBeGreaterThan(before + 2_000_000);
    await checkpointer.close();
    expect(errors).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 3000 });
  });

  it('brings automatic checkpoints back when the worker fails, and reports it', async () => {
    const errors: Error[] = [];
    const checkpointer = new WalCheckpointer(db, { intervalMs: 20, onError: (e) => errors.push(e) });
    // Stop the worker the hard way, as a crash would.
    await (checkpointer as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]!.message).toMatch(/worker exited/);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.close();
  });
});
