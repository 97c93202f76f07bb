/**
 * A bigram index over the page's comparison text: every place a two-unit sequence occurs. Finding a quote (or a
 * piece of one) costs the occurrences of its rarest bigram, not a scan of the page, so N annotations do not cost
 * N page scans. Built lazily, once per version of the page text, in linear time and typed arrays only: the
 * positions sorted by bigram (two counting-sort passes), looked up by binary search. Kept by hand: search libraries
 * (MiniSearch, FlexSearch) index words for ranking, not every position of a character pair.
 */
import { partitionPoint } from './partition-point.ts';

const EMPTY = new Int32Array(0);

export class BigramIndex {
  /** Bigram keys (first unit << 16 | second unit, unsigned), sorted. */
  private readonly keys: Uint32Array;
  /** Start positions, in the order of `keys` (and in text order within one key). */
  private readonly positions: Int32Array;

  private constructor(
    readonly text: string,
    keys: Uint32Array,
    positions: Int32Array,
  ) {
    this.keys = keys;
    this.positions = positions;
  }

  /** Builds the index at once. */
  static build(text: string): BigramIndex {
    const steps = BigramIndex.buildInSteps(text);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * Builds the index one linear pass per step (a generator: the caller may yield to the page between steps, since
   * on a 100,000-character page the first, cold run of all passes at once can block it for over 100 ms).
   */
  static *buildInSteps(text: string): Generator<void, BigramIndex> {
    const n = Math.max(0, text.length - 1);
    const keyAt = new Uint32Array(n);
    for (let i = 0; i < n; i++) keyAt[i] = ((text.charCodeAt(i) << 16) | text.charCodeAt(i + 1)) >>> 0;
    yield;
    // two stable counting-sort passes (low 16 bits, then high 16 bits): linear time, typed arrays only; the
    // first pass needs no input order (positions in text order are the identity)
    const byLow = new Int32Array(n);
    const counts = new Int32Array(0x10001);
    for (let i = 0; i < n; i++) counts[(keyAt[i]! & 0xffff) + 1]!++;
    for (let d = 0; d < 0x10000; d++) counts[d + 1]! += counts[d]!;
    for (let i = 0; i < n; i++) byLow[counts[keyAt[i]! & 0xffff]!++] = i;
    yield;
    const positions = countingSort(keyAt, byLow, 16, counts);
    yield;
    // keys in sorted order
    const keys = new Uint32Array(n);
    for (let i = 0; i < n; i++) keys[i] = keyAt[positions[i]!]!;
    return new BigramIndex(text, keys, positions);
  }

  /** Positions (in order) where the bigram (a, b) starts. */
  private bigramPositions(a: number, b: number): Int32Array {
    const key = ((a << 16) | b) >>> 0;
    const from = lowerBound(this.keys, key);
    if (from >= this.keys.length || this.keys[from] !== key) return EMPTY;
    return this.positions.subarray(from, lowerBound(this.keys, key + 1));
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

/** Stable counting sort of `order` by 16 bits of each key, starting at bit `shift` (`counts` is reused). */
function countingSort(keyAt: Uint32Array, order: Int32Array, shift: number, counts: Int32Array): Int32Array {
  counts.fill(0);
  for (let i = 0; i < order.length; i++) counts[((keyAt[order[i]!]! >>> shift) & 0xffff) + 1]!++;
  for (let d = 0; d < 0x10000; d++) counts[d + 1]! += counts[d]!;
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const p = order[i]!;
    out[counts[(keyAt[p]! >>> shift) & 0xffff]!++] = p;
  }
  return out;
}

/** First index whose key is >= `key` (keys sorted ascending). */
function lowerBound(keys: Uint32Array, key: number): number {
  return partitionPoint(keys.length, (i) => keys[i]! >= key);
}
