/**
 * Every edited corpus page: quotes described in every clause of v1 (pieces of its own text, the edited words,
 * and the whole clause) are anchored on v2. Unchanged and width-only clauses must land exactly on the mapped
 * clause, modified ones fuzzily on it, renumbered ones on the renumbered clause; no anchor may land elsewhere.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  anchor,
  createPageIndex,
  describe as describeRange,
  normalizeText,
  segmentClauses,
} from '../../../shared/anchoring/index.ts';
import type { Clause } from '../../../shared/anchoring/index.ts';
import { type ClauseMapEntry, compareStructure, type DomKind, loadPage, readChanges } from './helpers/corpus.ts';

const EDITED = ['01-suizhou-edu-2023', '04-gov-iit-special-deductions-2018'];
const PIECE = 16;

interface Probe {
  what: string;
  /** Body unit range in v1. */
  start: number;
  end: number;
  /** The quote's v1 text is unchanged in v2 (so the anchor must be exact). */
  expectExact: boolean;
  /** The quote covers edited words (so the anchor must be fuzzy). */
  expectFuzzy: boolean;
}

function probesFor(
  clause: Clause,
  norm: string,
  bodyStart: number,
  unchanged: boolean,
  wholeUnchanged: boolean,
  edits: string[],
): Probe[] {
  const labelUnits = normalizeText(clause.label).length;
  const ownStart = clause.start + labelUnits;
  const ownLen = clause.ownEnd - ownStart;
  const probes: Probe[] = [];
  if (ownLen > 0) {
    const len = Math.min(PIECE, ownLen);
    for (const [what, at] of [
      ['start', ownStart],
      ['middle', ownStart + Math.floor((ownLen - len) / 2)],
      ['end', clause.ownEnd - len],
    ] as const) {
      const touchesEdit = edits.some((e) => overlapsEdit(norm, bodyStart + at, bodyStart + at + len, e));
      probes.push({
        what: `own ${what}`,
        start: at,
        end: at + len,
        expectExact: unchanged || !touchesEdit,
        expectFuzzy: false,
      });
    }
  }
  for (const before of edits) {
    const folded = normalizeText(before);
    const at = norm.indexOf(folded, bodyStart + clause.start);
    if (at >= 0 && at + folded.length <= bodyStart + clause.ownEnd) {
      probes.push({
        what: `edited "${before}"`,
        start: at - bodyStart,
        end: at - bodyStart + folded.length,
        expectExact: false,
        expectFuzzy: true,
      });
    }
  }
  probes.push({
    what: 'whole clause',
    start: clause.start,
    end: clause.end,
    expectExact: wholeUnchanged,
    expectFuzzy: false,
  });
  return probes;
}

/** Whether a clause and all its sub-clauses kept their text and labels, and nothing was inserted among them. */
function subtreeUnchanged(map: ClauseMapEntry[], c1: Clause[], c2: Clause[], from: Clause, to: Clause): boolean {
  const inside = (list: Clause[], root: Clause, i: number) => list[i]!.start >= root.start && list[i]!.start < root.end;
  return map.every((e) => {
    const touches = (e.v1 && inside(c1, from, e.v1.index)) || (e.v2 && inside(c2, to, e.v2.index));
    if (!touches) return true;
    return (e.textStatus === 'unchanged' || e.textStatus === 'width-or-dash-only') && !e.labelChanged;
  });
}

function overlapsEdit(norm: string, a: number, b: number, before: string): boolean {
  const folded = normalizeText(before);
  for (let at = norm.indexOf(folded); at >= 0; at = norm.indexOf(folded, at + 1)) {
    if (at < b && at + folded.length > a) return true;
  }
  return false;
}

const report: string[] = [];
afterAll(() => console.log(`\nre-anchoring v1 → v2:\n${report.join('\n')}`));

