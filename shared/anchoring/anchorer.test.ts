/**
 * Anchorer: many annotations on one page, re-anchoring after DOM changes (only what a change touched), watching
 * with a debounced MutationObserver, and a body built by script after load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Window } from 'happy-dom';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { Selector } from '../model/annotation.ts';
import {
  Anchorer,
  createPageIndex,
  describe as describeRange,
  forgetPageIndex,
  normalizeText,
  watch,
} from './index.ts';

const PAGES = path.resolve(import.meta.dirname, '../../test/fixtures/corpus/pages');

function makeDocument(kind: 'happy-dom' | 'jsdom', html: string, scripts = false) {
  if (kind === 'jsdom') {
    const dom = new JSDOM(html, { runScripts: scripts ? 'dangerously' : undefined });
    return { doc: dom.window.document, close: () => dom.window.close() };
  }
  const win = new Window({
    settings: { enableJavaScriptEvaluation: scripts, suppressInsecureJavaScriptEnvironmentWarning: true } as never,
  });
  win.document.write(html);
  return { doc: win.document as unknown as Document, close: () => void win.happyDOM.close() };
}

/** One annotation per clause of a page: a quote from the middle of its own text. */
function annotateClauses(doc: Document): { id: string; selectors: Selector[]; quote: string }[] {
  const index = createPageIndex(doc);
  return index.clauses
    .filter((c) => c.ownEnd - c.start > 12)
    .map((c) => {
      const start = index.bodyStart + c.start + Math.floor((c.ownEnd - c.start) / 2) - 4;
      const range = index.text.rangeForUnits(start, start + 8)!;
      const selectors = describeRange(doc, range);
      return { id: `a${c.index}`, selectors, quote: normalizeText(range.toString()) };
    });
}

