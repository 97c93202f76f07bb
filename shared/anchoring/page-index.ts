/**
 * The per-page index shared by every anchoring operation on one root: text model, detected body, clause tree,
 * lookup tables (clause by label path, by hash) and, built on first need, the bigram index.
 *
 * It notices DOM changes by itself: a MutationObserver (from the root's own window) collects records, and every
 * access first drains them synchronously (`takeRecords`), so a change made a moment ago is never missed. That one
 * observer is the page's only one: watchers (`onMutation`, used by `watch` and `Anchorer.watch`) are told from it. Changes
 * are applied incrementally: only the blocks they touched are re-read (see PageText.update), then the clause tree
 * is rebuilt from the text (a few milliseconds even for the longest corpus page); the body is detected again only
 * when it left the page or a large share of the text changed. Frames that finish loading later, or changes the
 * text model cannot apply locally, cause a full re-read.
 */
import { hashText } from '../model/hash.ts';
import { detectBody } from './body.ts';
import { type Clause, type Segmentation, segmentInSteps } from './clauses.ts';
import { frameDocument, ownerDocument, type Root, rootElement, yieldToPage } from './dom.ts';
import { BigramIndex } from './qgram.ts';
import { PageText, type TextChange } from './text-model.ts';
import { partitionPoint } from './partition-point.ts';

const PATH_SEPARATOR = '\u0001';
/** When more than this share of the text changed at once, the body is detected again (a script built the page). */
const REDETECT_SHARE = 0.1;

export class PageIndex {
  readonly text: PageText;
  body: Element | null = null;
  /** Unit range of the body in page units. */
  bodyStart = 0;
  bodyEnd = 0;
  clauses: Clause[] = [];
  /** Increases on every rebuild; anchors made at an older version may need re-anchoring. */
  version = 0;
  private byPath = new Map<string, Clause[]>();
  /** Built on first need: hashing every clause costs more than most pages ever need. */
  private byHash: Map<string, Clause[]> | null = null;
  private bigrams: BigramIndex | null = null;
  private observer: MutationObserver | null = null;
  /** Records delivered to the observer callback (takeRecords only returns the undelivered ones). */
  private pending: MutationRecord[] = [];
  /** A full re-read is due (a frame loaded, or invalidate() was called). */
  private stale = false;
  /** What the last refresh changed, in page units of the new text; `full` after a complete re-read. */
  lastChange: { full: boolean; changes: TextChange[] } = { full: true, changes: [] };
  private readonly frameListeners = new Map<Element, () => void>();
  /** Told when the page may have changed: records arrived, a frame (re)loaded, or an access drained records. */
  private readonly mutationListeners = new Set<() => void>();

  /** Builds the index now (synchronously); see `PageIndex.create` for a build that yields to the page. */
  constructor(
    readonly root: Root,
    deferred = false,
  ) {
    this.text = new PageText(root, deferred);
    if (deferred) return;
    this.analyse();
    this.observe();
  }

  /**
   * Builds an index in steps (read the DOM, fold the text, find the body, segment), yielding to the page between
   * them, so a very long page does not block it in one go. Changes made meanwhile are applied at the end.
   */
  static async create(root: Root): Promise<PageIndex> {
    const index = new PageIndex(root, true);
    index.observe();
    await index.readInSteps();
    index.refresh();
    return index;
  }

  /** Brings the index up to date with the DOM. Returns whether anything changed. */
  refresh(): boolean {
    this.drain();
    if (this.stale) {
      this.rebuild();
      return true;
    }
    const applied = this.applyPending();
    if (applied !== 'rebuild') return applied;
    this.rebuild();
    return true;
  }

  /**
   * Like refresh, but a full re-read (a frame loaded, or changes too wide to apply locally) happens in steps that
   * yield to the page, as in `create`: on a very long page it would otherwise block it for a long moment.
   */
  async refreshAsync(): Promise<boolean> {
    this.drain();
    if (!this.stale) {
      const applied = this.applyPending();
      if (applied !== 'rebuild') return applied;
    }
    this.stale = false;
    this.pending = [];
    this.observer?.takeRecords();
    await this.readInSteps();
    this.lastChange = { full: true, changes: [] };
    this.watchFrames();
    this.refresh();
    return true;
  }