for (const kind of ['happy-dom', 'jsdom'] as DomKind[]) {
  describe(`re-anchoring on edited pages (${kind})`, () => {
    for (const name of EDITED) {
      it(`${name}: every v1 quote lands on its v2 clause or nowhere, never elsewhere`, async () => {
        const changes = readChanges(name);
        const v1 = await loadPage(`pages/${name}.html`, kind);
        const v2 = await loadPage(`edits/${name}.v2.html`, kind);
        try {
          const c1 = segmentClauses(v1.document);
          const c2 = segmentClauses(v2.document);
          const s2 = compareStructure(c2, changes.structureV2);
          expect(s2.missing.concat(s2.extra, s2.levelErrors)).toEqual([]);
          const index1 = createPageIndex(v1.document);
          const index2 = createPageIndex(v2.document);
          const counts = { probes: 0, exact: 0, fuzzy: 0, orphan: 0, ambiguous: 0, wrong: 0 };
          const failures: string[] = [];
          for (const entry of changes.clauseMap) {
            if (!entry.v1 || !entry.v2) continue;
            const from = c1[entry.v1.index]!;
            const to = c2[entry.v2.index]!;
            expect(from.label).toBe(entry.v1.label);
            expect(to.label).toBe(entry.v2.label);
            const unchanged = entry.textStatus === 'unchanged' || entry.textStatus === 'width-or-dash-only';
            const wholeUnchanged = subtreeUnchanged(changes.clauseMap, c1, c2, from, to);
            const edits = (entry.changes ?? []).filter((c) => c.type === 'char-fix' && c.before).map((c) => c.before!);
            for (const probe of probesFor(from, index1.text.norm, index1.bodyStart, unchanged, wholeUnchanged, edits)) {
              counts.probes++;
              const range = index1.text.rangeForUnits(index1.bodyStart + probe.start, index1.bodyStart + probe.end)!;
              const selectors = describeRange(v1.document, range);
              const result = anchor(v2.document, selectors);
              counts[result.status]++;
              const where = `${from.path.join(' ')} → ${to.path.join(' ')} (${probe.what})`;
              if (!result.range) {
                failures.push(`${where}: ${result.status} (${result.reason})`);
                continue;
              }
              const inside = result.start! >= to.start && result.end! <= to.end;
              if (!inside) {
                counts.wrong++;
                failures.push(
                  `${where}: WRONG, landed at ${result.start}-${result.end} in ${result.clause?.path.join(' ')}`,
                );
                continue;
              }
              const found = normalizeText(result.range.toString());
              const quote = normalizeText((selectors[0] as { exact: string }).exact);
              if (probe.expectExact && (result.status !== 'exact' || found !== quote)) {
                failures.push(`${where}: expected exact, got ${result.status}`);
              }
              if (probe.expectFuzzy && result.status !== 'fuzzy')
                failures.push(`${where}: expected fuzzy, got ${result.status}`);
            }
          }
          expect(index2.clauses.length).toBe(c2.length);
          report.push(
            `  ${kind.padEnd(9)} ${name.padEnd(36)} probes ${counts.probes}: exact ${counts.exact}, fuzzy ${counts.fuzzy}, ` +
              `orphan ${counts.orphan}, ambiguous ${counts.ambiguous}, wrong ${counts.wrong}`,
          );
          expect(counts.wrong, 'wrong anchors').toBe(0);
          expect(failures).toEqual([]);
        } finally {
          await v1.close();
          await v2.close();
        }
      });
    }
  });
}

describe('short quotes on edited pages (happy-dom)', () => {
  for (const name of EDITED) {
    it(`${name}: 4- to 8-character quotes all over v1 never land on another clause`, async () => {
      const changes = readChanges(name);
      const v1 = await loadPage(`pages/${name}.html`, 'happy-dom');
      const v2 = await loadPage(`edits/${name}.v2.html`, 'happy-dom');
      try {
        const c1 = segmentClauses(v1.document);
        const c2 = segmentClauses(v2.document);
        const index1 = createPageIndex(v1.document);
        const counts = { probes: 0, exact: 0, fuzzy: 0, orphan: 0, ambiguous: 0, wrong: 0 };
        const wrong: string[] = [];
        for (const entry of changes.clauseMap) {
          if (!entry.v1 || !entry.v2) continue;
          const from = c1[entry.v1.index]!;
          const to = c2[entry.v2.index]!;
          for (let at = from.start; at + 8 <= from.ownEnd; at += 5) {
            const length = 4 + ((at - from.start) % 5);
            const range = index1.text.rangeForUnits(index1.bodyStart + at, index1.bodyStart + at + length)!;
            const result = anchor(v2.document, describeRange(v1.document, range));
            counts.probes++;
            counts[result.status]++;
            if (result.range && !(result.start! >= to.start && result.end! <= to.end)) {
              counts.wrong++;
              wrong.push(
                `"${range.toString()}" from ${from.path.join(' ')} landed in ${result.clause?.path.join(' ')}`,
              );
            }
          }
        }
        report.push(
          `  short quotes ${name.padEnd(36)} probes ${counts.probes}: exact ${counts.exact}, fuzzy ${counts.fuzzy}, ` +
            `orphan ${counts.orphan}, ambiguous ${counts.ambiguous}, wrong ${counts.wrong}`,
        );
        expect(wrong).toEqual([]);
      } finally {
        await v1.close();
        await v2.close();
      }
    }, 60_000);
  }
});
