/**
 * Content similarity of clauses across two versions: character bigrams of the normalised own texts, each
 * weighted by how rare it is in the two documents (IDF), compared with the Dice coefficient. The weighting
 * matters for templated items ("清明节，放假1天（农历清明当日）" next to "端午节，放假1天（农历端午当日）"): what
 * they share is the template, which many clauses carry, so it counts for little; the words that name the item
 * are rare and decide.
 *
 * Only the clauses still to be paired (`open`) get a profile: in a republished notice that is a handful of a
 * thousand, and the rest of the text is only scanned once for the rarity of their bigrams. Candidates (which new
 * clauses might pair with an old one) come from an inverted index of the open new clauses' rarest bigrams, so a
 * long document costs a few postings per clause rather than every pair.
 */

/** Postings longer than this are not read when looking for candidates (the bigram says little). */
const COMMON_POSTINGS = 64;
/** How many of a clause's rarest bigrams are looked up for candidates. */
const LOOKUPS = 16;
/** A bigram in at most this many clauses (of both documents) is always specific to an item (see sharesSpecific). */
const SPECIFIC_DF = 4;
/** At most this many entries of one posting list are read (bounded work on pathological input). */
const MAX_READ = 1024;

export class Similarity {
  /** Sorted distinct bigram keys of the open clauses, and a hash table finding a key's position. */
  private readonly keys: Uint32Array;
  private readonly table: KeyTable;
  /** IDF weight per entry of `keys`, and the number of clauses holding it. */
  private readonly weights: Float64Array;
  private readonly df: Int32Array;
  /** Per open clause (old ones first, then new ones at oldCount + j): sorted positions in `keys`, with repeats. */
  private readonly profiles = new Map<number, Int32Array>();
  private readonly totals = new Map<number, number>();
  /** Per entry of `keys`: the open new clauses holding it (ascending, no repeats). */
  private readonly postings: Int32Array[];
  private readonly oldCount: number;
  private readonly hits: Int32Array;
  private readonly rareWeight: number;
  /** Positions past `keys` for bigrams of clauses that were not open (see profileOf). */
  private readonly extraKeys = new Map<number, number>();

  constructor(
    private readonly oldTexts: readonly string[],
    private readonly newTexts: readonly string[],
    openOld: (i: number) => boolean,
    openNew: (j: number) => boolean,
  ) {
    this.oldCount = oldTexts.length;
    const open: number[] = [];
    for (let i = 0; i < oldTexts.length; i++) if (openOld(i)) open.push(i);
    for (let j = 0; j < newTexts.length; j++) if (openNew(j)) open.push(this.oldCount + j);
    const rawProfiles = open.map((k) => bigramKeys(this.textOf(k)));
    this.keys = distinctSorted(rawProfiles);
    this.table = new KeyTable(this.keys);
    const n = oldTexts.length + newTexts.length;
    this.rareWeight = Math.log(1 + n);
    this.df = this.documentFrequencies(n);
    this.weights = Float64Array.from(this.df, (d) => Math.log(1 + n / Math.max(1, d)));
    const lists: number[][] = Array.from({ length: this.keys.length }, () => []);
    open.forEach((k, x) => {
      const positions = Int32Array.from(rawProfiles[x]!, (key) => this.table.find(key));
      this.profiles.set(k, positions);
      this.totals.set(k, this.total(positions));
      if (k >= this.oldCount) forEachDistinct(positions, (p) => lists[p]!.push(k - this.oldCount));
    });
    this.postings = lists.map((list) => Int32Array.from(list));
    this.hits = new Int32Array(newTexts.length);
  }

  /** Weighted Dice similarity in [0, 1] of old clause `i` and new clause `j` (0 when either has under 2 units). */
  between(i: number, j: number): number {
    const a = this.profileOf(i);
    const b = this.profileOf(this.oldCount + j);
    const total = this.totals.get(i)! + this.totals.get(this.oldCount + j)!;
    if (total === 0) return 0;
    let shared = 0;
    someInBoth(a, b, (p) => {
      shared += this.weightAt(p);
      return false;
    });
    return (2 * shared) / total;
  }

  /**
   * Whether old clause `i` and new clause `j` share something that names their item, not only a template many
   * items share: a bigram found in at most SPECIFIC_DF clauses of the two documents, or, for texts made only of
   * phrases that recur (a long code quoting its law), in at most twice as many clauses as the rarest bigram of
   * either text.
   */
  sharesSpecific(i: number, j: number): boolean {
    const a = this.profileOf(i);
    const b = this.profileOf(this.oldCount + j);
    const limit = Math.max(SPECIFIC_DF, 2 * Math.max(this.rarest(a), this.rarest(b)));
    return someInBoth(a, b, (p) => this.dfAt(p) <= limit);
  }