  /**
   * Takes the records not yet delivered to the observer's callback. Watchers are told of them too: the callback
   * never sees records taken this way, and a change applied during some other access must still be reported.
   */
  private drain(): void {
    const records = this.observer?.takeRecords() ?? [];
    if (records.length === 0) return;
    this.pending.push(...records);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.mutationListeners) listener();
  }

  /** Applies the collected mutation records locally; 'rebuild' when they cannot be. */
  private applyPending(): boolean | 'rebuild' {
    if (this.pending.length === 0) return false;
    const records = this.pending;
    this.pending = [];
    const changes = this.text.update(records);
    if (changes === 'rebuild') return 'rebuild';
    if (changes.length === 0) return false;
    const changed = changes.reduce((n, c) => n + (c.end - c.start) + Math.max(0, -c.delta), 0);
    const bodyGone = !this.body?.isConnected;
    this.analyse(bodyGone || changed > this.text.unitCount * REDETECT_SHARE);
    this.lastChange = { full: false, changes };
    this.watchFrames();
    return true;
  }

  /**
   * Reads, folds, detects the body, segments and indexes bigrams, yielding to the page between the steps (each a
   * few tens of milliseconds on the longest corpus page, even on a first, cold run).
   */
  private async readInSteps(): Promise<void> {
    this.text.read();
    await yieldToPage(this.root);
    this.text.fold();
    await yieldToPage(this.root);
    const analysis = this.analyseInSteps(true);
    while (!analysis.next().done) await yieldToPage(this.root);
    await yieldToPage(this.root);
    // The first anchor would build it anyway: built here in steps, it adds to no anchor's slice.
    const bigrams = BigramIndex.buildInSteps(this.text.norm);
    for (let step = bigrams.next(); ; step = bigrams.next()) {
      if (step.done) {
        this.bigrams = step.value;
        break;
      }
      await yieldToPage(this.root);
    }
  }

  /** Re-reads the whole page now. */
  rebuild(): void {
    this.stale = false;
    this.pending = [];
    this.observer?.takeRecords();
    this.text.rebuild();
    this.analyse(true);
    this.lastChange = { full: true, changes: [] };
    this.watchFrames();
  }

  /** Marks the index stale (the next access re-reads the page). */
  invalidate(): void {
    this.stale = true;
  }

  /** Stops observing the page. */
  dispose(): void {
    this.observer?.disconnect();
    this.observer = null;
    for (const [frame, listener] of this.frameListeners) frame.removeEventListener('load', listener);
    this.frameListeners.clear();
    this.mutationListeners.clear();
  }

  private analyse(detect = true): void {
    const steps = this.analyseInSteps(detect);
    while (!steps.next().done);
  }

  /** Detects the body (when asked), then segments it: a generator pausing between the heavier parts. */
  private *analyseInSteps(detect: boolean): Generator<void, void> {
    this.version++;
    this.bigrams = null;
    const text = this.text;
    if (detect || !this.body) {
      this.body = detectBody(text);
      yield;
    }
    let rawStart = 0;
    let rawEnd = text.raw.length;
    if (this.body) {
      const range = text.rawRangeOfElement(this.body);
      if (range) [rawStart, rawEnd] = range;
    }
    const seg: Segmentation = yield* segmentInSteps(text, rawStart, rawEnd, this.body);
    this.bodyStart = seg.bodyStart;
    this.bodyEnd = seg.bodyEnd;
    this.clauses = seg.clauses;
    this.byPath.clear();
    this.byHash = null;
    for (const c of this.clauses) push(this.byPath, c.path.join(PATH_SEPARATOR), c);
  }

  private observe(): void {
    const top = rootElement(this.root);
    const win = top ? ownerDocument(top).defaultView : null;
    const Observer = (win as (Window & typeof globalThis) | null)?.MutationObserver;
    if (!top || !Observer) return;
    this.observer = new Observer((records) => {
      this.pending.push(...records);
      this.notify();
    });
    this.observer.observe(top, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['hidden', 'style', 'srcdoc', 'src'],
    });
    this.watchFrames();
  }

  /** Observes same-origin frame documents (nested ones too), and marks the index stale when a frame (re)loads. */
  private watchFrames(): void {
    if (!this.observer) return;
    const top = rootElement(this.root);
    if (!top) return;
    const holders: ParentNode[] = [top, ...this.text.frames.keys()];
    for (const frame of holders.flatMap((holder) => Array.from(holder.querySelectorAll('iframe, frame')))) {
      if (!this.frameListeners.has(frame)) {
        const listener = () => {
          this.stale = true;
          this.observeFrame(frame);
          this.notify();
        };
        frame.addEventListener('load', listener);
        this.frameListeners.set(frame, listener);
      }
      this.observeFrame(frame);
    }
  }

  private observeFrame(frame: Element): void {
    const doc = frameDocument(frame);
    const el = doc?.documentElement;
    if (el && this.observer) {
      this.observer.observe(el, { childList: true, subtree: true, characterData: true });
    }
  }

  /**
   * Calls `listener` (synchronously, often many times in a row: debounce it) whenever the page may have changed:
   * DOM records arrived, a frame (re)loaded. The index itself is brought up to date on the next access, not
   * here. Returns a function that stops it.
   */
  onMutation(listener: () => void): () => void {
    this.mutationListeners.add(listener);
    return () => this.mutationListeners.delete(listener);
  }

  /** The documents whose text this index reads: the root's own and its same-origin frames' (for listeners). */
  documents(): Document[] {
    const top = rootElement(this.root);
    return top ? [ownerDocument(top), ...this.text.frames.keys()] : [...this.text.frames.keys()];
  }

  // --- lookups ---

  get bigramIndex(): BigramIndex {
    this.bigrams ??= BigramIndex.build(this.text.norm);
    return this.bigrams;
  }

  clausesByPath(path: readonly string[]): Clause[] {
    return this.byPath.get(path.join(PATH_SEPARATOR)) ?? [];
  }

  clausesByHash(hash: string): Clause[] {
    if (!this.byHash) {
      this.byHash = new Map();
      for (const c of this.clauses) push(this.byHash, c.hash, c);
    }
    return this.byHash.get(hash) ?? [];
  }

  /** The deepest clause whose range holds body unit `u` (clauses are in document order and nested). */
  clauseAtUnit(u: number): Clause | null {
    const cs = this.clauses;
    const lastStarted = partitionPoint(cs.length, (i) => cs[i]!.start > u) - 1;
    for (let i = lastStarted; i >= 0; i = cs[i]!.parent) {
      const c = cs[i]!;
      if (u < c.end) return c;
    }
    return null;
  }

  /** The deepest clause holding all of body units [a, b). */
  clauseSpanning(a: number, b: number): Clause | null {
    for (let c = this.clauseAtUnit(a); c; c = c.parent >= 0 ? this.clauses[c.parent]! : null) {
      if (b <= c.end) return c;
    }
    return null;
  }

  /** A DOM Range over a clause (sub-clauses included). */
  clauseRange(clause: Pick<Clause, 'start' | 'end'>): Range | null {
    return this.text.rangeForUnits(clause.start + this.bodyStart, clause.end + this.bodyStart);
  }

  /** Hash of the body's normalised text: changes when the body's wording changes, not when its markup does. */
  bodyHash(): string {
    return hashText(this.text.norm.slice(this.bodyStart, this.bodyEnd));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const cache = new WeakMap<object, PageIndex>();

/** The shared index of a root (created on first use, refreshed when the page changed). */
export function pageIndexFor(root: Root): PageIndex {
  let index = cache.get(root);
  if (!index) {
    index = new PageIndex(root);
    cache.set(root, index);
  } else index.refresh();
  return index;
}

/**
 * The shared index of a root, built in steps that yield to the page (see PageIndex.create) when there is none
 * yet. Use it before anchoring on very long pages.
 */
export async function pageIndexForAsync(root: Root): Promise<PageIndex> {
  const existing = cache.get(root);
  if (existing) {
    await existing.refreshAsync();
    return existing;
  }
  const built = await PageIndex.create(root);
  const raced = cache.get(root);
  if (raced) {
    built.dispose();
    raced.refresh();
    return raced;
  }
  cache.set(root, built);
  return built;
}

/** Drops the shared index of a root (it stops observing the page). */
export function forgetPageIndex(root: Root): void {
  cache.get(root)?.dispose();
  cache.delete(root);
}
