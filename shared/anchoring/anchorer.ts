/**
 * Anchorer: many annotations on one page, sharing one index; re-anchoring after the page changes.
 *
 * - `anchorMany` works in slices of a few milliseconds and yields to the event loop between them, so a page with
 *   hundreds of annotations never freezes; each slice's results can be shown as it ends (`onSlice`), and
 *   annotations already anchored with the same selectors can be kept as they are (`reuse`).
 * - `update()` applies the DOM changes to the index (incrementally, see PageIndex.refresh) and redoes only what
 *   they touched: an annotation whose text lies outside every changed stretch keeps its anchor (its offsets are
 *   shifted); one inside a changed stretch is re-checked and re-anchored only if its text changed; orphans and
 *   ambiguous ones are retried when text was added.
 * - `watch()` runs `updateAsync()` after DOM changes settle (the page index's own MutationObserver, debounced, and
 *   frames loading) and reports the annotations whose anchors changed, also those re-anchored in passing when a
 *   change was caught up with during `anchor()`.
 */
import type { Selector } from '../model/annotation.ts';
import { type AnchorResult, locate, type Location, toResult } from './anchor.ts';
import { ownerDocument, type Root, rootElement, yieldToPage } from './dom.ts';
import { type PageIndex, pageIndexFor } from './page-index.ts';
import type { TextChange } from './text-model.ts';

export interface AnnotationTarget {
  id: string;
  selectors: Selector[];
}

interface Tracked {
  selectors: Selector[];
  /** The selectors as JSON, to tell a changed annotation from one anchored already (`reuse`). */
  key: string;
  result: AnchorResult;
  /** Page units of the anchor and its comparison text (to verify it after a change). */
  start: number;
  end: number;
  text: string;
  /** Label path of the clause it landed in, to report renumbering. */
  clausePath: string;
}

export interface AnchorManyOptions {
  /** Work this long (ms) before yielding to the event loop. */
  sliceMs?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Called as each slice ends, before yielding, with that slice's results and how long it worked (ms). */
  onSlice?: (results: ReadonlyMap<string, AnchorResult>, sliceMs: number) => void;
  /**
   * Keep the anchor of an item already tracked with the same selectors (kept up to date by `update` and
   * `watch`) instead of anchoring it again: the results include it, no work is done for it.
   */
  reuse?: boolean;
}

export interface WatchOptions {
  /** Wait this long (ms) after the last DOM change before re-anchoring. */
  debounceMs?: number;
}

const DEFAULT_SLICE_MS = 8;
const DEFAULT_DEBOUNCE_MS = 150;

export class Anchorer {
  readonly index: PageIndex;
  private readonly tracked = new Map<string, Tracked>();
  private readonly watchers = new Set<(updates: Map<string, AnchorResult>) => void>();
  private version: number;

  constructor(root: Root | PageIndex) {
    this.index = 'clauses' in root ? root : pageIndexFor(root);
    this.index.refresh();
    this.version = this.index.version;
  }

  /** Anchors one annotation now and keeps it for re-anchoring. */
  anchor(id: string, selectors: Selector[]): AnchorResult {
    this.catchUp();
    return this.track(id, selectors, locate(this.index, selectors));
  }

  /** Anchors many annotations, yielding between slices of work; resolves with every result by id. */
  async anchorMany(
    items: readonly AnnotationTarget[],
    options: AnchorManyOptions = {},
  ): Promise<Map<string, AnchorResult>> {
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    const out = new Map<string, AnchorResult>();
    let slice = new Map<string, AnchorResult>();
    let sliceStart = now();
    const endSlice = () => {
      if (slice.size) options.onSlice?.(slice, now() - sliceStart);
      slice = new Map();
    };
    for (let i = 0; i < items.length; i++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      if (now() - sliceStart > sliceMs) {
        endSlice();
        options.onProgress?.(i, items.length);
        await yieldToPage(this.index.root);
        sliceStart = now();
      }
      const item = items[i]!;
      const kept = options.reuse ? this.kept(item) : undefined;
      const result = kept ?? this.anchor(item.id, item.selectors);
      out.set(item.id, result);
      slice.set(item.id, result);
    }
    endSlice();
    options.onProgress?.(items.length, items.length);
    return out;
  }

