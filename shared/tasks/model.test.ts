import { describe, expect, it } from 'vitest';
import { referenceProgress, referenceTasks, SAMPLE_UNITS } from '../../test/fixtures/tasks/sample.ts';
import {
  activeUnits,
  addUnit,
  compareTasks,
  deleteUnit,
  displayStatus,
  filterTasks,
  findUnitByName,
  isUrgent,
  latestProgressByTask,
  mergeUnits,
  parseProgressEntry,
  parseProgressKey,
  parseTaskQuery,
  parseTaskRecord,
  progressEntryMatchesKey,
  progressKey,
  renameUnit,
  resolveUnit,
  sortTasks,
  type Task,
  type TaskRecordInput,
  TASK_LIMITS,
  todayIn,
  toTaskRows,
  type Units,
  unitNames,
} from './model.ts';
import { type Unit, unitSchema } from '../model/team-room.ts';

const member = { id: 'm-1', name: '张三' };
const stamp = { by: member.id, at: 1_700_000_000_000 };

function task(overrides: Partial<Task> = {}): Task {
  return {
    id: 't-1',
    documentKey: 'doc-a',
    clause: { path: ['一、', '1.'], text: '1. 全面学习宣传贯彻……', hash: 'h1', index: 2 },
    task: '全面学习宣传贯彻',
    leadUnits: ['u-a'],
    units: ['u-b'],
    due: { text: '6月底前', date: '2023-06-30' },
    status: 'todo',
    createdBy: member,
    createdAt: 1,
    updatedBy: member,
    updatedAt: 1,
    ...overrides,
  };
}

function units(entries: Record<string, Partial<Unit> & { name: string }>): Units {
  return Object.fromEntries(Object.entries(entries).map(([id, u]) => [id, { ...stamp, ...u }]));
}

describe('task records', () => {
  const { documentKey: _, ...record } = task({ leader: '  张卫东 ', requirement: '' });

  it('accepts a task as a room stores it, trimming text and dropping empty optional fields', () => {
    const parsed = parseTaskRecord(record);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.leader).toBe('张卫东');
    expect('requirement' in parsed.value && parsed.value.requirement !== undefined).toBe(false);
  });

  it('refuses what breaks the schema, with a readable error', () => {
    const bad: [string, Partial<TaskRecordInput>][] = [
      ['id', { id: 'has space' }],
      ['task', { task: '   ' }],
      ['task', { task: 'x'.repeat(TASK_LIMITS.taskChars + 1) }],
      ['status', { status: 'overdue' as never }],
      ['due.date', { due: { text: '2月30日前', date: '2023-02-30' } }],
      ['due.text', { due: { text: '', date: null } }],
      ['leadUnits', { leadUnits: Array.from({ length: 31 }, (_, i) => `u-${i}`) }],
      ['leadUnits.0', { leadUnits: ['../etc'] }],
      ['clause.path', { clause: { ...record.clause, path: Array(13).fill('一、') } }],
      ['clause.index', { clause: { ...record.clause, index: -1 } }],
      ['updatedBy', { updatedBy: { id: 'm-1', name: '' } }],
    ];
    for (const [path, change] of bad) {
      const parsed = parseTaskRecord({ ...record, ...change });
      expect(parsed.ok, path).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain(path);
    }
    expect(parseTaskRecord(null).ok).toBe(false);
  });

  it('keeps each unit id once', () => {
    const parsed = parseTaskRecord({ ...record, units: ['u-b', 'u-b', 'u-c'] });
    expect(parsed.ok && parsed.value.units).toEqual(['u-b', 'u-c']);
  });
});

