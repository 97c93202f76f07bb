/**
 * Every corpus page, in happy-dom and in jsdom: the detected body is the one the page's JSON names, and
 * segmentClauses finds the JSON's `structure` in order, with labels and levels right. Prints recall/precision.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { findBody, segmentClauses, type Clause } from '../../../shared/anchoring/index.ts';
import { type DomKind, type Expected, loadPage, pageNames, readPageJson, squeeze } from './helpers/corpus.ts';

interface Score {
  matched: number;
  expected: number;
  found: number;
  levelErrors: string[];
  missing: string[];
  extra: string[];
}

/** Longest common subsequence of expected and found clauses (same label, text starting as expected). */
export function compareStructure(found: Clause[], expected: Expected[]): Score {
  const same = (c: Clause, e: Expected) =>
    squeeze(c.label) === squeeze(e.label) && squeeze(c.text).startsWith(squeeze(e.startsWith));
  const n = expected.length;
  const m = found.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = same(found[j]!, expected[i]!)
        ? table[i + 1]![j + 1]! + 1
        : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const levelErrors: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  let i = 0;
  let j = 0;
  let matched = 0;
  while (i < n && j < m) {
    if (same(found[j]!, expected[i]!) && table[i]![j] === table[i + 1]![j + 1]! + 1) {
      matched++;
      const e = expected[i]!;
      const c = found[j]!;
      if (c.level !== e.level) levelErrors.push(`${e.label} ${e.startsWith}: level ${c.level}, expected ${e.level}`);
      if (!!e.inline !== c.inline) levelErrors.push(`${e.label} ${e.startsWith}: inline ${c.inline}`);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) {
      missing.push(`${expected[i]!.label} ${expected[i]!.startsWith}`);
      i++;
    } else {
      extra.push(`${found[j]!.label} ${found[j]!.text.slice(0, 20)}`);
      j++;
    }
  }
  for (; i < n; i++) missing.push(`${expected[i]!.label} ${expected[i]!.startsWith}`);
  for (; j < m; j++) extra.push(`${found[j]!.label} ${found[j]!.text.slice(0, 20)}`);
  return { matched, expected: n, found: m, levelErrors, missing, extra };
}

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
