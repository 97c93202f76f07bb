/**
 * The comparison page's data: annotations and tasks placed on the clauses they were made on (by text hash, then
 * by label path), what "只看变化" keeps, what can still be carried over, and which of two versions is the earlier.
 */
import { describe, expect, it } from 'vitest';
import {
  carriedSources,
  carryable,
  inVersionOrder,
  parseVersionParam,
  placeAnnotations,
  placeTasks,
  taskCarryItem,
  taskSourceKey,
  versionParam,
  visibleChanges,
} from '../../../extension/components/compare/comparison-model.ts';
import { compareSnapshots } from '../../../shared/compare/index.ts';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { carriedTaskSources, type Task } from '../../../shared/tasks/index.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';
import { sampleSnapshot } from '../../fixtures/snapshot.ts';
import { sampleTask } from '../../fixtures/tasks/sample.ts';

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
    const byId = (a: { id: string }) => a.id;
    const pending = carryable(changes, placed.byClause, carriedSources([carriedAlready]), byId);
    expect(pending.map((p) => [p.item.id, p.change.status])).toEqual([[onModified.id, 'modified']]);
    expect(carryable(changes, placed.byClause, new Set(), byId).map((p) => p.item.id)).toEqual([
      onModified.id,
      onUnchanged.id,
    ]);
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

describe('tasks on the comparison page', () => {
  const task = (clause: number, overrides: Partial<Task> = {}): Task => ({
    ...sampleTask({
      id: `t${clause}`,
      clause: {
        path: OLD.clauses[clause]!.path,
        text: OLD.clauses[clause]!.text,
        hash: OLD.clauses[clause]!.hash,
        index: clause,
      },
      task: `任务${clause}`,
      status: 'doing',
    }),
    documentKey: 'old',
    ...overrides,
  });

  it('places tasks on their clause like highlights: by the text they were made on, then by label path', () => {
    const edited = task(0, { id: 'e', clause: { ...task(0).clause, hash: 'edited-since' } });
    const nowhere = task(0, { id: 'n', clause: { path: ['九、'], text: '', hash: 'x', index: 9 } });
    const gone = task(1, { id: 'g', deleted: true });
    const placed = placeTasks(OLD, [task(0), task(2), edited, nowhere, gone]);
    expect(placed.byClause.get(0)?.map((t) => t.id)).toEqual(['t0', 'e']);
    expect(placed.byClause.get(2)?.map((t) => t.id)).toEqual(['t2']);
    expect(placed.byClause.has(1)).toBe(false);
    expect(placed.unplaced.map((t) => t.id)).toEqual(['n']);
  });

  it('offers the tasks of paired clauses not carried yet, and asks for the new clause as a task records it', () => {
    const placed = placeTasks(OLD, [task(0), task(1), task(2)]);
    const newTask = { ...task(1, { id: 'c', documentKey: 'new' }), carriedFrom: { id: 't1', documentKey: 'old' } };
    const pending = carryable(changes, placed.byClause, carriedTaskSources([newTask]), taskSourceKey);
    // the second clause's is carried already, the third clause was removed (nothing to carry it to)
    expect(pending.map((p) => [p.item.id, p.change.status])).toEqual([['t0', 'modified']]);
    // a task of another notice with the same id is another task
    const other = { ...newTask, carriedFrom: { id: 't1', documentKey: 'elsewhere' } };
    expect(carryable(changes, placed.byClause, carriedTaskSources([other]), taskSourceKey)).toHaveLength(2);

    const modified = changes[0]!;
    expect(taskCarryItem(NEW, modified, task(0))).toEqual({
      from: { id: 't0', documentKey: 'old' },
      clause: {
        path: NEW.clauses[0]!.path,
        text: `${NEW.clauses[0]!.label}${NEW.clauses[0]!.text}`,
        hash: NEW.clauses[0]!.hash,
        index: 0,
      },
    });
  });

  it('takes a clause with sub-clauses whole, as a page’s clause reads', () => {
    const nested = {
      ...NEW,
      clauses: [
        { ...NEW.clauses[0]!, index: 0, level: 1, parent: -1, label: '一、', path: ['一、'], text: '总体要求' },
        { ...NEW.clauses[1]!, index: 1, level: 2, parent: 0, label: '1.', path: ['一、', '1.'], text: '第一项' },
        { ...NEW.clauses[2]!, index: 2, level: 1, parent: -1, label: '二、', path: ['二、'], text: '其他' },
      ],
    };
    const change = { ...changes[0]!, after: { ...changes[0]!.after!, index: 0 } };
    expect(taskCarryItem(nested, change, task(0)).clause.text).toBe('一、总体要求\n1.第一项');
  });
});
