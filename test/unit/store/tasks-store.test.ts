/**
 * Tasks, progress and units in the store (fake IndexedDB): projected from rooms through one path for local and
 * remote changes (validated, invalid values skipped and reported), read through the task queries (a notice in
 * clause order; the team's, overdue and due soon on top, through the filter's index, in bounded pages), and
 * written by the background's TaskService (units named as typed, roles, offline colleagues merging).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskService } from '../../../extension/lib/background/tasks.ts';
import { TeamVocabulary } from '../../../extension/lib/background/team-vocabulary.ts';
import { AnnotationStore } from '../../../extension/lib/store/annotation-store.ts';
import type { PizhuDatabase } from '../../../extension/lib/store/db.ts';
import { StoreQueries } from '../../../extension/lib/store/queries.ts';
import type { TeamRow } from '../../../extension/lib/store/schema.ts';
import { type RoomChange, type RoomProblem, RoomRegistry } from '../../../extension/lib/sync/rooms.ts';
import { unitsMap, writeTeamEntries } from '../../../shared/model/team-room.ts';
import {
  type ProgressEntry,
  progressMap,
  type TaskRecord,
  tasksMap,
  unitIdForName,
  writeProgress,
  type Unit,
  writeTask,
} from '../../../shared/tasks/index.ts';
import { documentInfo, freshDatabase } from './fixtures.ts';

const TEAM = 't1';
const ME = { id: 'm1', name: '办公室' };
const registries: RoomRegistry[] = [];

function open(db: PizhuDatabase) {
  const problems: string[] = [];
  const changes: RoomChange[] = [];
  const registry = new RoomRegistry(
    db,
    new AnnotationStore(db),
    {
      onChange: (c) => changes.push(c),
      onProblem: (p: RoomProblem) => problems.push(`${p.error.code} ${p.error.params?.id} ${p.error.detail}`),
    },
    5,
  );
  registries.push(registry);
  const store = new StoreQueries(db);
  return { registry, problems, changes, queries: store.tasks, store };
}

/** Writes unit records into a team room's `units` map, as a colleague's team room would hold them. */
function writeUnits(doc: Y.Doc, patch: Record<string, Unit>): void {
  writeTeamEntries(unitsMap(doc), new Map(Object.entries(patch)));
}

afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.flushAll();
});

let serial = 0;
function task(overrides: Partial<TaskRecord> & { index?: number } = {}): TaskRecord {
  const { index = ++serial, ...rest } = overrides;
  return {
    id: `t${++serial}`,
    clause: { path: ['二、', `${index}.`], text: `${index}. 条款`, hash: `h${index}`, index },
    task: `任务${index}`,
    leadUnits: ['u-a'],
    units: [],
    due: null,
    status: 'todo',
    createdBy: ME,
    createdAt: 1_000 + serial,
    updatedBy: ME,
    updatedAt: 1_000 + serial,
    ...rest,
  };
}

const entry = (id: string, taskId: string, at: number): ProgressEntry => ({
  id,
  taskId,
  text: `进展${id}`,
  at,
  by: { id: 'm2', name: '李娜' },
});

