/**
 * The index's write side, whatever the database: changes gather for a short while and are written in one
 * transaction per batch, not per update (the index is read by REST, not by the sync path). A room marked dirty
 * is read once per batch however often it was marked.
 */
import type { IndexSource, RoomIndexChange } from './types.ts';

/** How long index changes gather before they are written in one transaction. */
export const INDEX_BATCH_MS = 50;

export class IndexBatcher {
  private pending: RoomIndexChange[] = [];
  private readonly dirty = new Map<string, IndexSource>();
  private writeTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    /** Writes one batch in one transaction. */
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

  /** Writes what is queued now and resolves once every batch so far is written. */
  flush(): Promise<void> {
    this.writePending();
    return this.writing;
  }

  private schedule(): void {
    if (this.writeTimer) return;
    this.writeTimer = setTimeout(() => this.writePending(), INDEX_BATCH_MS);
    this.writeTimer.unref();
  }

  private writePending(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    const batch = this.pending;
    this.pending = [];
    const sources = [...this.dirty.values()];
    this.dirty.clear();
    for (const source of sources) {
      try {
        const change = source.takeIndexChange();
        if (change) batch.push(change);
      } catch (error) {
        // That room's `through` stays behind, so it is re-indexed when next loaded.
        this.onError(error);
      }
    }
    if (batch.length === 0) return;
    // Batches are written one after another, in the order they were taken.
    this.writing = this.writing.then(async () => {
      try {
        await this.write(batch);
      } catch (error) {
        // The index lags behind (through stays lower), so the room is re-indexed when next loaded.
        this.onError(error);
      }
    });
  }
}
