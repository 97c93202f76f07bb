/**
 * How far a room's document is complete: the highest seq through which it holds every stored update, given
 * seqs that arrive out of order (a local append may land after another instance's update it has not received
 * yet). Compaction and the index may only go as far as `through`.
 */
export class AppliedSeqs {
  /** Seqs applied beyond a gap. */
  private readonly ahead = new Set<number>();
  private highest: number;

  constructor(private throughSeq: number) {
    this.highest = throughSeq;
  }

  /** Every update with seq <= through is in the document. */
  get through(): number {
    return this.throughSeq;
  }

  /** The highest seq applied, gap or not. */
  get latest(): number {
    return this.highest;
  }

  /** Whether some update below `latest` is missing from the document. */
  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  /** The update with this seq is in the document. */
  add(seq: number): void {
    if (seq <= this.throughSeq) return;
    this.highest = Math.max(this.highest, seq);
    this.ahead.add(seq);
    while (this.ahead.delete(this.throughSeq + 1)) this.throughSeq++;
  }

  /** Every update through `seq` is in the document (after a reload or a repair of a gap). */
  addThrough(seq: number): void {
    if (seq <= this.throughSeq) return;
    for (const ahead of this.ahead) if (ahead <= seq) this.ahead.delete(ahead);
    this.throughSeq = seq;
    this.highest = Math.max(this.highest, seq);
    while (this.ahead.delete(this.throughSeq + 1)) this.throughSeq++;
  }
}