describe('task projection', () => {
  it('projects local and remote tasks, progress and units through the room, in its commit', async () => {
    const db = freshDatabase();
    const { registry, changes } = open(db);
    const first = task({ due: { text: '6月底前', date: '2023-06-30' }, leader: '王 副局长、李副局长' });
    await registry.use(`${TEAM}.doc1`, (room) => room.edit((doc) => writeTask(doc, first)));
    // A colleague's change arrives over the network: same path.
    const remote = new Y.Doc();
    writeProgress(remote, entry('p1', first.id, 5));
    await registry.use(`${TEAM}.doc1`, (room) => room.applyRemote(Y.encodeStateAsUpdate(remote)));
    const units = new Y.Doc();
    writeUnits(units, { 'u-a': { name: '体卫艺科', by: 'm2', at: 1 } });
    await registry.use(`${TEAM}._team`, (room) => room.applyRemote(Y.encodeStateAsUpdate(units)));

    expect(await db.tasks.get(['doc1', first.id])).toMatchObject({
      ...first,
      documentKey: 'doc1',
      teamId: TEAM,
      clauseIndex: first.clause.index,
      unitIds: ['u-a'],
      dueDate: '2023-06-30',
      open: 1,
      leaderKeys: ['王副局长、李副局长', '王副局长', '李副局长'],
    });
    expect(await db.progress.get(['doc1', 'm2/p1'])).toMatchObject({ text: '进展p1', documentKey: 'doc1' });
    expect(await db.units.get('u-a')).toMatchObject({ name: '体卫艺科', teamId: TEAM });
    // Tasks change no annotation: the page room's changes name none (its local ones still count, to be sent).
    const pageChanges = changes.filter((c) => c.room === `${TEAM}.doc1`);
    expect(pageChanges.map((c) => [c.ids, c.local])).toEqual([[[], true]]);
    // The room's unsent-changes flag covers tasks too (the catch-up pushes them).
    expect((await db.rooms.get(`${TEAM}.doc1`))?.dirty).toBe(1);
  });

  it('skips and reports invalid values, keeps the last valid version, and removes what the room removed', async () => {
    const db = freshDatabase();
    const { registry, problems } = open(db);
    const good = task();
    const room = `${TEAM}.doc1`;
    await registry.use(room, (r) => r.edit((doc) => writeTask(doc, good)));
    await registry.use(room, (r) =>
      r.edit((doc) => {
        tasksMap(doc).set(good.id, { ...good, task: '' });
        tasksMap(doc).set('t-key', { ...task(), id: 'other-id' });
        progressMap(doc).set('m9/p1', entry('p1', good.id, 1));
      }),
    );
    expect((await db.tasks.get(['doc1', good.id]))?.task).toBe(good.task);
    expect(await db.tasks.get(['doc1', 't-key'])).toBeUndefined();
    expect(await db.progress.count()).toBe(0);
    expect(problems.join('\n')).toMatch(/record_invalid t\d+ Task: /);
    expect(problems.join('\n')).toMatch(/record_invalid m9\/p1 Progress entry: /);
    await registry.use(room, (r) => r.edit((doc) => tasksMap(doc).delete(good.id)));
    expect(await db.tasks.get(['doc1', good.id])).toBeUndefined();
  });

  it('reads every task of a room again when the room was not projected (an upgrade, a repair)', async () => {
    const db = freshDatabase();
    const stored = new Y.Doc();
    const kept = task();
    writeTask(stored, kept);
    await db.roomUpdates.add({ room: `${TEAM}.doc1`, update: Y.encodeStateAsUpdate(stored), at: 1 });
    await db.rooms.put({
      room: `${TEAM}.doc1`,
      teamId: TEAM,
      documentKey: 'doc1',
      dirty: 0,
      syncedAt: 0,
      projected: 0,
    });
    const { registry } = open(db);
    await registry.use(`${TEAM}.doc1`, async () => undefined);
    expect((await db.tasks.get(['doc1', kept.id]))?.task).toBe(kept.task);
  });
});

