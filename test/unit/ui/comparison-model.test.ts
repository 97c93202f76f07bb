/**
 * The comparison page's data: annotations placed on the clauses they were made on (by text hash, then by label
 * path), what "只看变化" keeps, what can still be carried over, and which of two versions is the earlier.
 */
import { describe, expect, it } from 'vitest';
import {
  carriedSources,
  carryable,
  inVersionOrder,
  parseVersionParam,
  placeAnnotations,
  versionParam,
  visibleChanges,
} from '../../../extension/components/compare/comparison-model.ts';
import { compareSnapshots } from '../../../shared/compare/index.ts';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';
import { sampleSnapshot } from '../../fixtures/snapshot.ts';

const OLD = sampleSnapshot([
  '加强学校体育工作，保证学生每天校园体育活动时间不少于1小时。',
  '完善学生资助体系。',
  '开展师德师风建设年活动。',
  '严格落实校园安全责任制。',
]);
const NEW = sampleSnapshot([
  '加强学校体育工作，保证学生每天综合体育活动时间不少于2小时。',
  '推进教师队伍建设，开展全员培训。',
  '完善学生资助体系。',
  '严格落实校园安全责任制。',
]);
const changes = compareSnapshots(OLD, NEW);

const on = (clause: number, overrides: Partial<Annotation> = {}): Annotation =>
  sampleAnnotation({
    id: `a${clause}-${overrides.id ?? ''}`,
    clausePath: OLD.clauses[clause]!.path,
    selectors: [
      { type: 'TextQuoteSelector', exact: OLD.clauses[clause]!.text.slice(0, 4) },
      { type: 'ClauseSelector', path: OLD.clauses[clause]!.path, hash: OLD.clauses[clause]!.hash },
    ],
    ...overrides,
  });

describe('placing annotations', () => {
  it('puts each highlight on the clause whose text it was made on, replies with their highlight', () => {
    const first = on(0);
    const third = on(2, { id: 'x' });
    const reply = sampleAnnotation({ id: 'r', replyTo: first.id });
    const gone = sampleAnnotation({ id: 'gone', deleted: true });
    const placed = placeAnnotations(OLD, [first, third, reply, gone]);
    expect(placed.byClause.get(0)).toEqual([first]);
    expect(placed.byClause.get(2)).toEqual([third]);
    expect(placed.replies.get(first.id)).toEqual([reply]);
    expect(placed.unplaced).toEqual([]);
  });

  it('falls back to the label path when the text differs, and keeps what fits nowhere apart', () => {
    const edited = on(0, { id: 'e' });
    edited.selectors = [edited.selectors[0]!, { type: 'ClauseSelector', path: ['1.'], hash: 'other-text' }];
    const nowhere = sampleAnnotation({
      id: 'n',
      clausePath: ['九、'],
      selectors: [{ type: 'TextQuoteSelector', exact: 'x' }],
    });
    const placed = placeAnnotations(NEW, [edited, nowhere]);
    expect(placed.byClause.get(0)).toEqual([edited]);
    expect(placed.unplaced).toEqual([nowhere]);
  });
});

describe('rows and carrying', () => {
  it('keeps every change but unchanged clauses when only changes are shown', () => {
    expect(changes.map((c) => [c.status, c.renumbered])).toEqual([
      ['modified', false],
      ['added', false],
      ['unchanged', true],
      ['removed', false],
      ['unchanged', false],
    ]);
    // a renumbered clause stays: its number changed
    expect(visibleChanges(changes, true).map((c) => c.status)).toEqual(['modified', 'added', 'unchanged', 'removed']);
    expect(visibleChanges(changes, false)).toBe(changes);
  });

  it('offers the highlights of paired clauses that were not carried yet', () => {
    const onModified = on(0);
    const onUnchanged = on(1, { id: 'u' });
    const onRemoved = on(2, { id: 'r' });
    const placed = placeAnnotations(OLD, [onModified, onUnchanged, onRemoved]);
    const carriedAlready = sampleAnnotation({ id: 'new1', carriedFrom: { id: onUnchanged.id, documentKey: 'old' } });
    const pending = carryable(changes, placed, carriedSources([carriedAlready]));
    expect(pending.map((p) => [p.annotation.id, p.change.status])).toEqual([[onModified.id, 'modified']]);
    expect(carryable(changes, placed, new Set()).map((p) => p.annotation.id)).toEqual([onModified.id, onUnchanged.id]);
  });
});

describe('versions', () => {
  it('orders two versions by publication date, else the notice being read is the new one', () => {
    const a = { publishedAt: '2024-02-01', id: 'a' };
    const b = { publishedAt: '2023-02-01', id: 'b' };
    expect(inVersionOrder(a, b)).toEqual([b, a]);
    expect(inVersionOrder(b, a)).toEqual([b, a]);
    const same = { publishedAt: '2023-02-01', id: 'same' };
    expect(inVersionOrder(b, same)).toEqual([same, b]);
    const read: { publishedAt?: string; id: string } = { id: 'read' };
    expect(inVersionOrder(read, { id: 'picked' })).toEqual([{ id: 'picked' }, read]);
  });

  it('names a version in the address and reads only well-formed ones back', () => {
    const ref = { documentKey: 'doc_1', contentHash: 'Ab-9' };
    expect(parseVersionParam(versionParam(ref))).toEqual(ref);
    for (const bad of [null, '', 'a.b.c', 'doc', '<x>.y']) expect(parseVersionParam(bad)).toBeNull();
  });
});
