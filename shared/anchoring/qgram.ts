/**
 * A bigram index over the page's comparison text: every place a two-unit sequence occurs. Finding a quote (or a
 * piece of one) costs the occurrences of its rarest bigram, not a scan of the page, so N annotations do not cost
 * N page scans. Built lazily, once per version of the page text, in typed arrays (an open-addressing table of
 * bigrams, then one array of positions grouped by bigram).
 */

const EMPTY = new Int32Array(0);

export class BigramIndex {
  private readonly mask: number;
  private readonly slotKey: Int32Array;
  private readonly slotUsed: Uint8Array;
  /** Positions grouped by slot: slot s owns positions[slotStart[s] .. slotStart[s + 1]). */
  private readonly slotStart: Int32Array;
  private readonly positions: Int32Array;

  constructor(readonly text: string) {
    const n = Math.max(0, text.length - 1);
    let size = 16;
    while (size < n * 2) size *= 2;
    this.mask = size - 1;
    this.slotKey = new Int32Array(size);
    this.slotUsed = new Uint8Array(size);
    const counts = new Int32Array(size + 1);
    const slotOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.slot((text.charCodeAt(i) << 16) | text.charCodeAt(i + 1), true);
      slotOf[i] = s;
      counts[s + 1]!++;
    }
    for (let s = 0; s < size; s++) counts[s + 1]! += counts[s]!;
    this.slotStart = counts;
    const fill = counts.slice(0, size);
    this.positions = new Int32Array(n);
    for (let i = 0; i < n; i++) this.positions[fill[slotOf[i]!]!++] = i;
  }

  /** Table slot of a bigram key; with `insert`, claims a free slot for a new key, else returns -1 when absent. */
  private slot(key: number, insert: boolean): number {
    let h = Math.imul(key, 0x9e3779b1) >>> 0;
    for (;;) {
      const s = h & this.mask;
      if (!this.slotUsed[s]) {
        if (!insert) return -1;
        this.slotUsed[s] = 1;
        this.slotKey[s] = key;
        return s;
      }
      if (this.slotKey[s] === key) return s;
      h = s + 1;
    }
  }

  /** Positions (in order) where the bigram (a, b) starts. */
  private bigramPositions(a: number, b: number): Int32Array {
    const s = this.slot((a << 16) | b, false);
    return s < 0 ? EMPTY : this.positions.subarray(this.slotStart[s]!, this.slotStart[s + 1]!);
  }

  /** Offset within `piece` of its rarest bigram, and that bigram's positions in the text. */
  private rarest(piece: string): { offset: number; positions: Int32Array } {
    let best: { offset: number; positions: Int32Array } | null = null;
    for (let i = 0; i + 1 < piece.length; i++) {
      const positions = this.bigramPositions(piece.charCodeAt(i), piece.charCodeAt(i + 1));
      if (!best || positions.length < best.positions.length) best = { offset: i, positions };
      if (positions.length === 0) break;
    }
    return best ?? { offset: 0, positions: EMPTY };
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