describe('progress entries', () => {
  const entry = { id: 'p-1', taskId: 't-1', text: '已召开部署会', at: 5, by: member };

  it('takes http(s) links only', () => {
    expect(parseProgressEntry({ ...entry, link: 'https://oa.example.gov.cn/a.docx' }).ok).toBe(true);
    for (const link of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', '/relative', 'not a url']) {
      expect(parseProgressEntry({ ...entry, link }).ok, link).toBe(false);
    }
    expect(parseProgressEntry({ ...entry, text: ' ' }).ok).toBe(false);
  });

  it("lives under its author's key only", () => {
    expect(progressKey('m-1', 'p-1')).toBe('m-1/p-1');
    expect(parseProgressKey('m-1/p-1')).toEqual({ memberId: 'm-1', entryId: 'p-1' });
    expect(parseProgressKey('m-1/p-1/x')).toBeNull();
    expect(parseProgressKey('m 1/p')).toBeNull();
    const parsed = parseProgressEntry(entry);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(progressEntryMatchesKey('m-1/p-1', parsed.value)).toBe(true);
    expect(progressEntryMatchesKey('m-2/p-1', parsed.value)).toBe(false);
    expect(progressEntryMatchesKey('m-1/p-2', parsed.value)).toBe(false);
  });

  it('finds the latest entry of each task', () => {
    const latest = latestProgressByTask(referenceProgress());
    expect(latest.get('t-01')?.id).toBe('p-0-b');
    expect(latest.get('t-03')?.id).toBe('p-2-a');
    expect(latest.has('t-02')).toBe(false);
  });
});

describe('status and order', () => {
  it('shows 已逾期 once the due date has passed and the task is not done', () => {
    const due = { text: '6月底前', date: '2023-06-30' };
    expect(displayStatus({ status: 'doing', due }, '2023-06-30')).toBe('doing');
    expect(displayStatus({ status: 'doing', due }, '2023-07-01')).toBe('overdue');
    expect(displayStatus({ status: 'todo', due }, '2023-07-01')).toBe('overdue');
    expect(displayStatus({ status: 'done', due }, '2023-07-01')).toBe('done');
    expect(displayStatus({ status: 'todo', due: { text: '长期坚持', date: null } }, '2099-01-01')).toBe('todo');
    expect(displayStatus({ status: 'todo', due: null }, '2099-01-01')).toBe('todo');
  });

  it("reads today in the reader's time zone", () => {
    const instant = Date.UTC(2023, 5, 30, 17, 0); // 01:00 on 1 July in Beijing
    expect(todayIn(instant, 'Asia/Shanghai')).toBe('2023-07-01');
    expect(todayIn(instant, 'UTC')).toBe('2023-06-30');
  });

  it('puts what is overdue or due within seven days on top, earliest first, then clause order', () => {
    const today = '2023-06-25';
    const tasks = [
      task({
        id: 'late-clause',
        clause: { ...task().clause, index: 30 },
        due: { text: '7月2日前', date: '2023-07-02' },
      }),
      task({ id: 'first-clause', clause: { ...task().clause, index: 1 }, due: { text: '年底前', date: '2023-12-31' } }),
      task({ id: 'overdue', clause: { ...task().clause, index: 20 }, due: { text: '6月20日前', date: '2023-06-20' } }),
      task({
        id: 'done-overdue',
        clause: { ...task().clause, index: 0 },
        status: 'done',
        due: { text: '6月1日前', date: '2023-06-01' },
      }),
      task({ id: 'ongoing', clause: { ...task().clause, index: 5 }, due: { text: '长期坚持', date: null } }),
      task({
        id: 'in-eight-days',
        clause: { ...task().clause, index: 3 },
        due: { text: '7月3日前', date: '2023-07-03' },
      }),
      task({ id: 'other-doc', documentKey: 'doc-0', clause: { ...task().clause, index: 0 }, due: null }),
    ];
    expect(isUrgent(tasks[0]!, today)).toBe(true);
    expect(isUrgent(tasks[5]!, today)).toBe(false);
    expect(sortTasks(tasks, { today }).map((t) => t.id)).toEqual([
      'overdue',
      'late-clause',
      'other-doc',
      'done-overdue',
      'first-clause',
      'in-eight-days',
      'ongoing',
    ]);
    const ordered = [...tasks].sort(compareTasks({ today, documentOrder: ['doc-a', 'doc-0'] }));
    expect(ordered.map((t) => t.id).at(-1)).toBe('other-doc');
  });
});

