/**
 * The updates other instances accepted for a room, applied in seq order. They arrive through the fan-out, which
 * may reorder them (two instances append to the stream in the order their commits returned, not in seq order)
 * and may lose them (a trimmed stream, a failover, an instance killed between its commit and its XADD). An
 * update that arrives ahead of a missing one waits for it a moment; a gap still open after `gapWaitMs`, or
 * one the periodic head check reveals, is read from the store (`updatesSince`), and when compaction already
 * folded the missing rows away, the whole stored room is applied again. The store is the record; the fan-out
 * is only the fast path.
 */
import type { SeqUpdate } from '../storage/types.ts';
import type { AppliedSeqs } from './applied-seqs.ts';

export type RemoteUpdatesDeps = {
  /** How far the room's document is complete; shared with the room's own appends. */
  applied: AppliedSeqs;
  /** Applies an update another instance stored to the room's document. */
  apply(update: Uint8Array): void;
  /** The stored updates after `afterSeq`; null when compaction folded some of them away. */
  fetch(afterSeq: number): Promise<SeqUpdate[] | null>;
  /** Applies the whole stored room; resolves with the seq it holds everything through. */
  reload(): Promise<number>;
  onError(error: unknown): void;
  /** Counted in /metrics: how each update came, and how each gap was filled. */
  onApplied(via: 'fanout' | 'store'): void;
  onRepair(how: 'read' | 'reload'): void;
  gapWaitMs: number;
};

export class RemoteUpdates {
  /** Received ahead of a missing seq. */
  private readonly waiting = new Map<number, Uint8Array>();
  private gapTimer: NodeJS.Timeout | null = null;
  private repairing: Promise<void> | null = null;
  /** Another repair is due once the one running ends (something arrived meanwhile that it may not cover). */
  private repairAgain = false;
  private closed = false;

  constructor(private readonly deps: RemoteUpdatesDeps) {}

  /** An update from the fan-out. */
  received(seq: number, update: Uint8Array): void {
    if (this.closed || seq <= this.deps.applied.through || this.waiting.has(seq)) return;
    this.waiting.set(seq, update);
    this.drain();
  }

  /** The room's own append got this seq (its update is already in the document). */
  appended(seq: number): void {
    this.deps.applied.add(seq);
    this.drain();
  }

  /** The store says the room is at `lastSeq`: repair if the document lacks any of it. */
  storedThrough(lastSeq: number): void {
    if (this.closed || lastSeq <= this.deps.applied.through) return;
    void this.repair();
  }

  /** Whether the document lacks updates it knows of (tests). */
  get hasGap(): boolean {
    return this.waiting.size > 0 || this.deps.applied.hasGap;
  }

  /** Resolves once no repair is running. */
  async settled(): Promise<void> {
    while (this.repairing) await this.repairing;
  }

  close(): void {
    this.closed = true;
    this.waiting.clear();
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  /** Applies whatever is next in seq order; arms the gap timer while something still waits. */
  private drain(): void {
    const applied = this.deps.applied;
    for (;;) {
      const next = applied.through + 1;
      const update = this.waiting.get(next);
      if (!update) break;
      this.waiting.delete(next);
      this.deps.apply(update);
      this.deps.onApplied('fanout');
      applied.add(next);
    }
    for (const seq of this.waiting.keys()) if (seq <= applied.through) this.waiting.delete(seq);
    if (this.waiting.size === 0 && !applied.hasGap) {
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = null;
    } else if (!this.gapTimer && !this.repairing) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        void this.repair();
      }, this.deps.gapWaitMs);
      this.gapTimer.unref();
    }
  }

  private repair(): Promise<void> {
    if (this.repairing) {
      this.repairAgain = true;
      return this.repairing;
    }
    this.repairing = this.repairOnce()
      .catch((error) => this.deps.onError(error))
      .finally(() => {
        this.repairing = null;
        if (this.closed) return;
        if (this.repairAgain) {
          this.repairAgain = false;
          void this.repair();
        } else {
          this.drain();
        }
      });
    return this.repairing;
  }

  private async repairOnce(): Promise<void> {
    const applied = this.deps.applied;
    const from = applied.through;
    const rows = await this.deps.fetch(from);
    if (this.closed) return;
    if (rows === null) {
      this.deps.onRepair('reload');
      applied.addThrough(await this.deps.reload());
    } else {
      if (rows.some((row) => row.seq > applied.through)) this.deps.onRepair('read');
      for (const row of rows) {
        if (row.seq <= applied.through) continue;
        this.waiting.delete(row.seq);
        this.deps.apply(row.update);
        this.deps.onApplied('store');
        // The store hands out seqs without holes; should one ever be missing, the gap stays open.
        if (row.seq === applied.through + 1) applied.addThrough(row.seq);
        else applied.add(row.seq);
      }
    }
  }
}
