/**
 * Pairs the clauses of two versions of a document by content, never by label or position alone.
 *
 * 1. Identical own texts that occur once in each version pair at once, wherever they moved.
 * 2. Strong pairs anywhere: similarity (see similarity.ts) of at least 0.6, each the other's clear best
 *    (no other candidate within 0.1) — an item that moved and was edited. After step 3, once more at 0.5 with
 *    a margin of 0.15 where the parents' pairing agrees, and step 3 again.
 * 3. Then, repeated while it finds something: the order-consistent pairs (longest increasing run) cut both
 *    documents into gaps; within a gap, identical texts pair in order, then the remaining clauses are aligned
 *    in order (dynamic programming) where similarity reaches 0.4, or 0.3 when the gap holds exactly one clause
 *    on each side (a clause edited in place); and a clause whose paired children mostly went to one new clause
 *    pairs with it (a section whose heading was rewritten).
 * A pair found in a gap must agree with its parents' pairing, and every pair made on similarity must share
 * something specific to the item (a bigram found in at most four clauses), not only a template that many items
 * share. Anything below these bars stays unpaired: a removed and an added clause are an honest answer, a wrong
 * pair is not.
 */
import { Similarity } from './similarity.ts';
import { partitionPoint } from '../anchoring/partition-point.ts';

export interface AlignSide {
  /** Normalised own text of each clause. */
  texts: readonly string[];
  /** Parent index of each clause, -1 at the top. */
  parents: readonly number[];
}

export const THRESHOLDS = {
  strong: 0.6,
  strongMargin: 0.1,
  /** Once the context is paired: a clause moved and edited more, where its parents' pairing agrees. */
  moved: 0.5,
  movedMargin: 0.15,
  /** Texts shorter than this (in units) pair only when identical or within a gap. */
  strongMinUnits: 6,
  gap: 0.4,
  single: 0.3,
  singleMinUnits: 6,
  /** A section heading paired through its children needs this similarity, unless both headings are short. */
  parentText: 0.2,
  shortHeading: 30,
  /** Above this many cells (old x new clauses in one gap), a gap is matched greedily instead of in order. */
  dpCells: 40_000,
} as const;

const CANDIDATES = 8;
const MAX_ROUNDS = 4;

/** For each old clause, the index of its new clause, or -1. */
export function alignClauses(before: AlignSide, after: AlignSide): Int32Array {
  const aligner = new Aligner(before, after);
  aligner.run();
  return aligner.oldToNew;
}

class Aligner {
  readonly oldToNew: Int32Array;
  readonly newToOld: Int32Array;
  /** Built after the identical texts are paired: only the clauses left need profiles. */
  private similarity!: Similarity;
  private readonly oldChildren: number[][];
  private readonly newChildren: number[][];

  constructor(
    private readonly a: AlignSide,
    private readonly b: AlignSide,
  ) {
    this.oldToNew = new Int32Array(a.texts.length).fill(-1);
    this.newToOld = new Int32Array(b.texts.length).fill(-1);
    this.oldChildren = childrenOf(a.parents);
    this.newChildren = childrenOf(b.parents);
  }

  run(): void {
    this.pairUniqueIdentical();
    this.similarity = new Similarity(
      this.a.texts,
      this.b.texts,
      (i) => this.oldToNew[i]! < 0,
      (j) => this.newToOld[j]! < 0,
    );
    this.pairDistinct(THRESHOLDS.strong, THRESHOLDS.strongMargin, false);
    this.pairInContext();
    this.pairDistinct(THRESHOLDS.moved, THRESHOLDS.movedMargin, true);
    this.pairInContext();
  }

