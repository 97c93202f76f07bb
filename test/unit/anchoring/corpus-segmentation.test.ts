/**
 * Every corpus page, in happy-dom and in jsdom: the detected body is the one the page's JSON names, and
 * segmentClauses finds the JSON's `structure` in order, with labels and levels right. Prints recall/precision.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { findBody, segmentClauses } from '../../../shared/anchoring/index.ts';
import { compareStructure, type DomKind, loadPage, pageNames, readPageJson } from './helpers/corpus.ts';

/** The element a corpus bodySelector names ("a → b" means b inside the frame a). */
function selectBody(doc: Document, selector: string): Element | null {
  const [outer, inner] = selector.split('→').map((s) => s.trim());
  if (!inner) return doc.querySelector(outer!);
  const frame = doc.querySelector(outer!) as HTMLIFrameElement | null;
  const frameDoc = frame?.contentDocument;
  if (frameDoc?.body?.firstChild) return frameDoc.querySelector(inner);
  // jsdom does not load srcdoc: compare against the inert parse of it, as the library reads it
  return null;
}

const report: string[] = [];
afterAll(() => {
  console.log(`\nclause segmentation, per page (recall / precision / level errors):\n${report.join('\n')}`);
});

for (const kind of ['happy-dom', 'jsdom'] as DomKind[]) {
  describe(`corpus segmentation (${kind})`, () => {
    for (const name of pageNames()) {
      it(`${name}: finds the expected clauses, in order, with their levels`, async () => {
        const json = readPageJson(name);
        const page = await loadPage(`pages/${name}.html`, kind);
        try {
          const clauses = segmentClauses(page.document);
          const score = compareStructure(clauses, json.structure);
          const recall = score.matched / score.expected;
          const precision = score.found ? score.matched / score.found : 0;
          report.push(
            `  ${kind.padEnd(9)} ${name.padEnd(40)} recall ${(recall * 100).toFixed(1)}% (${score.matched}/${score.expected})` +
              `  precision ${(precision * 100).toFixed(1)}% (${score.matched}/${score.found})  level errors ${score.levelErrors.length}`,
          );
          expect(score.missing, 'missing clauses').toEqual([]);
          expect(score.extra, 'extra clauses').toEqual([]);
          expect(score.levelErrors, 'wrong levels').toEqual([]);
          // every path ends with the clause's own label and has one label per level
          for (const c of clauses) {
            expect(c.path.length).toBe(c.level);
            expect(c.path[c.path.length - 1]).toBe(c.label);
          }
        } finally {
          await page.close();
        }
      });

      it(`${name}: detects the document body`, async () => {
        const json = readPageJson(name);
        const page = await loadPage(`pages/${name}.html`, kind);
        try {
          const body = findBody(page.document);
          expect(body).not.toBeNull();
          const expected = selectBody(page.document, json.bodySelector);
          if (expected) expect(body).toBe(expected);
          else {
            // an unloaded srcdoc frame (jsdom): the body is read from the frame's srcdoc
            const inner = json.bodySelector.split('→')[1]!.trim();
            expect(body!.matches(inner)).toBe(true);
          }
          const chars = (body!.textContent ?? '').replace(/\s/g, '').length;
          expect(chars).toBe(json.bodyCharCount);
        } finally {
          await page.close();
        }
      });
    }
  });
}
