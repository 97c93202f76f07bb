/**
 * A bigram index over the page's comparison text: every place a two-unit sequence occurs. Finding a quote (or a
 * piece of one) costs the occurrences of its rarest bigram, not a scan of the page, so N annotations do not cost
 * N page scans. Built lazily, once per version of the page text.
 */

export class BigramIndex {
  private readonly starts: Map<number, Int32Array>;

  constructor(readonly text: string) {
    const counts = new Map<number, number>();
    const n = text.length - 1;
    const keys = new Int32Array(Math.max(0, n));
    for (let i = 0; i < n; i++) {
      const key = (text.charCodeAt(i) << 16) | text.charCodeAt(i + 1);
      keys[i] = key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const lists = new Map<number, Int32Array>();
    const fill = new Map<number, number>();
    for (const [key, count] of counts) {
      lists.set(key, new Int32Array(count));
      fill.set(key, 0);
    }
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const list = lists.get(key)!;
      const at = fill.get(key)!;
      list[at] = i;
      fill.set(key, at + 1);
    }
    this.starts = lists;
  }

  private positions(a: number, b: number): Int32Array | undefined {
    return this.starts.get((a << 16) | b);
  }

  /** Offset within `piece` of its rarest bigram, and that bigram's positions in the text. */
  private rarest(piece: string): { offset: number; positions: Int32Array } {
    let best: { offset: number; positions: Int32Array } | null = null;
    for (let i = 0; i + 1 < piece.length; i++) {
      const positions = this.positions(piece.charCodeAt(i), piece.charCodeAt(i + 1)) ?? new Int32Array(0);
      if (!best || positions.length < best.positions.length) best = { offset: i, positions };
      if (positions.length === 0) break;
    }
    return best ?? { offset: 0, positions: new Int32Array(0) };
  }

  /** Start offsets of every exact occurrence of `piece` within [from, to), in order. */
  occurrences(piece: string, from = 0, to = this.text.length, limit = Infinity): number[] {
    const out: number[] = [];
    if (piece.length === 0) return out;
    if (piece.length === 1) {
      for (let i = this.text.indexOf(piece, from); i >= 0 && i + 1 <= to; i = this.text.indexOf(piece, i + 1)) {
        out.push(i);
        if (out.length >= limit) break;
      }
      return out;
    }
    const { offset, positions } = this.rarest(piece);
    for (let k = 0; k < positions.length; k++) {
      const start = positions[k]! - offset;
      if (start < from || start + piece.length > to) continue;
      if (this.text.startsWith(piece, start)) {
        out.push(start);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** How many places hold the rarest bigram of `piece` (an upper bound on its occurrences). */
  cost(piece: string): number {
    return piece.length < 2 ? this.text.length : this.rarest(piece).positions.length;
  }
}
