/**
 * Keeps SQLite's WAL checkpoints off the event loop. A checkpoint copies the write-ahead log into the database
 * file and fsyncs it; left automatic, it runs inside whichever commit crosses 1,000 log pages and stalls that
 * commit, and with it every broadcast waiting behind the append (milliseconds, against a fraction of one for a
 * normal append; see bench/server/README.md). So the server's connection turns
 * automatic checkpoints off and a worker thread, on its own connection, runs PASSIVE checkpoints (which never
 * block writers) at an interval. If the worker fails, automatic checkpoints come back on: the log must never
 * grow without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteHandle } from './sqlite-db.ts';

/** SQLite's own default for wal_autocheckpoint, restored when the worker is gone. */
const AUTOMATIC_PAGES = 1000;

// Plain CommonJS run with `eval`: the worker needs no TypeScript loader and no file of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export type CheckpointerOptions = {
  intervalMs: number;
  onError: (error: Error) => void;
};

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopped = false;

  constructor(
    private readonly db: SqliteHandle,
    private readonly options: CheckpointerOptions,
  ) {
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: db.name,
        intervalMs: options.intervalMs,
      },
    });
    // The worker never keeps the process alive; close() stops it before the last connection closes.
    this.worker.unref();
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error) options.onError(new Error(`WAL checkpoint failed: ${message.error}`));
    });
    this.worker.on('error', (error) => this.fallBack(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => {
      if (!this.stopped) this.fallBack(new Error('the WAL checkpoint worker exited'));
    });
  }

  /** Stops the worker; the server's own connection then checkpoints as it closes. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('stop');
    const timeout = setTimeout(() => void this.worker.terminate(), 2_000);
    await this.exited;
    clearTimeout(timeout);
  }

  private fallBack(error: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.options.onError(error);
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOMATIC_PAGES}`);
  }
}