  /** The current anchor of an item tracked with the same selectors (brought up to date first), if any. */
  private kept(item: AnnotationTarget): AnchorResult | undefined {
    const t = this.tracked.get(item.id);
    if (!t || t.key !== JSON.stringify(item.selectors)) return undefined;
    this.catchUp();
    return this.tracked.get(item.id)?.result;
  }

  get(id: string): AnchorResult | undefined {
    return this.tracked.get(id)?.result;
  }

  /** Ids of every tracked annotation. */
  ids(): string[] {
    return [...this.tracked.keys()];
  }

  forget(id: string): void {
    this.tracked.delete(id);
  }

  /**
   * Brings anchors up to date with the DOM. Returns the annotations whose result changed (new range, new status).
   */
  update(): Map<string, AnchorResult> {
    const updates = new Map<string, AnchorResult>();
    for (const id of this.plan(updates)) this.retry(id, this.tracked.get(id)!, updates);
    return updates;
  }

  /**
   * Like `update()`, re-anchoring in slices and yielding to the page between them (a re-rendered page can
   * invalidate every anchor at once).
   */
  async updateAsync(options: AnchorManyOptions = {}): Promise<Map<string, AnchorResult>> {
    const updates = new Map<string, AnchorResult>();
    // a complete re-read (a frame loaded, a page rebuilt by script) is done in steps too
    await this.index.refreshAsync();
    const todo = this.plan(updates);
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    let sliceStart = now();
    for (let i = 0; i < todo.length; i++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      if (now() - sliceStart > sliceMs) {
        options.onProgress?.(i, todo.length);
        await yieldToPage(this.index.root);
        sliceStart = now();
        // the page may have changed meanwhile: fold those changes in first, then carry on
        if (this.index.refresh() || this.version !== this.index.version) {
          for (const id of this.plan(updates)) if (!todo.includes(id)) todo.push(id);
        }
      }
      const t = this.tracked.get(todo[i]!);
      if (t) this.retry(todo[i]!, t, updates);
    }
    return updates;
  }

  /**
   * Applies the index's latest changes to every tracked anchor: untouched ones are shifted (cheap), touched ones
   * whose text is intact are kept. Returns the ids that must be anchored again.
   */
  private plan(updates: Map<string, AnchorResult>): string[] {
    const todo: string[] = [];
    this.index.refresh();
    if (this.version === this.index.version) return todo;
    // the index may have been refreshed several times since (by others sharing it): then only a full check works
    const missed = this.index.version !== this.version + 1;
    this.version = this.index.version;
    const full = missed || this.index.lastChange.full;
    const changes = this.index.lastChange.changes;
    const addedText = full || changes.some((c) => c.end > c.start);
    for (const [id, t] of this.tracked) {
      if (t.result.range === null) {
        if (addedText) todo.push(id);
        continue;
      }
      const moved = full ? null : shift(t.start, t.end, changes);
      if (!moved) {
        if (!this.intact(t)) todo.push(id);
        continue;
      }
      t.start = moved.start;
      t.end = moved.end;
      // the DOM keeps live Ranges in place; where it does not (some DOMs for tests), the Range is rebuilt
      const units = this.index.text.unitsOfRange(t.result.range);
      if (!units || units.start !== t.start || units.end !== t.end) {
        const result = toResult(this.index, { ...this.location(t), start: t.start, end: t.end });
        t.result = result;
        updates.set(id, result);
      } else {
        // same Range; offsets and clause objects are those of the new index
        t.result = {
          ...t.result,
          start: t.start - this.index.bodyStart,
          end: t.end - this.index.bodyStart,
          clause: this.index.clauseAtUnit(t.start - this.index.bodyStart),
        };
        if (moved.start !== moved.oldStart && t.result.clause?.path.join('/') !== t.clausePath)
          updates.set(id, t.result);
      }
    }
    return todo;
  }

