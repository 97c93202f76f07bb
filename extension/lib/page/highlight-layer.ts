/**
 * The page's highlights: the anchoring library's Anchorer finds each annotation on the page and keeps it found
 * as the page changes (re-anchoring only what a change touched), and the Highlighter draws what it found. On a
 * long page the work goes in slices that yield to the page, each slice painted as it ends; a newer list of
 * annotations stops an older run at its next slice, keeping what it anchored.
 */
import {
  type AnchorResult,
  Anchorer,
  createPageIndex,
  createPageIndexAsync,
  forgetPageIndex,
  type PageIndex,
  watch,
} from '../../../shared/anchoring/index.ts';
import type { Annotation, Color } from '../../../shared/model/annotation.ts';
import type { AnchorStatus, PaintRun } from '../messages.ts';
import type { Highlighter } from './highlighter.ts';
import type { StateWriter } from './page-state.ts';

/** Work per slice before yielding; well under the 50 ms a task may take before the browser calls it long. */
const SLICE_MS = 12;
/** Paint runs kept for `page.report` when debugging. */
const PAINT_RUNS_KEPT = 8;

/** How a highlight is drawn, or null when it is hidden (a colleague the user chose not to see). */
export type HighlightStyle = { color: Color; peer: number | null } | null;

export type HighlightLayerOptions = {
  root: Document;
  highlighter: Highlighter;
  state: StateWriter<'anchors' | 'order'>;
  /** The page's text changed (and once when it was first read): its index, for listeners and the content hash. */
  onPageChange: (index: PageIndex) => void;
  /** Record paint runs (preferences.debug). */
  debug: boolean;
};

export class HighlightLayer {
  private index: PageIndex | null = null;
  private anchorer: Promise<Anchorer> | null = null;
  private highlights = new Map<string, Annotation>();
  private style: (annotation: Annotation) => HighlightStyle = () => null;
  private run: AbortController | null = null;
  private received = false;
  private anchoring = false;
  private readonly stops: (() => void)[] = [];
  private readonly runs: PaintRun[] = [];

  constructor(private readonly options: HighlightLayerOptions) {}

  /** The page's anchoring index: the one being built for painting, or a synchronous build if asked before. */
  pageIndex(): PageIndex {
    if (this.index) {
      this.index.refresh();
      return this.index;
    }
    return createPageIndex(this.options.root);
  }

  /** Reads the page into the index now (in steps), before any annotation arrives: frames get listeners early. */
  start(): void {
    this.anchorerReady().catch((error: unknown) => console.warn('[pizhu] could not read the page', error));
  }

  /** Shows these annotations (replies are not drawn): anchors what is new or moved, drops what is gone. */
  async show(annotations: Annotation[], style: (annotation: Annotation) => HighlightStyle): Promise<void> {
    this.highlights = new Map(annotations.filter((a) => !a.replyTo).map((a) => [a.id, a]));
    this.style = style;
    this.received = true;
    this.run?.abort();
    const run = new AbortController();
    this.run = run;
    this.anchoring = true;
    const started = performance.now();
    const anchorer = await this.anchorerReady();
    if (run.signal.aborted) return;
    const indexMs = performance.now() - started;
    for (const id of anchorer.ids()) if (!this.highlights.has(id)) anchorer.forget(id);
    this.options.highlighter.remove([...this.options.highlighter.ids()].filter((id) => !this.highlights.has(id)));
    this.publish(anchorer);
    // the run's window starts before the index is read: reading it is part of what the page waits for
    const stats = { slices: 0, longestSliceMs: 0, startedAt: started };
    try {
      await anchorer.anchorMany(
        [...this.highlights.values()].map(({ id, selectors }) => ({ id, selectors })),
        {
          reuse: true,
          sliceMs: SLICE_MS,
          signal: run.signal,
          onSlice: (results, sliceMs) => {
            const painting = performance.now();
            this.paint(results);
            this.publish(anchorer, false);
            stats.slices++;
            stats.longestSliceMs = Math.max(stats.longestSliceMs, sliceMs + performance.now() - painting);
          },
        },
      );
    } catch (error) {
      if (run.signal.aborted) return;
      throw error;
    }
    this.anchoring = false;
    this.publish(anchorer);
    if (this.options.debug) this.record({ ...stats, indexMs });
  }

