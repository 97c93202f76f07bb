/**
 * The corpus's republished pages (edits/*.changes.json maps every v1 clause to its v2 clause): every pair
 * found, every status right (width-or-dash-only counts as unchanged), renumbering where the labels changed, no
 * pair the map does not have; and the same the other way round (v2 → v1), where the inserted clause is removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetPageIndex } from '../../../shared/anchoring/index.ts';
import {
  type ClauseChange,
  compareClauses,
  compareSnapshots,
  parseSnapshot,
  snapshotOf,
} from '../../../shared/compare/index.ts';
import { type ChangesJson, type DomKind, type LoadedPage, loadPage, readChanges } from '../anchoring/helpers/corpus.ts';

const EDITED = ['01-suizhou-edu-2023', '04-gov-iit-special-deductions-2018'];

function expectedStatus(textStatus: string): ClauseChange['status'] {
  if (textStatus === 'inserted') return 'added';
  return textStatus === 'modified' ? 'modified' : 'unchanged';
}

/** Pairs as "old index → new index", statuses and renumbering, from a comparison. */
function pairsOf(changes: ClauseChange[]) {
  return changes
    .filter((c) => c.before && c.after)
    .map((c) => ({ from: c.before!.index, to: c.after!.index, status: c.status, renumbered: c.renumbered }));
}

for (const kind of ['happy-dom', 'jsdom'] as DomKind[]) {
  describe.each(EDITED)(`%s republished (${kind})`, (name) => {
    let v1: LoadedPage;
    let v2: LoadedPage;
    let map: ChangesJson['clauseMap'];
    beforeAll(async () => {
      v1 = await loadPage(`pages/${name}.html`, kind);
      v2 = await loadPage(`edits/${name}.v2.html`, kind);
      map = readChanges(name).clauseMap;
    });
    afterAll(async () => {
      for (const page of [v1, v2]) {
        forgetPageIndex(page.document);
        await page.close();
      }
    });

    it('finds every pair of the map with its status and renumbering, and no other pair', () => {
      const changes = compareClauses(v1.document, v2.document);
      const expected = map
        .filter((e) => e.v1 && e.v2)
        .map((e) => ({
          from: e.v1!.index,
          to: e.v2!.index,
          status: expectedStatus(e.textStatus),
          renumbered: !!e.labelChanged,
        }));
      expect(pairsOf(changes)).toEqual(expected);
      const added = changes.filter((c) => c.status === 'added').map((c) => c.after!.index);
      expect(added).toEqual(map.filter((e) => !e.v1).map((e) => e.v2!.index));
      expect(changes.filter((c) => c.status === 'removed')).toEqual([]);
    });

    it('marks only the changed words of each modified clause', () => {
      const changes = compareClauses(v1.document, v2.document);
      for (const entry of map.filter((e) => e.textStatus === 'modified')) {
        const change = changes.find((c) => c.before?.index === entry.v1!.index)!;
        const deleted = change.edits.filter((e) => e.op === 'delete').map((e) => e.text);
        const inserted = change.edits.filter((e) => e.op === 'insert').map((e) => e.text);
        const fixes = (entry.changes ?? []).filter((f) => f.before && f.after);
        expect(fixes.length).toBeGreaterThan(0);
        for (const fix of fixes) {
          // the characters the fix took out are deleted, those it put in are inserted
          for (const ch of fix.before!) if (!fix.after!.includes(ch)) expect(deleted.join('')).toContain(ch);
          for (const ch of fix.after!) if (!fix.before!.includes(ch)) expect(inserted.join('')).toContain(ch);
        }
        // and nothing else is marked: the marked text stays within the fixed stretches
        expect(deleted.join('').length).toBeLessThanOrEqual(fixes.reduce((n, f) => n + f.before!.length, 0));
        expect(inserted.join('').length).toBeLessThanOrEqual(fixes.reduce((n, f) => n + f.after!.length, 0));
        expect(change.similarity).toBeGreaterThan(0.5);
        expect(change.similarity).toBeLessThan(1);
      }
    });

    it('the other way round: the inserted clause is removed, right after the clause before it', () => {
      const changes = compareClauses(v2.document, v1.document);
      const expected = map
        .filter((e) => e.v1 && e.v2)
        .map((e) => ({
          from: e.v2!.index,
          to: e.v1!.index,
          status: expectedStatus(e.textStatus),
          renumbered: !!e.labelChanged,
        }));
      expect(pairsOf(changes)).toEqual(expected);
      const inserted = map.find((e) => !e.v1)!.v2!.index;
      const at = changes.findIndex((c) => c.status === 'removed');
      expect(changes[at]!.before!.index).toBe(inserted);
      expect(changes[at - 1]!.before!.index).toBe(inserted - 1);
      expect(changes.filter((c) => c.status === 'added')).toEqual([]);
    });

    it('gives the same result from stored snapshots (after a JSON round trip)', () => {
      const stored = [snapshotOf(v1.document), snapshotOf(v2.document)].map((s) =>
        parseSnapshot(JSON.parse(JSON.stringify(s))),
      );
      expect(compareSnapshots(stored[0]!, stored[1]!)).toEqual(compareClauses(v1.document, v2.document));
    });
  });
}