  /** Up to `limit` open new clauses sharing the most of old clause `i`'s rarest bigrams (best first). */
  candidates(i: number, limit: number, accept: (j: number) => boolean): number[] {
    const distinct: number[] = [];
    forEachDistinct(this.profileOf(i), (p) => {
      if (p < this.postings.length && this.postings[p]!.length) distinct.push(p);
    });
    distinct.sort((x, y) => this.postings[x]!.length - this.postings[y]!.length);
    const touched: number[] = [];
    for (let k = 0; k < distinct.length && k < LOOKUPS; k++) {
      const list = this.postings[distinct[k]!]!;
      // a common bigram is still read (in part) when nothing rarer was found
      if (list.length > COMMON_POSTINGS && touched.length) break;
      for (let r = 0; r < list.length && r < MAX_READ; r++) {
        const j = list[r]!;
        if (!accept(j)) continue;
        if (this.hits[j] === 0) touched.push(j);
        this.hits[j]!++;
      }
    }
    touched.sort((x, y) => this.hits[y]! - this.hits[x]! || x - y);
    const best = touched.slice(0, limit);
    for (const j of touched) this.hits[j] = 0;
    return best;
  }

  private textOf(k: number): string {
    return k < this.oldCount ? this.oldTexts[k]! : this.newTexts[k - this.oldCount]!;
  }

  /** The profile of clause k (built on first use for a clause that was not open: its bigrams count as rare). */
  private profileOf(k: number): Int32Array {
    let profile = this.profiles.get(k);
    if (!profile) {
      profile = Int32Array.from(bigramKeys(this.textOf(k)), (key) => {
        const p = this.table.find(key);
        if (p >= 0) return p;
        let extra = this.extraKeys.get(key);
        if (extra === undefined) this.extraKeys.set(key, (extra = this.keys.length + this.extraKeys.size));
        return extra;
      }).sort();
      this.profiles.set(k, profile);
      this.totals.set(k, this.total(profile));
    }
    return profile;
  }

  /** Clauses holding the bigram at position p (a bigram of a clause that was not open counts as unique). */
  private dfAt(p: number): number {
    return p < this.df.length ? this.df[p]! : 1;
  }

  /** The smallest number of clauses holding any bigram of the profile. */
  private rarest(profile: Int32Array): number {
    let min = Number.POSITIVE_INFINITY;
    for (const p of profile) min = Math.min(min, this.dfAt(p));
    return min;
  }

  private weightAt(p: number): number {
    return p < this.weights.length ? this.weights[p]! : this.rareWeight;
  }

  private total(profile: Int32Array): number {
    let total = 0;
    for (const p of profile) total += this.weightAt(p);
    return total;
  }

  /** For every key, how many clauses of both documents hold it (one scan of the text). */
  private documentFrequencies(n: number): Int32Array {
    const df = new Int32Array(this.keys.length);
    const lastSeen = new Int32Array(this.keys.length).fill(-1);
    for (let k = 0; k < n; k++) {
      const text = this.textOf(k);
      for (let c = 0; c + 1 < text.length; c++) {
        const p = this.table.find(text.charCodeAt(c) * 0x10000 + text.charCodeAt(c + 1));
        if (p >= 0 && lastSeen[p] !== k) {
          lastSeen[p] = k;
          df[p]!++;
        }
      }
    }
    return df;
  }
}

/**
 * Walks two sorted profiles side by side and calls `found` with each position both hold (a repeat as often as both
 * repeat it), until it returns true; whether it did.
 */
function someInBoth(a: Int32Array, b: Int32Array, found: (position: number) => boolean): boolean {
  let p = 0;
  let q = 0;
  while (p < a.length && q < b.length) {
    const x = a[p]!;
    const y = b[q]!;
    if (x === y) {
      if (found(x)) return true;
      p++;
      q++;
    } else if (x < y) p++;
    else q++;
  }
  return false;
}

/** The bigram keys of `text` (first unit x 65536 + second unit), sorted, one per occurrence. */
function bigramKeys(text: string): Uint32Array {
  const out = new Uint32Array(Math.max(0, text.length - 1));
  for (let k = 0; k + 1 < text.length; k++) out[k] = text.charCodeAt(k) * 0x10000 + text.charCodeAt(k + 1);
  return out.sort();
}

function distinctSorted(lists: Uint32Array[]): Uint32Array {
  const all = new Uint32Array(lists.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const list of lists) {
    all.set(list, at);
    at += list.length;
  }
  all.sort();
  let n = 0;
  for (let k = 0; k < all.length; k++) if (k === 0 || all[k] !== all[k - 1]) all[n++] = all[k]!;
  return all.slice(0, n);
}

/**
 * Positions of sorted keys by open addressing (linear probing): the scan of both documents looks up every
 * bigram of every clause, and this costs one or two probes where a binary search costs a dozen.
 */
class KeyTable {
  private readonly slots: Int32Array;
  private readonly shift: number;

  constructor(private readonly keys: Uint32Array) {
    let bits = 4;
    while (1 << bits < keys.length * 2) bits++;
    this.shift = 32 - bits;
    // each slot holds a position + 1 (0: empty)
    this.slots = new Int32Array(1 << bits);
    keys.forEach((key, p) => {
      let slot = this.slotOf(key);
      while (this.slots[slot]) slot = (slot + 1) & (this.slots.length - 1);
      this.slots[slot] = p + 1;
    });
  }

  /** Position of `key` in the keys, or -1. */
  find(key: number): number {
    const mask = this.slots.length - 1;
    for (let slot = this.slotOf(key); ; slot = (slot + 1) & mask) {
      const v = this.slots[slot]!;
      if (v === 0) return -1;
      if (this.keys[v - 1] === key) return v - 1;
    }
  }

  private slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }
}

function forEachDistinct(sorted: Int32Array, visit: (p: number) => void): void {
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) visit(sorted[k]!);
}