  /**
   * Watches the page and calls `onChange` with the anchors each batch of DOM changes altered, and with those
   * re-anchored when `anchor()` or `anchorMany()` caught up with a change first. Returns a function that stops.
   */
  watch(onChange: (updates: Map<string, AnchorResult>) => void, options: WatchOptions = {}): () => void {
    let running = false;
    let again = false;
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const updates = await this.updateAsync();
          if (updates.size > 0) onChange(updates);
        } while (again);
      } finally {
        running = false;
      }
    };
    this.watchers.add(onChange);
    const stop = watchPage(this.index, () => void run(), options);
    return () => {
      this.watchers.delete(onChange);
      stop();
    };
  }

  private catchUp(): void {
    // changes arrived between calls: re-check what they touched before anchoring more, and tell the watchers
    this.index.refresh();
    if (this.version === this.index.version) return;
    const updates = this.update();
    if (updates.size > 0) for (const watcher of this.watchers) watcher(updates);
  }

  private track(id: string, selectors: Selector[], loc: Location): AnchorResult {
    const result = toResult(this.index, loc);
    const start = loc.start ?? -1;
    const end = loc.end ?? -1;
    const text = start >= 0 ? this.index.text.norm.slice(start, end) : '';
    const key = this.tracked.get(id)?.selectors === selectors ? this.tracked.get(id)!.key : JSON.stringify(selectors);
    this.tracked.set(id, { selectors, key, result, start, end, text, clausePath: result.clause?.path.join('/') ?? '' });
    return result;
  }

  private location(t: Tracked): Location {
    return { status: t.result.status, score: t.result.score, clause: null, reason: t.result.reason };
  }

  /** A touched anchor whose Range still covers the same text is kept (its offsets refreshed). */
  private intact(t: Tracked): boolean {
    const units = t.result.range ? this.index.text.unitsOfRange(t.result.range) : null;
    if (!units || this.index.text.norm.slice(units.start, units.end) !== t.text) return false;
    t.start = units.start;
    t.end = units.end;
    return true;
  }

  private retry(id: string, t: Tracked, updates: Map<string, AnchorResult>): void {
    const before = t.result;
    const after = this.track(id, t.selectors, locate(this.index, t.selectors));
    if (after.status !== before.status || after.start !== before.start || after.end !== before.end)
      updates.set(id, after);
  }
}

/**
 * New offsets of [start, end) after the changes (given in new coordinates, in order), or null when a change
 * overlaps or touches it.
 */
function shift(
  start: number,
  end: number,
  changes: TextChange[],
): { start: number; end: number; oldStart: number } | null {
  let delta = 0;
  for (const c of changes) {
    const oldFrom = c.start - delta; // where this change began in the old text
    const oldTo = oldFrom + (c.end - c.start) - c.delta;
    if (oldTo < start) {
      delta += c.delta;
      continue;
    }
    if (oldFrom > end) break;
    return null;
  }
  return { start: start + delta, end: end + delta, oldStart: start };
}

/**
 * Calls `onChange` (debounced) after DOM changes in the page held by `index`, and after its frames load. It
 * listens to the index's own MutationObserver (one per page, whoever watches). Returns a function that stops.
 */
export function watchPage(index: PageIndex, onChange: () => void, options: WatchOptions = {}): () => void {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const top = rootElement(index.root);
  const win = top ? (ownerDocument(top).defaultView as (Window & typeof globalThis) | null) : null;
  if (!win) return () => {};
  let timer: number | null = null;
  const unsubscribe = index.onMutation(() => {
    if (timer !== null) win.clearTimeout(timer);
    timer = win.setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
  });
  return () => {
    unsubscribe();
    if (timer !== null) win.clearTimeout(timer);
  };
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
