/**
 * Real successive versions of a document of one issuer (test/fixtures/compare, README there), with the
 * alignment written by hand: no pair outside the expected ones (0 wrong pairs), and at least as many true pairs
 * found as measured when this was written (a floor against regressions; the misses are rewrites with little
 * wording left in common, reported as removed + added).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { segmentClauses } from '../../../shared/anchoring/index.ts';
import { type ClauseChange, compareClauses, summarizeChanges } from '../../../shared/compare/index.ts';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compare');

type Alignment = {
  before: string;
  after: string;
  pairs: [string, string][];
  acceptable: [string, string][];
  removed: string[];
  added: string[];
};

/** name, true pairs expected to be found at least */
const CASES: [string, number][] = [
  ['holidays', 18],
  ['state-council-organic-law', 9],
  ['beijing-audit-regulations', 48],
];

function load(file: string): Document {
  return new JSDOM(fs.readFileSync(path.join(DIR, file), 'utf8')).window.document;
}

/** Label path of each clause as the alignment files write it ("第二章/第七条/（一）"), by clause index. */
function pathsOf(doc: Document): string[] {
  return segmentClauses(doc).map((c) => c.path.join('/'));
}

describe.each(CASES)('%s', (name, floor) => {
  const alignment = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.alignment.json`), 'utf8')) as Alignment;
  const before = load(alignment.before);
  const after = load(alignment.after);
  const oldPaths = pathsOf(before);
  const newPaths = pathsOf(after);
  const changes = compareClauses(before, after);
  const key = (c: ClauseChange) => `${oldPaths[c.before!.index]}|${newPaths[c.after!.index]}`;
  const truePairs = new Set(alignment.pairs.map((p) => p.join('|')));
  const acceptable = new Set(alignment.acceptable.map((p) => p.join('|')));

  it('the hand-written alignment names every clause of both versions, each path once', () => {
    const named = (side: 0 | 1, extra: string[]) =>
      new Set([...alignment.pairs.map((p) => p[side]), ...alignment.acceptable.map((p) => p[side]), ...extra]);
    expect([...named(0, alignment.removed)].sort()).toEqual([...oldPaths].sort());
    expect([...named(1, alignment.added)].sort()).toEqual([...newPaths].sort());
    expect(new Set(oldPaths).size).toBe(oldPaths.length);
    expect(new Set(newPaths).size).toBe(newPaths.length);
  });

  it(`pairs no two clauses that are not the same item, and finds at least ${floor} of the true pairs`, () => {
    const paired = changes.filter((c) => c.before && c.after).map(key);
    expect(paired.filter((p) => !truePairs.has(p) && !acceptable.has(p))).toEqual([]);
    expect(paired.filter((p) => truePairs.has(p)).length).toBeGreaterThanOrEqual(floor);
  });

  it('lists every clause exactly once, in the new order with removed clauses after their predecessor', () => {
    expect(changes.filter((c) => c.after).map((c) => c.after!.index)).toEqual(newPaths.map((_, j) => j));
    expect(
      changes
        .filter((c) => c.before)
        .map((c) => c.before!.index)
        .sort((a, b) => a - b),
    ).toEqual(oldPaths.map((_, i) => i));
    changes.forEach((c, k) => {
      if (c.status !== 'removed' || c.before!.index === 0) return;
      // the row before a removed clause holds the old clause just before it, or a removed one after that
      const previous = changes[k - 1]!;
      const prevOld = previous.before?.index ?? -1;
      expect(prevOld === c.before!.index - 1 || (previous.status === 'removed' && prevOld < c.before!.index)).toBe(
        true,
      );
    });
  });
});

describe('the 2013 and 2024 放假办法 (a republished version)', () => {
  const changes = compareClauses(load('holidays-2013.html'), load('holidays-2024.html'));

  it('reports the statuses a reader expects: width-only changes unchanged, the edited items modified', () => {
    const byStatus = (status: ClauseChange['status']) =>
      changes.filter((c) => c.status === status).map((c) => (c.after ?? c.before)!.path);
    expect(byStatus('modified')).toEqual(['第二条（一）', '第二条（二）', '第二条（四）', '第二条（七）', '第六条']);
    expect(byStatus('added')).toEqual(['第七条']);
    expect(byStatus('removed')).toEqual([]);
    expect(changes.filter((c) => c.renumbered).map((c) => `${c.before!.path} → ${c.after!.path}`)).toEqual([
      '第七条 → 第八条',
    ]);
    expect(summarizeChanges(changes, 'zh')).toBe(
      '新增 1 条，修改 5 条，删除 0 条：新增第七条；修改第二条（一）、第二条（二）、第二条（四）、第二条（七）、第六条；另有 1 条仅条号变更（第七条 → 第八条）。',
    );
  });

  it('marks the new holiday and the longer Spring Festival word by word', () => {
    const spring = changes.find((c) => c.after?.path === '第二条（二）')!;
    expect(spring.edits.filter((e) => e.op !== 'equal')).toEqual([
      { op: 'delete', text: '3' },
      { op: 'insert', text: '4' },
      { op: 'delete', text: '正月初一' },
      { op: 'insert', text: '除夕' },
      { op: 'delete', text: '初二、' },
      { op: 'insert', text: '正月初一至' },
    ]);
  });
});
