/**
 * The index's write side, whatever the database: changes gather for a short while and are written in one
 * transaction per chunk, not per update (the index is read by REST, not by the sync path). A room marked dirty
 * is read once per chunk however often it was marked; a large change is read and written in chunks of
 * INDEX_CHUNK annotations with the event loop free between them (bench/server/README.md, "Index batches").
 */
import type { IndexSink, IndexSource, RoomIndexChange } from './types.ts';

/** How long index changes gather before they are written. */
export const INDEX_BATCH_MS = 50;
/** Annotations read and written per transaction. */
export const INDEX_CHUNK = 100;

export class IndexBatcher {
  private pending: RoomIndexChange[] = [];
  /** Rooms marked dirty since the last chunk. */
  private readonly dirty = new Map<string, IndexSource>();
  private writeTimer: NodeJS.Timeout | null = null;
  /** Chunks are written one after another. */
  private writing: Promise<boolean> = Promise.resolve(false);

  constructor(
    /** Writes one chunk in one transaction. */
    private readonly write: (batch: RoomIndexChange[]) => void | Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  applyChange(change: RoomIndexChange): void {
    this.pending.push(change);
    this.schedule();
  }

  markDirty(roomId: string, source: IndexSource): void {
    this.dirty.set(roomId, source);
    this.schedule();
  }

  /** Writes every chunk now (shutdown and tests wait for all of it). */
  async flush(): Promise<void> {
    while (await this.nextChunk());
  }

  private schedule(delayMs = INDEX_BATCH_MS): void {
    if (this.writeTimer) return;
    this.writeTimer = setTimeout(() => {
      this.nextChunk().then((more) => {
        if (more) this.schedule(0);
      });
    }, delayMs);
    this.writeTimer.unref();
  }

  /** Queues the writing of one chunk; resolves with whether anything is left. */
  private nextChunk(): Promise<boolean> {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    this.writing = this.writing.then(() => this.writeChunk());
    return this.writing;
  }

  /**
   * The changes handed over, then rooms read up to INDEX_CHUNK annotations in all; rooms with more left stay
   * dirty for the next chunk.
   */
  private async writeChunk(): Promise<boolean> {
    const batch = this.pending;
    this.pending = [];
    let budget = INDEX_CHUNK;
    for (const [roomId, source] of [...this.dirty]) {
      if (budget <= 0) break;
      this.dirty.delete(roomId);
      try {
        const change = source.takeIndexChange(budget);
        if (!change) continue;
        batch.push(change);
        budget -= change.upserts.length + change.removedIds.length;
        if (change.partial) this.dirty.set(roomId, source);
      } catch (error) {
        // That room's `through` stays behind, so it is re-indexed when next loaded.
        this.onError(error);
      }
    }
    if (batch.length > 0) {
      try {
        await this.write(batch);
      } catch (error) {
        // The index lags behind (through stays lower), so the room is re-indexed when next loaded.
        this.onError(error);
      }
    }
    return this.dirty.size > 0 || this.pending.length > 0;
  }
}

/**
 * The batched write side of an index, whatever the database: changes and dirty rooms go to an IndexBatcher,
 * which hands each chunk to `writeBatch` (one transaction of the database's own).
 */
export abstract class BatchedIndex implements Pick<IndexSink, 'applyChange' | 'markDirty' | 'flush'> {
  private readonly batcher: IndexBatcher;

  constructor(onError: (error: unknown) => void) {
    this.batcher = new IndexBatcher((batch) => this.writeBatch(batch), onError);
  }

  /** Writes one chunk in one transaction. */
  protected abstract writeBatch(batch: RoomIndexChange[]): void | Promise<void>;

  applyChange(change: RoomIndexChange): void {
    this.batcher.applyChange(change);
  }

  markDirty(roomId: string, source: IndexSource): void {
    this.batcher.markDirty(roomId, source);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }
}