  private pairInContext(): void {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const before = this.pairedCount();
      this.pairWithinGaps();
      this.pairSectionsByChildren();
      if (this.pairedCount() === before) break;
    }
  }

  private pair(i: number, j: number): void {
    this.oldToNew[i] = j;
    this.newToOld[j] = i;
  }

  private pairedCount(): number {
    let n = 0;
    for (const j of this.oldToNew) if (j >= 0) n++;
    return n;
  }

  private pairUniqueIdentical(): void {
    const groups = new Map<string, { olds: number[]; news: number[] }>();
    const group = (text: string) => {
      let g = groups.get(text);
      if (!g) groups.set(text, (g = { olds: [], news: [] }));
      return g;
    };
    this.a.texts.forEach((t, i) => {
      if (t.length >= 2) group(t).olds.push(i);
    });
    this.b.texts.forEach((t, j) => {
      if (t.length >= 2) group(t).news.push(j);
    });
    for (const { olds, news } of groups.values())
      if (olds.length === 1 && news.length === 1) this.pair(olds[0]!, news[0]!);
  }

  /**
   * Pairs anywhere in the documents whose similarity reaches `bar` and beats every other unpaired candidate of
   * either clause by `margin` (with `sameParents`, only where the parents' pairing agrees).
   */
  private pairDistinct(bar: number, margin: number, sameParents: boolean): void {
    const min = THRESHOLDS.strongMinUnits;
    const edges: Edge[] = [];
    const byOld = new Map<number, Edge[]>();
    const byNew = new Map<number, Edge[]>();
    for (let i = 0; i < this.a.texts.length; i++) {
      if (this.oldToNew[i]! >= 0 || this.a.texts[i]!.length < min) continue;
      const found = this.similarity.candidates(
        i,
        CANDIDATES,
        (j) => this.newToOld[j]! < 0 && this.b.texts[j]!.length >= min,
      );
      for (const j of found) {
        const edge = { i, j, s: this.similarity.between(i, j) };
        edges.push(edge);
        push(byOld, i, edge);
        push(byNew, j, edge);
      }
    }
    edges.sort((x, y) => y.s - x.s || x.i - y.i);
    for (const edge of edges) {
      if (edge.s < bar) break;
      if (this.oldToNew[edge.i]! >= 0 || this.newToOld[edge.j]! >= 0) continue;
      if (sameParents && !this.parentsAgree(edge.i, edge.j)) continue;
      if (!this.similarity.sharesSpecific(edge.i, edge.j)) continue;
      const rivalOfNew = best(byOld.get(edge.i)!, (e) => e.j !== edge.j && this.newToOld[e.j]! < 0);
      const rivalOfOld = best(byNew.get(edge.j)!, (e) => e.i !== edge.i && this.oldToNew[e.i]! < 0);
      if (edge.s - Math.max(rivalOfNew, rivalOfOld) >= margin) this.pair(edge.i, edge.j);
    }
  }

  /** Gaps between the order-consistent pairs, each aligned on its own. */
  private pairWithinGaps(): void {
    const anchors = increasingPairs(this.oldToNew);
    anchors.push([this.a.texts.length, this.b.texts.length]);
    let prevOld = -1;
    let prevNew = -1;
    for (const [oi, nj] of anchors) {
      const olds = unpairedBetween(this.oldToNew, prevOld, oi);
      const news = unpairedBetween(this.newToOld, prevNew, nj);
      if (olds.length && news.length) this.fillGap(olds, news);
      prevOld = oi;
      prevNew = nj;
    }
  }

  private fillGap(olds: number[], news: number[]): void {
    this.pairIdenticalInOrder(olds, news);
    const restOld = olds.filter((i) => this.oldToNew[i]! < 0);
    const restNew = news.filter((j) => this.newToOld[j]! < 0);
    if (!restOld.length || !restNew.length) return;
    if (restOld.length * restNew.length <= THRESHOLDS.dpCells) this.alignInOrder(restOld, restNew);
    else this.pairGreedily(restOld, restNew);
  }

  /** Identical texts (repeated ones included) pair in document order. */
  private pairIdenticalInOrder(olds: number[], news: number[]): void {
    // per text: the positions in `news` holding it, and how far they have been used
    const queues = new Map<string, { at: number[]; head: number }>();
    news.forEach((j, k) => {
      const text = this.b.texts[j]!;
      const queue = queues.get(text);
      if (queue) queue.at.push(k);
      else queues.set(text, { at: [k], head: 0 });
    });
    let last = -1;
    for (const i of olds) {
      const queue = queues.get(this.a.texts[i]!);
      if (!queue) continue;
      let k = queue.head;
      while (k < queue.at.length && (queue.at[k]! <= last || !this.parentsAgree(i, news[queue.at[k]!]!))) k++;
      if (k === queue.at.length) continue;
      last = queue.at[k]!;
      queue.head = k + 1;
      this.pair(i, news[last]!);
    }
  }

  /** Order-preserving alignment of a gap maximising the total similarity above the bar. */
  private alignInOrder(olds: number[], news: number[]): void {
    const p = olds.length;
    const q = news.length;
    const single = p === 1 && q === 1;
    const bar = single ? THRESHOLDS.single : THRESHOLDS.gap;
    const minUnits = single ? THRESHOLDS.singleMinUnits : 2;
    const gain = (x: number, y: number): number => {
      const i = olds[x]!;
      const j = news[y]!;
      if (Math.min(this.a.texts[i]!.length, this.b.texts[j]!.length) < minUnits) return -1;
      if (!this.parentsAgree(i, j)) return -1;
      const s = this.similarity.between(i, j);
      return s >= bar && this.similarity.sharesSpecific(i, j) ? s - bar + 1e-6 : -1;
    };
    const width = q + 1;
    const score = new Float64Array((p + 1) * width);
    for (let x = 1; x <= p; x++) {
      for (let y = 1; y <= q; y++) {
        const g = gain(x - 1, y - 1);
        const diagonal = g >= 0 ? score[(x - 1) * width + (y - 1)]! + g : -1;
        score[x * width + y] = Math.max(score[(x - 1) * width + y]!, score[x * width + (y - 1)]!, diagonal);
      }
    }
    for (let x = p, y = q; x > 0 && y > 0; ) {
      const here = score[x * width + y]!;
      if (here === score[(x - 1) * width + y]) x--;
      else if (here === score[x * width + (y - 1)]) y--;
      else {
        this.pair(olds[x - 1]!, news[y - 1]!);
        x--;
        y--;
      }
    }
  }

  /** Very large gaps: best pairs first, each above the gap bar and its clauses' parents agreeing. */
  private pairGreedily(olds: number[], news: number[]): void {
    const inGap = new Set(news);
    const edges: Edge[] = [];
    for (const i of olds) {
      for (const j of this.similarity.candidates(i, CANDIDATES, (j) => inGap.has(j) && this.newToOld[j]! < 0)) {
        const s = this.similarity.between(i, j);
        if (s >= THRESHOLDS.gap && this.similarity.sharesSpecific(i, j)) edges.push({ i, j, s });
      }
    }
    edges.sort((x, y) => y.s - x.s || x.i - y.i);
    for (const { i, j } of edges) {
      if (this.oldToNew[i]! < 0 && this.newToOld[j]! < 0 && this.parentsAgree(i, j)) this.pair(i, j);
    }
  }

  /**
   * An unpaired clause whose paired children mostly (3 in 5, at least 2) went to the children of one unpaired
   * new clause, and that clause's paired children mostly came from it: the same section, heading rewritten.
   */
  private pairSectionsByChildren(): void {
    for (let i = 0; i < this.a.texts.length; i++) {
      if (this.oldToNew[i]! >= 0) continue;
      const pairedChildren = this.oldChildren[i]!.filter((c) => this.oldToNew[c]! >= 0);
      if (pairedChildren.length < 2) continue;
      const votes = new Map<number, number>();
      for (const c of pairedChildren) {
        const parent = this.b.parents[this.oldToNew[c]!]!;
        if (parent >= 0) votes.set(parent, (votes.get(parent) ?? 0) + 1);
      }
      let j = -1;
      let k = 0;
      for (const [parent, n] of votes) if (n > k) [j, k] = [parent, n];
      if (j < 0 || this.newToOld[j]! >= 0 || k < 2 || k * 5 < pairedChildren.length * 3) continue;
      const theirPaired = this.newChildren[j]!.filter((c) => this.newToOld[c]! >= 0).length;
      if (k * 5 < theirPaired * 3 || !this.parentsAgree(i, j) || !this.headingsAgree(i, j)) continue;
      this.pair(i, j);
    }
  }

  private headingsAgree(i: number, j: number): boolean {
    const x = this.a.texts[i]!;
    const y = this.b.texts[j]!;
    if (x === y) return true;
    if (x.length <= THRESHOLDS.shortHeading && y.length <= THRESHOLDS.shortHeading) return true;
    return this.similarity.between(i, j) >= THRESHOLDS.parentText;
  }

  /** Pairing i with j keeps the tree consistent: their parents are each other's partners, or not paired. */
  private parentsAgree(i: number, j: number): boolean {
    const pa = this.a.parents[i]!;
    const pb = this.b.parents[j]!;
    if (pa >= 0 && this.oldToNew[pa]! >= 0) return this.oldToNew[pa] === pb;
    if (pb >= 0 && this.newToOld[pb]! >= 0) return false;
    return true;
  }
}

