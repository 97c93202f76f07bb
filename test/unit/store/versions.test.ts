/**
 * Versions of notices in the extension (issue 20), on fake IndexedDB: clause snapshots kept once per version,
 * received from the team through the room's projection (invalid ones skipped), the picker's queries, the
 * background deciding when to ask a page for a snapshot and whether to share it, and carrying annotations and
 * tasks over.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { handleRequest } from '../../../extension/lib/background/router.ts';
import { Background } from '../../../extension/lib/background/root.ts';
import type { CarryResult } from '../../../extension/lib/compare-messages.ts';
import type { PagePortOut } from '../../../extension/lib/messages.ts';
import type { PizhuDatabase } from '../../../extension/lib/store/db.ts';
import { StoreQueries } from '../../../extension/lib/store/queries.ts';
import type { TeamRow } from '../../../extension/lib/store/schema.ts';
import { SnapshotStore } from '../../../extension/lib/store/snapshots.ts';
import { type ClauseSnapshot, readRoomSnapshot, roomSnapshotKeys } from '../../../shared/compare/index.ts';
import { roomIdFor, snapshotsMap } from '../../../shared/model/room.ts';
import { readRoomTasks } from '../../../shared/tasks/index.ts';
import { sampleSnapshot } from '../../fixtures/snapshot.ts';
import { documentInfo, freshDatabase } from './fixtures.ts';

const V2023 = sampleSnapshot(
  ['加强学校体育工作，保证学生每天校园体育活动时间不少于1小时。', '完善学生资助体系。'],
  '关于做好2023年全市教育工作的通知',
);
const V2024 = sampleSnapshot(
  ['加强学校体育工作，保证学生每天综合体育活动时间不少于2小时。', '完善学生资助体系。', '推进教师队伍建设。'],
  '关于做好2024年全市教育工作的通知',
);
const OTHER = sampleSnapshot(['严格落实安全生产责任。'], '关于开展安全生产大检查的通知');

const tampered = (snapshot: ClauseSnapshot): ClauseSnapshot => ({
  ...snapshot,
  clauses: snapshot.clauses.map((c, i) => (i ? c : { ...c, text: `${c.text}（改）` })),
});

describe('SnapshotStore and the picker’s queries', () => {
  it('keeps a version once, records the page text it was taken from later, and reads it back validated', async () => {
    const db = freshDatabase();
    const store = new SnapshotStore(db);
    const queries = new StoreQueries(db);
    await db.documents.put(documentInfo({ key: 'y2023', seenHash: 'body-1' }));
    expect(await store.keep('y2023', V2023)).toBe(true);
    expect(await store.keep('y2023', V2023, 'body-1')).toBe(false);
    const [version] = await queries.versions.of('y2023');
    expect(version).toMatchObject({ contentHash: V2023.contentHash, title: V2023.title, clauses: 2, current: true });
    expect(await queries.versions.snapshot('y2023', V2023.contentHash)).toEqual({ ok: true, snapshot: V2023 });
    expect(await queries.versions.snapshot('y2023', 'unknown')).toBeNull();
    // a damaged row is reported, never passed on
    await db.snapshots.put({ documentKey: 'y2023', contentHash: V2023.contentHash, snapshot: tampered(V2023) });
    expect(await queries.versions.snapshot('y2023', V2023.contentHash)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('hash does not match'),
    });
  });

  it('finds documents with a similar title or the same issuer, not itself, and any version by title', async () => {
    const db = freshDatabase();
    const store = new SnapshotStore(db);
    const queries = new StoreQueries(db);
    await store.keep('y2023', V2023, undefined, 1);
    await store.keep('y2024', V2024, undefined, 2);
    await store.keep('safety', OTHER, undefined, 3);
    const similar = await queries.versions.similar({ key: 'y2024', title: V2024.title });
    expect(similar.map((v) => v.documentKey)).toEqual(['y2023']);
    expect(
      (await queries.versions.similar({ key: 'y2024', title: '无关标题', issuer: undefined })).map(
        (v) => v.documentKey,
      ),
    ).toEqual([]);
    expect((await queries.versions.recent(2)).map((v) => v.documentKey)).toEqual(['safety', 'y2024']);
    expect((await queries.versions.find('教育工作')).map((v) => v.documentKey)).toEqual(['y2024', 'y2023']);
    expect((await queries.versions.find('安全 检查')).map((v) => v.documentKey)).toEqual(['safety']);
  });
});

/** A service with a joined team (no server: nothing is sent), and what its pages were asked. */
async function teamService(role: TeamRow['role'] = 'editor', db: PizhuDatabase = freshDatabase()) {
  await db.teams.put({
    teamId: 't1',
    teamName: '教育局',
    serverUrl: 'http://127.0.0.1:1',
    memberId: 'm1',
    displayName: '张伟',
    role,
    token: 'token-0123456789',
    joinedAt: 1,
  });
  return serviceOn(db);
}