const until = async (check: () => boolean, ms = 3000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

for (const kind of ['happy-dom', 'jsdom'] as const) {
  describe(`Anchorer (${kind})`, () => {
    it('anchors many annotations in slices, yielding to the page between them', async () => {
      const { doc, close } = makeDocument(
        kind,
        fs.readFileSync(path.join(PAGES, '07-spp-criminal-procedure-rules-2019.html'), 'utf8'),
      );
      try {
        const annotations = annotateClauses(doc).slice(0, 200);
        const anchorer = new Anchorer(doc);
        let progressCalls = 0;
        let yielded = false;
        setTimeout(() => (yielded = true), 0);
        const results = await anchorer.anchorMany(annotations, { sliceMs: 1, onProgress: () => progressCalls++ });
        expect(results.size).toBe(annotations.length);
        for (const a of annotations) {
          const r = results.get(a.id)!;
          expect(r.status).toBe('exact');
          expect(normalizeText(r.range!.toString())).toBe(a.quote);
        }
        // with 1 ms slices, the work was split and a timer queued before it got to run
        expect(progressCalls).toBeGreaterThan(2);
        expect(yielded).toBe(true);
      } finally {
        forgetPageIndex(doc);
        close();
      }
    }, 60_000);

    it('after a change, keeps untouched anchors, re-anchors touched ones, reports lost ones', () => {
      const { doc, close } = makeDocument(
        kind,
        fs.readFileSync(path.join(PAGES, '04-gov-iit-special-deductions-2018.html'), 'utf8'),
      );
      try {
        const annotations = annotateClauses(doc);
        const anchorer = new Anchorer(doc);
        for (const a of annotations) expect(anchorer.anchor(a.id, a.selectors).status).toBe('exact');
        const quoteOf = new Map(annotations.map((a) => [a.id, a.quote]));
        const container = doc.getElementById('UCAP-CONTENT')!;
        // 1. text added far from the annotated words (a new line at the top): nothing needs re-anchoring
        const note = doc.createElement('div');
        note.textContent = '（本文件有更新）';
        container.insertBefore(note, container.firstChild);
        expect(anchorer.update().size).toBe(0);
        for (const id of anchorer.ids())
          expect(normalizeText(anchorer.get(id)!.range!.toString())).toBe(quoteOf.get(id));
        // 2. one annotated quote edited in place: only that one is re-anchored (fuzzily)
        const target = annotations[10]!;
        const range = anchorer.get(target.id)!.range!;
        const node = range.startContainer as Text;
        node.insertData(range.startOffset + 3, '切实');
        const updates = anchorer.update();
        expect([...updates.keys()]).toEqual([target.id]);
        expect(updates.get(target.id)!.status).toBe('fuzzy');
        // 3. the paragraph holding another annotation removed: that one is reported lost
        const lost = annotations[20]!;
        const lostRange = anchorer.get(lost.id)!.range!;
        const lostLine = lostRange.startContainer as Text;
        lostLine.data = '';
        const after = anchorer.update();
        expect(after.get(lost.id)?.status).toBe('orphan');
        for (const id of anchorer.ids()) {
          if (id === lost.id || id === target.id) continue;
          expect(normalizeText(anchorer.get(id)!.range!.toString()), id).toBe(quoteOf.get(id));
        }
      } finally {
        forgetPageIndex(doc);
        close();
      }
    });

    it('anchorMany reports each slice as it ends, and with `reuse` keeps what is anchored already', async () => {
      const { doc, close } = makeDocument(kind, fs.readFileSync(path.join(PAGES, '01-suizhou-edu-2023.html'), 'utf8'));
      try {
        const annotations = annotateClauses(doc);
        const anchorer = new Anchorer(doc);
        const slices: { ids: string[]; ms: number }[] = [];
        const first = await anchorer.anchorMany(annotations, {
          sliceMs: 0,
          onSlice: (results, ms) => slices.push({ ids: [...results.keys()], ms }),
        });
        // every result was shown in exactly one slice, in order, before anchorMany resolved
        expect(slices.length).toBeGreaterThan(1);
        expect(slices.flatMap((slice) => slice.ids)).toEqual(annotations.map((a) => a.id));
        expect(slices.every((slice) => slice.ms >= 0)).toBe(true);

        // again with reuse: unchanged items keep their very result; an item with new selectors is anchored anew
        const moved = annotations[3]!;
        const again = await anchorer.anchorMany(
          annotations.map((a) => (a.id === moved.id ? { id: a.id, selectors: annotations[4]!.selectors } : a)),
          { reuse: true },
        );
        for (const a of annotations) {
          if (a.id === moved.id) expect(again.get(a.id)).not.toBe(first.get(a.id));
          else expect(again.get(a.id)).toBe(first.get(a.id));
        }
        expect(normalizeText(again.get(moved.id)!.range!.toString())).toBe(annotations[4]!.quote);

        // a kept anchor is brought up to date with the page first
        const target = annotations[6]!;
        const text = anchorer.get(target.id)!.range!.startContainer as Text;
        text.data = '';
        const after = await anchorer.anchorMany(annotations, { reuse: true });
        expect(after.get(target.id)!.status).toBe('orphan');
      } finally {
        forgetPageIndex(doc);
        close();
      }
    });

    it('watch() also reports anchors re-done when anchor() caught up with a change first', async () => {
      const { doc, close } = makeDocument(kind, fs.readFileSync(path.join(PAGES, '01-suizhou-edu-2023.html'), 'utf8'));
      try {
        const annotations = annotateClauses(doc);
        const anchorer = new Anchorer(doc);
        for (const a of annotations.slice(1)) anchorer.anchor(a.id, a.selectors);
        const reported: string[] = [];
        const stop = anchorer.watch((updates) => reported.push(...updates.keys()), { debounceMs: 20 });
        const target = annotations[5]!;
        const range = anchorer.get(target.id)!.range!;
        (range.startContainer as Text).insertData(range.startOffset + 2, '进一步');
        // anchoring another annotation right away applies the change (synchronously) before the watch runs
        anchorer.anchor(annotations[0]!.id, annotations[0]!.selectors);
        expect(reported).toEqual([target.id]);
        await new Promise((r) => setTimeout(r, 100));
        expect(reported).toEqual([target.id]);
        stop();
      } finally {
        forgetPageIndex(doc);
        close();
      }
    });

    it('one MutationObserver per page, however many watch it', async () => {
      const { doc, close } = makeDocument(kind, fs.readFileSync(path.join(PAGES, '01-suizhou-edu-2023.html'), 'utf8'));
      const view = doc.defaultView as unknown as { MutationObserver: typeof MutationObserver };
      const Original = view.MutationObserver;
      let created = 0;
      view.MutationObserver = class extends Original {
        constructor(callback: MutationCallback) {
          super(callback);
          created++;
        }
      };
      try {
        const annotations = annotateClauses(doc);
        const anchorer = new Anchorer(doc);
        await anchorer.anchorMany(annotations);
        const seen: string[] = [];
        const stopAnchors = anchorer.watch((updates) => seen.push(...updates.keys()), { debounceMs: 20 });
        let pageChanges = 0;
        const stopPage = watch(doc, () => pageChanges++, { debounceMs: 20 });
        const range = anchorer.get(annotations[2]!.id)!.range!;
        (range.startContainer as Text).insertData(range.startOffset + 1, '切实');
        await until(() => seen.length > 0 && pageChanges > 0);
        expect(seen).toEqual([annotations[2]!.id]);
        expect(created).toBe(1);
        stopAnchors();
        stopPage();
      } finally {
        view.MutationObserver = Original;
        forgetPageIndex(doc);
        close();
      }
    });

    it('watch() reports re-anchored annotations after the DOM settles', async () => {
      const { doc, close } = makeDocument(kind, fs.readFileSync(path.join(PAGES, '01-suizhou-edu-2023.html'), 'utf8'));
      try {
        const annotations = annotateClauses(doc);
        const anchorer = new Anchorer(doc);
        for (const a of annotations) anchorer.anchor(a.id, a.selectors);
        const batches: Map<string, unknown>[] = [];
        const stop = anchorer.watch((updates) => batches.push(updates), { debounceMs: 20 });
        const target = annotations[5]!;
        const range = anchorer.get(target.id)!.range!;
        (range.startContainer as Text).insertData(range.startOffset + 2, '进一步');
        // several quick changes are one batch
        (range.startContainer as Text).insertData(0, '');
        await until(() => batches.length > 0);
        expect([...batches[0]!.keys()]).toEqual([target.id]);
        stop();
      } finally {
        forgetPageIndex(doc);
        close();
      }
    });
  });
}

describe('a body built by script after load (06, happy-dom)', () => {
  it('annotations made on the rendered page are orphans on the app shell, then anchor when the body arrives', async () => {
    const html = fs.readFileSync(path.join(PAGES, '06-gov-grain-emergency-plan-2005.html'), 'utf8');
    const rendered = makeDocument('happy-dom', html, true);
    await until(() => rendered.doc.documentElement.getAttribute('data-rendered') === 'true');
    const annotations = annotateClauses(rendered.doc).slice(0, 30);
    forgetPageIndex(rendered.doc);
    rendered.close();

    const page = makeDocument('happy-dom', html, true);
    try {
      const anchorer = new Anchorer(page.doc);
      for (const a of annotations) expect(anchorer.anchor(a.id, a.selectors).status).toBe('orphan');
      const seen = new Set<string>();
      const changes: boolean[] = [];
      const stopPage = watch(page.doc, (change) => changes.push(change.full), { debounceMs: 20 });
      const stop = anchorer.watch(
        (updates) => {
          for (const [id, r] of updates) if (r.status === 'exact') seen.add(id);
        },
        { debounceMs: 20 },
      );
      await until(() => seen.size === annotations.length && changes.length > 0);
      stop();
      stopPage();
    } finally {
      forgetPageIndex(page.doc);
      page.close();
    }
  });
});