  /** Draws again with another style (authors hidden or shown), without anchoring anything again. */
  restyle(style: (annotation: Annotation) => HighlightStyle): void {
    this.style = style;
    void this.anchorer?.then((anchorer) => {
      const results = new Map<string, AnchorResult>();
      for (const id of this.highlights.keys()) {
        const result = anchorer.get(id);
        if (result) results.set(id, result);
      }
      this.paint(results);
      this.publish(anchorer);
    });
  }

  /** Whether the page has its annotations from the background and every one of them was anchored. */
  get ready(): boolean {
    return this.received && !this.anchoring;
  }

  /** The clause label path each anchored annotation sits in now (the page may have been renumbered). */
  async clausePaths(): Promise<Record<string, string[]>> {
    const anchorer = await this.anchorer;
    const paths: Record<string, string[]> = {};
    if (!anchorer) return paths;
    for (const id of this.highlights.keys()) {
      const result = anchorer.get(id);
      if (result?.range) paths[id] = result.clause?.path ?? [];
    }
    return paths;
  }

  /** The last few paint runs (debug only). */
  paintRuns(): PaintRun[] {
    return [...this.runs];
  }

  stop(): void {
    this.run?.abort();
    for (const stop of this.stops.splice(0)) stop();
    this.options.highlighter.clear();
    forgetPageIndex(this.options.root);
  }

  /** Reads the page into the index in steps that yield (a long notice takes a while), then watches it. */
  private anchorerReady(): Promise<Anchorer> {
    this.anchorer ??= createPageIndexAsync(this.options.root).then((index) => {
      this.index = index;
      const anchorer = new Anchorer(index);
      this.stops.push(
        anchorer.watch((updates) => {
          this.paint(updates);
          this.publish(anchorer);
        }),
        watch(index, () => this.options.onPageChange(index)),
      );
      this.options.onPageChange(index);
      return anchorer;
    });
    return this.anchorer;
  }

  private paint(results: ReadonlyMap<string, AnchorResult>): void {
    const shown = [];
    const hidden = [];
    for (const [id, result] of results) {
      const annotation = this.highlights.get(id);
      const style = annotation && this.style(annotation);
      if (style && result.range) shown.push({ id, range: result.range, ...style });
      else hidden.push(id);
    }
    this.options.highlighter.remove(hidden);
    this.options.highlighter.set(shown);
  }

  /**
   * Statuses of every highlight and (unless `withOrder` is false: while a run is still painting) the order of
   * those painted, for the UI.
   */
  private publish(anchorer: Anchorer, withOrder = true): void {
    const anchors: Record<string, AnchorStatus> = {};
    const starts: [string, number][] = [];
    for (const id of this.highlights.keys()) {
      const result = anchorer.get(id);
      anchors[id] = result?.status ?? 'pending';
      if (withOrder && result?.range && this.options.highlighter.rangeOf(id))
        starts.push([id, result.start ?? Number.MAX_VALUE]);
    }
    if (!withOrder) {
      this.options.state.set({ anchors });
      return;
    }
    const order = starts.sort((a, b) => a[1] - b[1]).map(([id]) => id);
    this.options.state.set({ anchors, order });
  }

  private record(stats: { slices: number; longestSliceMs: number; startedAt: number; indexMs: number }): void {
    const anchors = this.options.state.get().anchors;
    const endedAt = performance.now();
    this.runs.push({
      annotations: this.highlights.size,
      painted: this.options.highlighter.count,
      orphans: Object.values(anchors).filter((s) => s === 'orphan' || s === 'ambiguous').length,
      slices: stats.slices,
      longestSliceMs: stats.longestSliceMs,
      totalMs: endedAt - stats.startedAt,
      startedAt: stats.startedAt,
      endedAt,
      indexMs: stats.indexMs,
    });
    this.runs.splice(0, this.runs.length - PAINT_RUNS_KEPT);
  }
}