function serviceOn(db: PizhuDatabase) {
  const service = new Background(db, { graceMs: 5 });
  const posted: PagePortOut[] = [];
  const port = { post: (message: PagePortOut) => posted.push(message) };
  return { db, service, posted, port };
}

const highlight = (documentKey: string, quote: string) => ({
  documentKey,
  selectors: [{ type: 'TextQuoteSelector' as const, exact: quote }],
  clausePath: ['1.'],
  quote,
  tags: ['体育'],
  note: '重点',
});

async function roomSnapshots(service: Background, documentKey: string): Promise<string[]> {
  return service.rooms.use(roomIdFor('t1', documentKey), async (room) => roomSnapshotKeys(room.doc));
}

describe('keeping snapshots (background)', () => {
  it('asks the page for a snapshot once a notice is annotated, and not again for the same text', async () => {
    const { service, posted, port } = await teamService();
    const document = documentInfo({ key: 'y2023', contentHash: 'body-1' });
    await service.pages.open(port, 'y2023', document);
    await service.pages.receive(port, { type: 'page.seen', documentKey: 'y2023', contentHash: 'body-1' });
    expect(posted.filter((m) => m.type === 'snapshot.wanted')).toHaveLength(0);

    await service.annotations.create(highlight('y2023', '加强学校体育工作'), document);
    await expect.poll(() => posted.filter((m) => m.type === 'snapshot.wanted').length).toBe(1);
    await service.pages.receive(port, {
      type: 'page.snapshot',
      documentKey: 'y2023',
      bodyHash: 'body-1',
      snapshot: V2023,
    });
    await expect.poll(() => roomSnapshots(service, 'y2023')).toEqual([V2023.contentHash]);

    // the same text again: nothing asked; new text: asked again
    await service.pages.receive(port, { type: 'page.seen', documentKey: 'y2023', contentHash: 'body-1' });
    await service.annotations.create(highlight('y2023', '完善学生资助体系'), document);
    await new Promise((r) => setTimeout(r, 20));
    expect(posted.filter((m) => m.type === 'snapshot.wanted')).toHaveLength(1);
    await service.pages.receive(port, { type: 'page.seen', documentKey: 'y2023', contentHash: 'body-2' });
    expect(posted.filter((m) => m.type === 'snapshot.wanted')).toHaveLength(2);
  });

  it('refuses a snapshot that lies about its text, and one for a page the port does not show', async () => {
    const { service, port, db } = await teamService();
    await service.pages.open(port, 'y2023', documentInfo({ key: 'y2023' }));
    await service.annotations.create(highlight('y2023', '加强学校体育工作'), documentInfo({ key: 'y2023' }));
    await service.pages.receive(port, {
      type: 'page.snapshot',
      documentKey: 'y2023',
      bodyHash: 'b',
      snapshot: tampered(V2023),
    });
    await service.pages.receive(port, { type: 'page.snapshot', documentKey: 'other', bodyHash: 'b', snapshot: V2023 });
    expect(await db.versions.count()).toBe(0);
    expect(
      await handleRequest(service.handlers, { type: 'snapshot.keep', documentKey: 'y2023', snapshot: { version: 1 } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', detail: expect.stringMatching(/^Invalid clause snapshot/) },
    });
  });

  it('shares a snapshot with the team only for a notice with team annotations, and never as a viewer', async () => {
    const { service } = await teamService();
    expect(await service.versions.keep('y2023', V2023)).toEqual({ contentHash: V2023.contentHash, shared: false });
    expect(await roomSnapshots(service, 'y2023')).toEqual([]);
    await service.annotations.create(
      { ...highlight('y2023', '加强'), visibility: 'private' },
      documentInfo({ key: 'y2023' }),
    );
    expect((await service.versions.keep('y2023', V2023)).shared).toBe(false);
    await service.annotations.create(
      { ...highlight('y2023', '完善'), visibility: 'team' },
      documentInfo({ key: 'y2023' }),
    );
    expect((await service.versions.keep('y2023', V2023)).shared).toBe(true);
    expect(await roomSnapshots(service, 'y2023')).toEqual([V2023.contentHash]);

    const viewer = await teamService('viewer');
    await viewer.db.annotations.put({
      ...(await service.store.get((await service.annotations.list('y2023')).find((a) => a.visibility === 'team')!.id))!,
    });
    expect((await viewer.service.versions.keep('y2023', V2023)).shared).toBe(false);
  });

  it('keeps a private user’s snapshots in the browser only', async () => {
    const { service, db } = serviceOn(freshDatabase());
    await service.annotations.create(highlight('y2023', '加强'), documentInfo({ key: 'y2023' }));
    expect((await service.versions.keep('y2023', V2023)).shared).toBe(false);
    expect(await db.versions.count()).toBe(1);
    expect(await db.rooms.count()).toBe(0);
  });

  it('stores the snapshots a colleague put in the room, and skips an invalid one', async () => {
    const { service, db } = await teamService();
    const colleague = new Y.Doc();
    snapshotsMap(colleague).set(V2023.contentHash, V2023);
    snapshotsMap(colleague).set(V2024.contentHash, tampered(V2024));
    await service.rooms.use(roomIdFor('t1', 'y2023'), (room) => room.applyRemote(Y.encodeStateAsUpdate(colleague)));
    expect((await db.versions.toArray()).map((v) => v.contentHash)).toEqual([V2023.contentHash]);
    await service.rooms.use(roomIdFor('t1', 'y2023'), async (room) =>
      expect(readRoomSnapshot(room.doc, V2024.contentHash)).toBeNull(),
    );
    service.status.setJoined(true);
    expect(service.status.get().problems?.[0]).toEqual({
      code: 'snapshot_invalid',
      params: { room: roomIdFor('t1', 'y2023') },
    });
  });
});

describe('carrying annotations over (background)', () => {
  async function twoVersions() {
    const setup = await teamService();
    await setup.service.annotations.create(
      { ...highlight('y2023', '加强学校体育工作'), note: '去年重点', tags: ['体育', '考核'], color: 'green' },
      documentInfo({ key: 'y2023' }),
    );
    const [old] = await setup.service.annotations.list('y2023');
    await setup.service.annotations.rememberDocument(
      documentInfo({ key: 'y2024', url: 'https://example.gov.cn/2024', seenHash: 's' }),
      false,
    );
    return { ...setup, old: old! };
  }
  const item = (from: string) => ({
    from,
    documentKey: 'y2024',
    selectors: [
      { type: 'TextQuoteSelector' as const, exact: '加强学校体育工作', suffix: '，保证学生每天综合' },
      { type: 'ClauseSelector' as const, path: ['1.'], hash: V2024.clauses[0]!.hash },
    ],
    clausePath: ['1.'],
    quote: '加强学校体育工作',
  });

  it('creates the user’s annotation on the new version with the tags, note and colour, linked to the old one', async () => {
    const { service, old } = await twoVersions();
    const answer = await handleRequest(service.handlers, { type: 'compare.carry', items: [item(old.id)] });
    expect(answer.ok).toBe(true);
    const result = (answer as { value: CarryResult }).value;
    expect(result.failed).toEqual([]);
    const [carried] = await service.annotations.list('y2024');
    expect(carried).toMatchObject({
      documentKey: 'y2024',
      quote: '加强学校体育工作',
      tags: ['体育', '考核'],
      note: '去年重点',
      color: 'green',
      visibility: 'team',
      author: { id: 'm1', name: '张伟' },
      carriedFrom: { id: old.id, documentKey: 'y2023' },
    });
    expect(carried!.id).not.toBe(old.id);
    // through the team's room, as every team annotation
    const stored = await service.rooms.use(roomIdFor('t1', 'y2024'), async (room) => room.read(carried!.id));
    expect(stored?.carriedFrom).toEqual({ id: old.id, documentKey: 'y2023' });
  });

  it('skips what was carried already, and refuses replies, unknown annotations and unknown documents', async () => {
    const { service, old } = await twoVersions();
    await service.versions.carry([item(old.id)]);
    const again = await service.versions.carry([item(old.id)]);
    expect(again).toMatchObject({ carried: [], skipped: [old.id], failed: [] });
    const reply = await service.annotations.create(
      { ...highlight('y2023', '加强学校体育工作'), replyTo: old.id },
      documentInfo({ key: 'y2023' }),
    );
    const refused = await service.versions.carry([
      item(reply.id),
      item('nothing-here'),
      { ...item(old.id), documentKey: 'never-seen' },
    ]);
    expect(refused.carried).toEqual([]);
    expect(refused.failed.map((f) => f.error)).toEqual([
      { code: 'carry_reply_alone' },
      { code: 'carry_source_missing' },
      { code: 'document_unknown' },
    ]);
    expect(await handleRequest(service.handlers, { type: 'compare.carry', items: [] })).toMatchObject({ ok: false });
  });
});

describe('carrying tasks over (background)', () => {
  const clause = (index: number) => ({
    path: [`${index + 1}.`],
    text: `${index + 1}.${V2024.clauses[index]!.text}`,
    hash: V2024.clauses[index]!.hash,
    index,
  });

  async function taskOn2023(role: TeamRow['role'] = 'editor') {
    const setup = await teamService(role);
    const db = setup.db;
    await db.teams.update('t1', { role: 'editor' });
    const [id] = await setup.service.tasks.create(documentInfo({ key: 'y2023', title: V2023.title }), [
      {
        clause: { path: ['1.'], text: V2023.clauses[0]!.text, hash: V2023.clauses[0]!.hash, index: 0 },
        task: '保证学生每天体育活动时间',
        leadUnits: ['体卫艺科'],
        units: ['各中小学'],
        due: { text: '6月底前', date: '2023-06-30' },
        status: 'done',
      },
    ]);
    await setup.service.annotations.rememberDocument(
      documentInfo({ key: 'y2024', url: 'https://example.gov.cn/2024', title: V2024.title }),
      false,
    );
    if (role !== 'editor') await db.teams.update('t1', { role });
    return { ...setup, id: id! };
  }
  const roomTasks = (service: Background, documentKey: string) =>
    service.rooms.use(roomIdFor('t1', documentKey), async (room) => readRoomTasks(room.doc, documentKey).tasks);

  it('creates a task on the new version’s clause in its room, not started, due in the new year, linked to the old', async () => {
    const { service, id } = await taskOn2023();
    const answer = await handleRequest(service.handlers, {
      type: 'tasks.carry',
      documentKey: 'y2024',
      items: [{ from: { id, documentKey: 'y2023' }, clause: clause(0) }],
    });
    expect(answer).toMatchObject({ ok: true, value: { skipped: [], failed: [] } });
    const [carried] = await roomTasks(service, 'y2024');
    expect(carried).toMatchObject({
      documentKey: 'y2024',
      clause: clause(0),
      task: '保证学生每天体育活动时间',
      due: { text: '6月底前', date: '2024-06-30' },
      status: 'todo',
      createdBy: { id: 'm1', name: '张伟' },
      carriedFrom: { id, documentKey: 'y2023' },
    });
    const [old] = await roomTasks(service, 'y2023');
    expect(carried!.leadUnits).toEqual(old!.leadUnits);
    expect(carried!.units).toEqual(old!.units);
    expect(carried!.id).not.toBe(id);
    // the old task is left as it was
    expect(old).toMatchObject({ status: 'done', due: { date: '2023-06-30' } });
    expect(old!.carriedFrom).toBeUndefined();
    // and the store has the new one (through the room's projection), for the comparison page to show
    await expect
      .poll(async () => (await service.queries.tasks.notice('t1', 'y2024')).tasks.map((t) => t.carriedFrom?.id))
      .toEqual([id]);
  });

  it('skips a task carried already (in one request or two), and refuses unknown tasks and documents', async () => {
    const { service, id } = await taskOn2023();
    const from = { id, documentKey: 'y2023' };
    const twice = await service.tasks.carry('y2024', [
      { from, clause: clause(0) },
      { from, clause: clause(1) },
    ]);
    expect(twice.carried).toHaveLength(1);
    expect(twice.skipped).toEqual([id]);
    const again = await service.tasks.carry('y2024', [{ from, clause: clause(0) }]);
    expect(again).toMatchObject({ carried: [], skipped: [id], failed: [] });
    const unknown = await service.tasks.carry('y2024', [
      { from: { id: 'nothing-here', documentKey: 'y2023' }, clause: clause(0) },
      { from: { id, documentKey: 'never-seen' }, clause: clause(0) },
    ]);
    expect(unknown.failed.map((f) => f.error)).toEqual([
      { code: 'carry_source_missing' },
      { code: 'carry_source_missing' },
    ]);
    // two versions of one address share their tasks: nothing is carried onto the notice it is on
    const onItself = await service.tasks.carry('y2023', [{ from, clause: clause(0) }]);
    expect(onItself.failed.map((f) => f.error)).toEqual([{ code: 'carry_same_document' }]);
    expect(await roomTasks(service, 'y2023')).toHaveLength(1);
    await expect(service.tasks.carry('unknown-doc', [{ from, clause: clause(0) }])).rejects.toMatchObject({
      code: 'document_unknown',
    });
    expect(await roomTasks(service, 'y2024')).toHaveLength(1);

    // deleting the carried task lets it be carried again
    const [carried] = await roomTasks(service, 'y2024');
    await service.tasks.update('y2024', carried!.id, { deleted: true });
    expect((await service.tasks.carry('y2024', [{ from, clause: clause(0) }])).carried).toHaveLength(1);
  });

  it('refuses a viewer', async () => {
    const { service, id } = await taskOn2023('viewer');
    const answer = await handleRequest(service.handlers, {
      type: 'tasks.carry',
      documentKey: 'y2024',
      items: [{ from: { id, documentKey: 'y2023' }, clause: clause(0) }],
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'task_viewer' } });
    expect(await roomTasks(service, 'y2024')).toEqual([]);
  });
});