type Edge = { i: number; j: number; s: number };

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function best(edges: Edge[], eligible: (e: Edge) => boolean): number {
  let s = 0;
  for (const e of edges) if (e.s > s && eligible(e)) s = e.s;
  return s;
}

function childrenOf(parents: readonly number[]): number[][] {
  const children: number[][] = parents.map(() => []);
  parents.forEach((p, i) => {
    if (p >= 0 && p < i) children[p]!.push(i);
  });
  return children;
}

function unpairedBetween(partners: Int32Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from + 1; k < to; k++) if (partners[k]! < 0) out.push(k);
  return out;
}

/** The longest run of pairs increasing in both documents (old order), as [old, new] pairs. */
export function increasingPairs(oldToNew: Int32Array): [number, number][] {
  const olds: number[] = [];
  for (let i = 0; i < oldToNew.length; i++) if (oldToNew[i]! >= 0) olds.push(i);
  // patience sorting: tails[k] = index (into olds) of the smallest new index ending a run of length k + 1
  const tails: number[] = [];
  const previous = new Int32Array(olds.length).fill(-1);
  olds.forEach((i, k) => {
    const n = oldToNew[i]!;
    const run = partitionPoint(tails.length, (t) => oldToNew[olds[tails[t]!]!]! >= n);
    if (run > 0) previous[k] = tails[run - 1]!;
    tails[run] = k;
  });
  const out: [number, number][] = [];
  for (let k = tails.length ? tails[tails.length - 1]! : -1; k >= 0; k = previous[k]!) {
    out.push([olds[k]!, oldToNew[olds[k]!]!]);
  }
  return out.reverse();
}
