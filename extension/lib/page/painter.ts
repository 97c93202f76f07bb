/**
 * Anchors a page's annotations and paints them without blocking the page: work goes in slices of at most
 * SLICE_MS, yielding to the page between slices, so a long page with a thousand highlights stays responsive.
 * A newer run (annotations changed, the page changed) makes an older one stop at its next slice.
 */
import type { Annotation } from '../../../shared/model/annotation.ts';
import { anchor, type AnchorResult, type Root } from '../../../shared/anchoring/index.ts';
import type { AnchorStatus } from '../messages.ts';
import type { PaintedHighlight } from './highlighter.ts';

/** Work per slice before yielding; well under the 50 ms a task may take before the browser calls it long. */
export const SLICE_MS = 12;

export type Anchored = { annotation: Annotation; result: AnchorResult };

export type PaintStats = {
  /** Highlights on the page after this run (cached ones included). */
  painted: number;
  /** Annotations anchored in this run (the others came from the cache). */
  anchored: number;
  orphans: number;
  slices: number;
  /** Longest slice of anchoring work measured by the painter itself (ms). */
  longestSliceMs: number;
  /** Longest single anchor() call (ms): a slice cannot be shorter than this. */
  slowestAnchorMs: number;
  totalMs: number;
  /** performance.now() when anchoring started and when the last slice ended (the page's time origin). */
  startedAt: number;
  endedAt: number;
  /** Longest read of the page into the anchoring index so far (ms of wall time; it yields to the page in steps). */
  indexMs: number;
};

export type PaintRun = {
  root: Root;
  annotations: Annotation[];
  /** Colleague underline slot for an annotation, or null for the user's own. */
  peerSlot: (annotation: Annotation) => number | null;
  onSlice: (painted: PaintedHighlight[], statuses: Record<string, AnchorStatus>, anchored: Anchored[]) => void;
  isCurrent: () => boolean;
};

/** Lets the page run (input, rendering) before the next slice. */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export async function paintInSlices(run: PaintRun): Promise<PaintStats | null> {
  const started = performance.now();
  const stats: PaintStats = {
    painted: 0,
    anchored: 0,
    orphans: 0,
    slices: 0,
    longestSliceMs: 0,
    slowestAnchorMs: 0,
    totalMs: 0,
    startedAt: started,
    endedAt: started,
    indexMs: 0,
  };
  let next = 0;
  while (next < run.annotations.length) {
    const sliceStart = performance.now();
    const painted: PaintedHighlight[] = [];
    const statuses: Record<string, AnchorStatus> = {};
    const anchored: Anchored[] = [];
    do {
      const annotation = run.annotations[next++]!;
      let result: AnchorResult;
      const anchorStart = performance.now();
      try {
        result = anchor(run.root, annotation.selectors);
      } catch {
        result = { status: 'orphan', range: null };
      }
      stats.slowestAnchorMs = Math.max(stats.slowestAnchorMs, performance.now() - anchorStart);
      statuses[annotation.id] = result.status;
      anchored.push({ annotation, result });
      if (result.range) {
        painted.push({
          id: annotation.id,
          range: result.range,
          color: annotation.color,
          peer: run.peerSlot(annotation),
        });
        stats.anchored++;
      } else stats.orphans++;
    } while (next < run.annotations.length && performance.now() - sliceStart < SLICE_MS);
    run.onSlice(painted, statuses, anchored);
    stats.slices++;
    stats.longestSliceMs = Math.max(stats.longestSliceMs, performance.now() - sliceStart);
    if (next < run.annotations.length) {
      await yieldToPage();
      if (!run.isCurrent()) return null;
    }
  }
  stats.endedAt = performance.now();
  stats.totalMs = stats.endedAt - started;
  return stats;
}