describe('filters', () => {
  const team = units({
    'u-a': { name: '基础教育科' },
    'u-b': { name: '办公室' },
    'u-old': { name: '基教科', mergedInto: 'u-a' },
    'u-c': { name: '督导室' },
  });
  const today = '2023-07-01';
  const tasks = [
    task({
      id: 'a',
      leadUnits: ['u-old'],
      units: [],
      leader: '张卫东、李明',
      due: { text: '6月底前', date: '2023-06-30' },
    }),
    task({ id: 'b', leadUnits: ['u-c'], units: ['u-b'], status: 'doing', due: { text: '年底前', date: '2023-12-31' } }),
    task({
      id: 'c',
      leadUnits: ['u-b'],
      units: ['u-a'],
      status: 'done',
      leader: '王芳',
      documentKey: 'doc-b',
      due: { text: '9月底前', date: '2023-09-30' },
    }),
    task({ id: 'd', leadUnits: ['u-c'], units: [], due: { text: '长期坚持', date: null } }),
    task({ id: 'gone', leadUnits: ['u-a'], deleted: true }),
  ];
  const ids = (filter: Parameters<typeof filterTasks>[1]) =>
    filterTasks(tasks, filter, { units: team, today }).map((t) => t.id);

  it('filters by unit, lead or responsible, following merges from either side', () => {
    expect(ids({ unit: 'u-a' })).toEqual(['a', 'c']);
    expect(ids({ unit: 'u-old' })).toEqual(['a', 'c']);
    expect(ids({ unit: 'u-b' })).toEqual(['b', 'c']);
    expect(ids({ unit: 'u-unknown' })).toEqual([]);
  });

  it('filters by displayed status, so overdue is a status to filter on', () => {
    expect(ids({ status: ['overdue'] })).toEqual(['a']);
    expect(ids({ status: ['todo', 'doing'] })).toEqual(['b', 'd']);
    expect(ids({ status: ['done'] })).toEqual(['c']);
  });

  it('filters by due date, inclusive, leaving out tasks without a dated deadline', () => {
    expect(ids({ dueBefore: '2023-06-30' })).toEqual(['a']);
    expect(ids({ dueAfter: '2023-07-01' })).toEqual(['b', 'c']);
    expect(ids({ dueAfter: '2023-06-30', dueBefore: '2023-06-30' })).toEqual(['a']);
  });

  it('filters by leader (one of several, whitespace and width ignored) and by document; deleted tasks never show', () => {
    expect(ids({ leader: '李明' })).toEqual(['a']);
    expect(ids({ leader: '王 芳' })).toEqual(['c']);
    expect(ids({ leader: '张卫' })).toEqual([]);
    expect(ids({ document: 'doc-b' })).toEqual(['c']);
    expect(ids({})).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads filters from a query string and refuses invalid ones', () => {
    const parsed = parseTaskQuery(
      new URLSearchParams('unit=u-a&status=overdue,doing&status=done&dueBefore=2023-12-31&x=1'),
    );
    expect(parsed).toEqual({
      ok: true,
      value: { unit: 'u-a', status: ['overdue', 'doing', 'done'], dueBefore: '2023-12-31' },
    });
    expect(parseTaskQuery(new URLSearchParams('status=late')).ok).toBe(false);
    expect(parseTaskQuery(new URLSearchParams('dueAfter=2023-13-01')).ok).toBe(false);
    expect(parseTaskQuery(new URLSearchParams('unit=../x')).ok).toBe(false);
    expect(parseTaskQuery(new URLSearchParams('')).ok).toBe(true);
  });
});