describe('task queries', () => {
  const TODAY = '2023-06-25';

  async function seeded() {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    const units = new Y.Doc();
    writeUnits(units, {
      'u-a': { name: '体卫艺科', by: 'm1', at: 1 },
      'u-b': { name: '基础教育科', by: 'm1', at: 1 },
      'u-old': { name: '基教科', mergedInto: 'u-b', by: 'm1', at: 1 },
    });
    await registry.use(`${TEAM}._team`, (room) => room.applyRemote(Y.encodeStateAsUpdate(units)));
    const doc1 = [
      task({ index: 1, id: 'a1' }),
      task({ index: 2, id: 'a2', due: { text: '6月底前', date: '2023-06-30' } }),
      task({ index: 3, id: 'a3', due: { text: '5月底前', date: '2023-05-31' }, leadUnits: ['u-old'] }),
      task({ index: 4, id: 'a4', due: { text: '3月底前', date: '2023-03-31' }, status: 'done', leader: '王局长' }),
      task({ index: 5, id: 'a5', deleted: true }),
    ];
    const doc2 = [task({ index: 0, id: 'b1', leadUnits: ['u-b'] }), task({ index: 1, id: 'b2', units: ['u-b'] })];
    await registry.use(`${TEAM}.doc1`, (room) =>
      room.edit((doc) => {
        for (const t of doc1) writeTask(doc, t);
        writeProgress(doc, entry('p1', 'a2', 10));
        writeProgress(doc, entry('p2', 'a2', 20));
      }),
    );
    await registry.use(`${TEAM}.doc2`, (room) =>
      room.edit((doc) => {
        for (const t of doc2) writeTask(doc, t);
      }),
    );
    await db.documents.put(documentInfo({ key: 'doc1', title: '工作要点' }));
    return { db, queries, registry };
  }

  const ids = (tasks: { id: string }[]) => tasks.map((t) => t.id);

  it("lists a notice's live tasks in clause order with each one's latest progress", async () => {
    const { queries } = await seeded();
    const notice = await queries.notice(TEAM, 'doc1');
    expect(ids(notice.tasks)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(notice.latest.get('a2')?.id).toBe('p2');
    expect(notice.units['u-a']?.name).toBe('体卫艺科');
    expect(await queries.notice('other-team', 'doc1')).toMatchObject({ tasks: [] });
  });

  it("lists the team's tasks: overdue and due soon on top by due date, then documents in clause order, paged", async () => {
    const { queries } = await seeded();
    const all = await queries.team(TEAM, {}, TODAY);
    expect(ids(all.urgent)).toEqual(['a3', 'a2']);
    expect(ids(all.tasks)).toEqual(['a1', 'a4', 'b1', 'b2']);
    expect(all.more).toBe(false);
    expect(all.documents.get('doc1')?.title).toBe('工作要点');
    expect(all.latest.get('doc1/a2')?.text).toBe('进展p2');
    const page = await queries.team(TEAM, {}, TODAY, 2);
    expect(ids(page.tasks)).toEqual(['a1', 'a4']);
    expect(page.more).toBe(true);
  });

  it('filters by unit (merged units count as their target), status, due dates, leader and document', async () => {
    const { queries } = await seeded();
    const both = async (filter: Parameters<typeof queries.team>[1]) => {
      const result = await queries.team(TEAM, filter, TODAY);
      return [...ids(result.urgent), ...ids(result.tasks)];
    };
    expect(await both({ unit: 'u-b' })).toEqual(['a3', 'b1', 'b2']);
    expect(await both({ unit: 'u-old' })).toEqual(['a3', 'b1', 'b2']);
    expect(await both({ status: ['overdue'] })).toEqual(['a3']);
    expect(await both({ status: ['done', 'todo'] })).toEqual(['a2', 'a1', 'a4', 'b1', 'b2']);
    expect(await both({ dueBefore: '2023-06-01' })).toEqual(['a3', 'a4']);
    expect(await both({ dueAfter: '2023-06-01' })).toEqual(['a2']);
    expect(await both({ leader: '王局长' })).toEqual(['a4']);
    expect(await both({ document: 'doc2' })).toEqual(['b1', 'b2']);
  });

  it("finds a unit's overdue task behind thousands of other overdue tasks", async () => {
    const { registry, queries } = await seeded();
    const many = Array.from({ length: 2_100 }, (_, i) =>
      task({ index: 100 + i, id: `old${i}`, due: { text: '年底前', date: '2021-12-31' } }),
    );
    const last = task({ index: 5_000, id: 'late-b', leadUnits: ['u-b'], due: { text: '6月前', date: '2023-06-01' } });
    await registry.use(`${TEAM}.doc3`, (room) =>
      room.edit((doc) => {
        for (const t of [...many, last]) writeTask(doc, t);
      }),
    );
    const result = await queries.team(TEAM, { unit: 'u-b' }, TODAY);
    expect(ids(result.urgent)).toEqual(['a3', 'late-b']);
  }, 60_000); // 2,100 rows through fake IndexedDB on a shared machine

  it('gives every matching task in clause order with its progress for the exports', async () => {
    const { queries } = await seeded();
    const exported = await queries.export(TEAM, { document: 'doc1' }, TODAY);
    expect(ids(exported.tasks)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(exported.progress.map((p) => [p.documentKey, p.id])).toEqual([
      ['doc1', 'p1'],
      ['doc1', 'p2'],
    ]);
    expect(exported.truncated).toBe(false);
  });
});

describe('TaskService', () => {
  const team = (role: TeamRow['role'], unit: TeamRow['unit'] = null, id = 'm1'): TeamRow => ({
    teamId: TEAM,
    teamName: '教育局',
    serverUrl: 'http://127.0.0.1:1',
    memberId: id,
    displayName: id === 'm1' ? '办公室' : '科员',
    role,
    token: 'x'.repeat(20),
    joinedAt: 1,
    unit,
  });

  function service(registry: RoomRegistry, row: TeamRow) {
    let n = 0;
    const now = () => 1_700_000_000_000;
    return new TaskService({
      rooms: registry,
      vocabulary: new TeamVocabulary(registry, now, () => `u${++n}-${row.memberId}`),
      team: async () => row,
      saveTeam: async () => undefined,
      rememberDocument: async () => undefined,
      storedDocument: () => Promise.reject(new Error('no documents here')),
      now,
      randomId: () => `r${++n}-${row.memberId}`,
      apiFor: () => ({ me: () => Promise.reject(new Error('offline')) }) as never,
    });
  }

  const draft = (index: number, lead: string[], units: string[] = []) => ({
    clause: { path: ['一、', `${index}.`], text: `${index}. 条款正文`, hash: `h${index}`, index },
    task: `任务${index}`,
    leadUnits: lead,
    units,
    due: { text: '6月底前', date: '2023-06-30' },
  });

  it('creates tasks with the units named as typed: new names become units, known names their unit', async () => {
    const db = freshDatabase();
    const { registry, queries, store } = open(db);
    const editor = service(registry, team('editor'));
    const created = await editor.create(documentInfo({ key: 'doc1' }), [
      draft(1, ['体卫艺科'], ['基础教育科', '体卫艺科']),
      draft(2, ['  体卫艺科 '], []),
    ]);
    expect(created).toHaveLength(2);
    const notice = await queries.notice(TEAM, 'doc1');
    const units = await store.unitMap();
    const id = unitIdForName('体卫艺科');
    expect(units[id]?.name).toBe('体卫艺科');
    expect(notice.tasks.map((t) => [t.leadUnits, t.units])).toEqual([
      [[id], [unitIdForName('基础教育科'), id]],
      [[id], []],
    ]);
    expect(notice.tasks[0]).toMatchObject({ createdBy: ME, updatedBy: ME, status: 'todo' });
    const context = await editor.context();
    expect(context).toMatchObject({ joined: true, canCreate: true });
    expect(context.units.map((unit) => unit.name)).toEqual(['基础教育科', '体卫艺科']);
  });

  it('names a renamed unit by its former name, and a merged one by its survivor: no new unit', async () => {
    const db = freshDatabase();
    const { registry, queries, store } = open(db);
    const owner = team('owner');
    const vocabulary = new TeamVocabulary(registry, () => 1);
    const old = await vocabulary.changeUnits(owner, { action: 'add', name: '基教科' });
    const gone = await vocabulary.changeUnits(owner, { action: 'add', name: '督导室' });
    if (!old.ok || !gone.ok) throw new Error('units not added');
    await vocabulary.changeUnits(owner, { action: 'rename', id: old.id, name: '基础教育科' });
    await vocabulary.changeUnits(owner, { action: 'merge', from: [gone.id], into: old.id });
    const before = Object.keys(await store.unitMap()).length;
    // A colleague who was offline during the rename still types the old names.
    await service(registry, owner).create(documentInfo({ key: 'doc1' }), [draft(1, ['基教科'], ['督导室'])]);
    const [created] = (await queries.notice(TEAM, 'doc1')).tasks;
    expect([created?.leadUnits, created?.units]).toEqual([[old.id], [old.id]]);
    expect(Object.keys(await store.unitMap())).toHaveLength(before);
    expect((await store.unitNamed('基教科'))?.name).toBe('基础教育科');
  });

  it('edits a task as it is in the room, and refuses viewers', async () => {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    const editor = service(registry, team('editor'));
    const [id] = await editor.create(documentInfo({ key: 'doc1' }), [draft(1, ['体卫艺科'])]);
    const updated = await editor.update('doc1', id!, { status: 'doing', leader: '王局长', leadUnits: ['教务科'] });
    expect(updated).toMatchObject({ status: 'doing', leader: '王局长', leadUnits: [unitIdForName('教务科')] });
    expect((await queries.notice(TEAM, 'doc1')).tasks[0]?.status).toBe('doing');
    const viewer = service(registry, team('viewer', null, 'm2'));
    await expect(viewer.create(documentInfo({ key: 'doc1' }), [draft(2, [])])).rejects.toMatchObject({
      code: 'task_viewer',
      params: { team: '教育局' },
    });
    await expect(viewer.update('doc1', id!, { status: 'done' })).rejects.toMatchObject({ code: 'task_viewer' });
  });

  it("lets a viewer report progress on their unit's tasks only", async () => {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    const editor = service(registry, team('editor'));
    const [ours, theirs] = await editor.create(documentInfo({ key: 'doc1' }), [
      draft(1, ['体卫艺科'], ['基础教育科']),
      draft(2, ['体卫艺科']),
    ]);
    const unit = { id: unitIdForName('基础教育科'), name: '基础教育科' };
    const viewer = service(registry, team('viewer', unit, 'm2'));
    const added = await viewer.addProgress('doc1', ours!, '已完成摸底', 'https://pan.example.gov.cn/1');
    expect(added).toMatchObject({ taskId: ours, by: { id: 'm2' }, link: 'https://pan.example.gov.cn/1' });
    await expect(viewer.addProgress('doc1', theirs!, '越权')).rejects.toMatchObject({
      code: 'task_not_your_unit',
      params: { units: '体卫艺科' },
    });
    await expect(viewer.addProgress('doc1', ours!, '链接', 'javascript:alert(1)')).rejects.toMatchObject({
      code: 'progress_link',
    });
    const progress = await queries.progress(TEAM, 'doc1', ours!);
    expect(progress.map((p) => p.text)).toEqual(['已完成摸底']);
  });

  it('merges two colleagues who created tasks and named the same new unit offline', async () => {
    const dbA = freshDatabase();
    const dbB = freshDatabase();
    const a = open(dbA);
    const b = open(dbB);
    await service(a.registry, team('editor')).create(documentInfo({ key: 'doc1' }), [draft(1, ['德育科'])]);
    await service(b.registry, team('owner', null, 'm3')).create(documentInfo({ key: 'doc1' }), [draft(2, ['德育科'])]);
    // Back online: each room's state goes both ways.
    for (const room of [`${TEAM}.doc1`, `${TEAM}._team`]) {
      const fromA = await a.registry.use(room, async (r) => Y.encodeStateAsUpdate(r.doc));
      const fromB = await b.registry.use(room, async (r) => Y.encodeStateAsUpdate(r.doc));
      await a.registry.use(room, (r) => r.applyRemote(fromB));
      await b.registry.use(room, (r) => r.applyRemote(fromA));
    }
    for (const side of [a, b]) {
      const notice = await side.queries.notice(TEAM, 'doc1');
      expect(notice.tasks.map((t) => t.task)).toEqual(['任务1', '任务2']);
      expect(Object.values(await side.store.unitMap()).map((u) => u.name)).toEqual(['德育科']);
    }
  });
});
