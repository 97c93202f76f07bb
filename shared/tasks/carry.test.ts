import { describe, expect, it } from 'vitest';
import { carriedFromKey, carriedTaskSources, carryTask } from './carry.ts';
import { parseTaskRecord, type TaskRecord } from './model.ts';

const clause2023 = { path: ['一、', '1.'], text: '1. 加强学校体育工作，6月底前完成。', hash: 'h-old', index: 1 };
const clause2024 = { path: ['一、', '2.'], text: '2. 加强学校体育工作，6月底前完成。', hash: 'h-new', index: 2 };
const office = { id: 'm1', name: '办公室' };
const colleague = { id: 'm2', name: '李娜' };

const source: TaskRecord = {
  id: 't-old',
  clause: clause2023,
  task: '加强学校体育工作',
  leadUnits: ['u-pe'],
  units: ['u-school', 'u-health'],
  leader: '王副局长',
  due: { text: '6月底前', date: '2023-06-30' },
  requirement: '每月报送进展',
  status: 'done',
  createdBy: colleague,
  createdAt: 1_000,
  updatedBy: colleague,
  updatedAt: 2_000,
};
const target = { id: 't-new', clause: clause2024, by: office, at: 9_000, year: 2024 };

describe('carrying a task over to a new version', () => {
  it('keeps the wording, units, leader and requirement; starts again as not started, linked to the old task', () => {
    const carried = carryTask(source, 'y2023', target);
    expect(carried).toEqual({
      ...source,
      id: 't-new',
      clause: clause2024,
      due: { text: '6月底前', date: '2024-06-30' },
      status: 'todo',
      createdBy: office,
      createdAt: 9_000,
      updatedBy: office,
      updatedAt: 9_000,
      carriedFrom: { id: 't-old', documentKey: 'y2023' },
    });
    // what a room may hold: the link survives the schema
    expect(parseTaskRecord(carried)).toEqual({ ok: true, value: carried });
    expect(carried.units).not.toBe(source.units);
  });

  it('reads the deadline again against the new year; a written date stays, an unknown year keeps the old day', () => {
    const due = (text: string, date: string | null, year: number | undefined) =>
      carryTask({ ...source, due: { text, date } }, 'y2023', { ...target, year }).due;
    expect(due('年底前', '2023-12-31', 2024)).toEqual({ text: '年底前', date: '2024-12-31' });
    expect(due('2023年9月30日前', '2023-09-30', 2024)).toEqual({ text: '2023年9月30日前', date: '2023-09-30' });
    expect(due('2023-11-30', '2023-11-30', 2024)).toEqual({ text: '2023-11-30', date: '2023-11-30' });
    expect(due('长期坚持', null, 2024)).toEqual({ text: '长期坚持', date: null });
    expect(due('6月底前', '2023-06-30', undefined)).toEqual({ text: '6月底前', date: '2023-06-30' });
    expect(carryTask({ ...source, due: null }, 'y2023', target).due).toBeNull();
  });

  it('leaves out what the old task did not have', () => {
    const { leader: _leader, requirement: _requirement, ...bare } = source;
    const carried = carryTask(bare, 'y2023', target);
    expect('leader' in carried).toBe(false);
    expect('requirement' in carried).toBe(false);
  });

  it('knows which tasks were carried already: live tasks linking to them, by document and id', () => {
    const carried = carryTask(source, 'y2023', target);
    const deleted = { ...carryTask({ ...source, id: 't-gone' }, 'y2023', { ...target, id: 'x' }), deleted: true };
    const sameIdOtherNotice = carryTask(source, 'y2022', { ...target, id: 'y' });
    const keys = carriedTaskSources([carried, deleted, sameIdOtherNotice, source]);
    expect([...keys].sort()).toEqual(
      [
        carriedFromKey({ id: 't-old', documentKey: 'y2023' }),
        carriedFromKey({ id: 't-old', documentKey: 'y2022' }),
      ].sort(),
    );
  });

  it('reads records made before the link existed, and refuses a malformed link', () => {
    expect(parseTaskRecord(source).ok).toBe(true);
    expect(parseTaskRecord({ ...source, carriedFrom: { id: 'bad id', documentKey: 'y2023' } }).ok).toBe(false);
    expect(parseTaskRecord({ ...source, carriedFrom: 'y2023/t-old' }).ok).toBe(false);
  });
});