describe('units', () => {
  const team = units({
    'u-a': { name: '基础教育科' },
    'u-b': { name: '办公室' },
    'u-x': { name: '旧科室', deleted: true },
  });

  it('adds a unit once per name (width and spaces ignored)', () => {
    const added = addUnit(team, { id: 'u-new', name: ' 督导室 ', ...stamp });
    expect(added).toEqual({ ok: true, id: 'u-new', patch: { 'u-new': { name: '督导室', ...stamp } } });
    expect(addUnit(team, { id: 'u-new', name: '基础 教育科', ...stamp })).toEqual({ ok: true, id: 'u-a', patch: {} });
    expect(addUnit(team, { id: 'u-a', name: '新科室', ...stamp })).toMatchObject({ ok: false, error: 'name-taken' });
    expect(addUnit(team, { id: 'u-y', name: '  ', ...stamp })).toMatchObject({ ok: false, error: 'invalid-name' });
    expect(addUnit(team, { id: 'u-y', name: 'x'.repeat(101), ...stamp })).toMatchObject({
      ok: false,
      error: 'invalid-name',
    });
  });

  it('renames a unit; every task naming it reads the new name', () => {
    const renamed = renameUnit(team, 'u-a', '基础教育与学前教育科', stamp);
    expect(renamed.ok).toBe(true);
    if (!renamed.ok) return;
    const after = { ...team, ...renamed.patch };
    expect(unitNames(after, ['u-a', 'u-b'])).toEqual(['基础教育与学前教育科', '办公室']);
    expect(renameUnit(team, 'u-a', '办公室', stamp)).toEqual({ ok: false, error: 'name-taken', id: 'u-b' });
    expect(renameUnit(team, 'u-a', '基础教育科', stamp)).toEqual({ ok: true, id: 'u-a', patch: {} });
    expect(renameUnit(team, 'u-none', 'x', stamp)).toEqual({ ok: false, error: 'unknown-unit' });
  });

  it('keeps former names, so a name used after a rename (a colleague offline, a clause’s text) finds the unit', () => {
    const first = renameUnit(team, 'u-a', '基础教育与学前教育科', stamp);
    if (!first.ok) throw new Error(first.error);
    const once: Units = { ...team, ...first.patch };
    expect(once['u-a']!.aliases).toEqual(['基础教育科']);
    const second = renameUnit(once, 'u-a', '基础 教育科', stamp);
    if (!second.ok) throw new Error(second.error);
    const back: Units = { ...team, ...second.patch };
    // Naming it back drops the name from its aliases; the intermediate name becomes one.
    expect(back['u-a']).toMatchObject({ name: '基础 教育科', aliases: ['基础教育与学前教育科'] });
    expect(findUnitByName(once, '基础 教育科')?.id).toBe('u-a');
    expect(addUnit(once, { id: 'u-new', name: '基础教育科', ...stamp })).toEqual({ ok: true, id: 'u-a', patch: {} });
    // A former name does not block another unit's rename: current names win a lookup.
    const taken = renameUnit(once, 'u-b', '基础教育科', stamp);
    expect(taken).toMatchObject({ ok: true, id: 'u-b' });
    if (!taken.ok) return;
    expect(findUnitByName({ ...once, ...taken.patch }, '基础教育科')?.id).toBe('u-b');
  });

  it('offers live units with the names of what was merged into them', () => {
    const merged = mergeUnits(units({ ...team, 'u-c': { name: '督导室', aliases: ['督导科'] } }), 'u-c', 'u-b', stamp);
    if (!merged.ok) throw new Error(merged.error);
    const after = { ...units({ ...team, 'u-c': { name: '督导室', aliases: ['督导科'] } }), ...merged.patch };
    expect(activeUnits(after)).toEqual([
      { id: 'u-b', name: '办公室', aliases: ['督导室', '督导科'] },
      { id: 'u-a', name: '基础教育科', aliases: [] },
    ]);
    expect(findUnitByName(after, '督导科')?.id).toBe('u-b');
  });

  it('merges one unit into another: names, pickers and filters follow, chains resolve', () => {
    const merged = mergeUnits(team, 'u-b', 'u-a', stamp);
    expect(merged).toMatchObject({ ok: true, id: 'u-a' });
    if (!merged.ok) return;
    const after: Units = { ...team, ...merged.patch };
    expect(resolveUnit(after, 'u-b')).toEqual({ id: 'u-a', name: '基础教育科', deleted: false });
    expect(unitNames(after, ['u-a', 'u-b'])).toEqual(['基础教育科']);
    expect(activeUnits(after).map((u) => u.id)).toEqual(['u-a']);
    expect(findUnitByName(after, '办公室')?.id).toBe('u-a');
    const renamed = renameUnit(after, 'u-b', '基础教育股', stamp);
    expect(renamed).toMatchObject({ ok: true, id: 'u-a' });
    expect(mergeUnits(after, 'u-a', 'u-b', stamp)).toMatchObject({ ok: false, error: 'same-unit' });
    const third = { ...after, ...units({ 'u-c': { name: '督导室' } }) };
    const chain = mergeUnits(third, 'u-a', 'u-c', stamp);
    if (!chain.ok) throw new Error(chain.error);
    expect(resolveUnit({ ...third, ...chain.patch }, 'u-b')?.id).toBe('u-c');
  });

  it('resolves a cycle made by two offline merges the same way from every unit', () => {
    const cycle = units({ 'u-z': { name: 'Z', mergedInto: 'u-m' }, 'u-m': { name: 'M', mergedInto: 'u-z' } });
    expect(resolveUnit(cycle, 'u-z')?.id).toBe('u-m');
    expect(resolveUnit(cycle, 'u-m')?.id).toBe('u-m');
    const long = units(
      Object.fromEntries(
        Array.from({ length: 2000 }, (_, i) => [`u-${i}`, { name: `U${i}`, mergedInto: `u-${(i + 1) % 2000}` }]),
      ),
    );
    expect(resolveUnit(long, 'u-7')?.id).toBe('u-0');
  });

  it('deletes a unit from the pickers while tasks keep its name', () => {
    const deleted = deleteUnit(team, 'u-b', stamp);
    if (!deleted.ok) throw new Error(deleted.error);
    const after = { ...team, ...deleted.patch };
    expect(activeUnits(after).map((u) => u.name)).toEqual(['基础教育科']);
    expect(unitNames(after, ['u-b'])).toEqual(['办公室']);
    expect(resolveUnit(after, 'u-b')?.deleted).toBe(true);
    expect(findUnitByName(after, '旧科室')).toBeNull();
  });

  it('checks unit records as the team room stores them', () => {
    expect(unitSchema.safeParse({ name: '办公室', ...stamp }).success).toBe(true);
    expect(unitSchema.safeParse({ name: '', ...stamp }).success).toBe(false);
    expect(unitSchema.safeParse({ name: '办公室', mergedInto: 'a b', ...stamp }).success).toBe(false);
    // `by` is the writer's member id (what the server checks), not an author object.
    expect(unitSchema.safeParse({ name: '办公室', by: member, at: 1 }).success).toBe(false);
    expect(resolveUnit(units({}), '__proto__')).toBeNull();
    expect(resolveUnit(units({ x: { name: 'X', mergedInto: '__proto__' } }), 'x')?.id).toBe('x');
  });
});

describe('rows for the exports', () => {
  it('numbers the tasks in the given order with unit names after merges and the latest progress', () => {
    const rows = toTaskRows(referenceTasks(), { units: SAMPLE_UNITS, progress: referenceProgress() });
    expect(rows).toHaveLength(27);
    expect(rows.map((r) => r.no)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    expect(rows[0]).toMatchObject({ clausePath: '一、1.', leadUnits: ['组织人事科'], units: ['机关党委', '办公室'] });
    expect(rows[9]!.leadUnits).toEqual(['基础教育科']); // u-old is merged into u-jcjy
    expect(rows[0]!.latestProgress).toEqual({ at: '2023-04-05', by: '李娜', text: '完成阶段性任务，材料已归档。' });
    expect(rows[1]!.latestProgress).toBeUndefined();
    const withDeleted = toTaskRows([{ ...referenceTasks()[0]!, deleted: true }, referenceTasks()[1]!], {
      units: SAMPLE_UNITS,
    });
    expect(withDeleted.map((r) => [r.no, r.task])).toEqual([[1, '加强教育系统党的领导和党的建设']]);
  });
});
