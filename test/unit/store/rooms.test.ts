/**
 * Rooms in the browser (fake IndexedDB): one path from a room into the store for local and remote changes,
 * persistence across restarts, concurrent edits merging, and bad input (invalid records, garbage updates,
 * damaged stored updates, a full disk) losing nothing already stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AnnotationStore } from '../../../extension/lib/store/annotation-store.ts';
import type { PizhuDatabase } from '../../../extension/lib/store/db.ts';
import { StoreQueries } from '../../../extension/lib/store/queries.ts';
import { StorageFullError } from '../../../extension/lib/store/storage-errors.ts';
import { type RoomProblem, RoomRegistry, RoomUpdateError } from '../../../extension/lib/sync/rooms.ts';
import { memberKey, notesMap, writeAnnotation } from '../../../shared/model/room.ts';
import { writeVersion1Annotation } from '../../fixtures/room-v1.ts';
import { annotation, documentInfo, fakeIndexedDb, freshDatabase } from './fixtures.ts';
import { simulateQuota } from './fixtures-quota.ts';
import { PizhuDatabase as Database } from '../../../extension/lib/store/db.ts';

const ROOM = 't1.doc1';
const registries: RoomRegistry[] = [];

function open(db: PizhuDatabase, compactAfter?: number) {
  const problems: RoomProblem[] = [];
  const changes: string[][] = [];
  const registry = new RoomRegistry(
    db,
    new AnnotationStore(db),
    { onChange: (c) => changes.push(c.ids), onProblem: (p) => problems.push(p) },
    5,
    compactAfter,
  );
  registries.push(registry);
  return { registry, problems, changes, queries: new StoreQueries(db) };
}

afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.flushAll();
});

const teamAnnotation = (overrides = {}) => annotation({ teamId: 't1', visibility: 'team', ...overrides });
/** The author of the fixtures' annotations, who writes them. */
const ME = 'm1';

describe('rooms', () => {
  it('projects a local write into the store and records unsent changes', async () => {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    const a = teamAnnotation({ tags: ['体育'], note: '重点关注' });
    await registry.use(ROOM, (room) => room.write(a, ME, documentInfo({ seenHash: 'local-only' })));
    expect(await db.annotations.get(a.id)).toEqual(a);
    expect((await queries.find({ text: '重点' })).groups.flatMap((g) => g.items)).toEqual([a]);
    expect(await db.rooms.get(ROOM)).toMatchObject({ dirty: 1, localChanges: 1, projected: 1 });
    const document = await db.documents.get('doc1');
    expect(document?.title).toBe(documentInfo().title);
    // Local-only metadata never enters the shared room.
    await registry.use(ROOM, async (room) => expect(room.doc.getMap('document').get('seenHash')).toBeUndefined());
  });

  it('projects remote updates without marking the room dirty; two devices of the author converge on one version', async () => {
    const dbA = freshDatabase();
    const dbB = freshDatabase();
    const a = open(dbA);
    const b = open(dbB);
    const original = teamAnnotation({ note: '原批注', tags: ['体育'] });
    const leaseA = await a.registry.acquire(ROOM);
    const leaseB = await b.registry.acquire(ROOM);
    await leaseA.room.write(original, ME);
    await leaseB.room.applyRemote(Y.encodeStateAsUpdate(leaseA.room.doc));
    expect(await dbB.rooms.get(ROOM)).toMatchObject({ dirty: 0 });

    // A changes the note and adds a tag while B changes the colour and adds another tag.
    await leaseA.room.write(
      { ...original, note: 'A 的批注', tags: ['体育', '教育'], updatedAt: original.updatedAt + 1 },
      ME,
    );
    await leaseB.room.write(
      { ...original, color: 'green', tags: ['体育', '安全'], updatedAt: original.updatedAt + 2 },
      ME,
    );
    await leaseA.room.applyRemote(Y.encodeStateAsUpdate(leaseB.room.doc));
    await leaseB.room.applyRemote(Y.encodeStateAsUpdate(leaseA.room.doc));

    const fromA = await dbA.annotations.get(original.id);
    const fromB = await dbB.annotations.get(original.id);
    // Records are replaced whole (only their author's devices write them): the last writer wins, the same on both.
    expect(fromA).toEqual(fromB);
    expect([
      { note: 'A 的批注', color: original.color },
      { note: original.note, color: 'green' },
    ]).toContainEqual({ note: fromA!.note, color: fromA!.color });
    leaseA.release();
    leaseB.release();
  });

  it('projects a version 1 room as it is, and an edit of its record writes the author’s version 2 record', async () => {
    const db = freshDatabase();
    const { registry } = open(db);
    const old = teamAnnotation({ note: '旧版批注' });
    const legacy = new Y.Doc();
    writeVersion1Annotation(legacy, old);
    await registry.use(ROOM, (room) => room.applyRemote(Y.encodeStateAsUpdate(legacy)));
    expect(await db.annotations.get(old.id)).toEqual(old);
    const edited = { ...old, note: '改过的批注', updatedAt: old.updatedAt + 1 };
    await registry.use(ROOM, async (room) => {
      await room.write(edited, ME);
      expect(notesMap(room.doc).get(memberKey(ME, old.id))).toMatchObject({ note: '改过的批注' });
    });
    expect(await db.annotations.get(old.id)).toEqual(edited);
  });

  it('keeps the last valid version when a remote record fails validation, and says so', async () => {
    const db = freshDatabase();
    const { registry, problems } = open(db);
    const a = teamAnnotation();
    await registry.use(ROOM, (room) => room.write(a, ME));
    const remote = new Y.Doc();
    await registry.use(ROOM, async (room) => {
      Y.applyUpdate(remote, Y.encodeStateAsUpdate(room.doc));
      notesMap(remote).set(memberKey(ME, a.id), {
        ...(notesMap(remote).get(memberKey(ME, a.id)) as object),
        color: 'octarine',
      });
      await room.applyRemote(Y.encodeStateAsUpdate(remote, Y.encodeStateVector(room.doc)));
    });
    expect(await db.annotations.get(a.id)).toEqual(a);
    expect(problems.map((p) => p.error)).toEqual([
      { code: 'record_invalid', params: { id: a.id }, detail: expect.stringMatching(/color/) },
    ]);
  });

  it('refuses an update that is not Yjs with a clear error and changes nothing', async () => {
    const db = freshDatabase();
    const { registry } = open(db);
    const a = teamAnnotation();
    await registry.use(ROOM, (room) => room.write(a, ME));
    const before = await db.roomUpdates.count();
    await registry.use(ROOM, async (room) => {
      expect(() => room.applyRemote(new Uint8Array([255, 255, 255, 1, 2, 3]))).toThrow(RoomUpdateError);
    });
    expect(await db.roomUpdates.count()).toBe(before);
    expect(await db.annotations.toArray()).toEqual([a]);
  });

  it('ignores a remote record that reuses the id of a private annotation', async () => {
    const db = freshDatabase();
    const { registry, problems } = open(db);
    const secret = annotation({ id: 'secret-1', note: '私人笔记', teamId: 't1' });
    await new AnnotationStore(db).put([secret]);
    const remote = new Y.Doc();
    writeAnnotation(remote, teamAnnotation({ id: 'secret-1', note: 'overwritten' }), ME);
    await registry.use(ROOM, (room) => room.applyRemote(Y.encodeStateAsUpdate(remote)));
    expect(await db.annotations.get('secret-1')).toEqual(secret);
    expect(problems[0]?.error).toEqual({ code: 'record_id_taken', params: { id: 'secret-1' } });
  });

  it('keeps offline edits across a restart (a new registry on the same database)', async () => {
    const options = fakeIndexedDb();
    const first = new Database('pizhu', options);
    const a = teamAnnotation({ note: '离线编辑' });
    const one = open(first);
    await one.registry.use(ROOM, (room) => room.write(a, ME));
    await one.registry.flushAll();
    first.close();

    const second = new Database('pizhu', options);
    const two = open(second);
    await two.registry.use(ROOM, async (room) => {
      expect(room.read(a.id)).toEqual(a);
    });
    expect(await second.rooms.get(ROOM)).toMatchObject({ dirty: 1 });
  });

  it('sets aside a damaged stored update and loads the rest', async () => {
    const options = fakeIndexedDb();
    const db = new Database('pizhu', options);
    const a = teamAnnotation();
    const first = open(db);
    await first.registry.use(ROOM, (room) => room.write(a, ME));
    await first.registry.flushAll();
    await new Promise((r) => setTimeout(r, 20)); // the idle room closes
    await db.roomUpdates.add({ room: ROOM, update: new Uint8Array([9, 9, 9, 9]), at: 0 });
    await db.rooms.update(ROOM, { projected: 1 });

    const again = open(db);
    await again.registry.use(ROOM, async (room) => expect(room.read(a.id)).toEqual(a));
    expect(again.problems[0]?.error).toEqual({ code: 'updates_set_aside', params: { count: 1 } });
    expect(await db.quarantine.count()).toBe(1);
    expect(await db.annotations.get(a.id)).toEqual(a);
  });

  it('on a full disk refuses the change clearly, keeps what was stored, and stores it all once there is room', async () => {
    const options = fakeIndexedDb();
    const db = new Database('pizhu', options);
    const full = simulateQuota(db);
    const { registry } = open(db);
    const a = teamAnnotation({ note: 'v1' });
    const lease = await registry.acquire(ROOM);
    await lease.room.write(a, ME);
    full.on = true;
    const error = await lease.room.write({ ...a, note: 'v2', updatedAt: a.updatedAt + 1 }, ME).catch((e) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect(await db.annotations.get(a.id)).toEqual(a);
    full.on = false;
    const b = teamAnnotation({ note: 'another' });
    await lease.room.write(b, ME);
    lease.release();
    await registry.flushAll();
    db.close();

    // After a restart, both the change that failed and the next one are there: the gap was closed.
    const reopened = new Database('pizhu', options);
    const { registry: again } = open(reopened);
    await again.use(ROOM, async (room) => {
      expect(room.read(a.id)?.note).toBe('v2');
      expect(room.read(b.id)).toEqual(b);
    });
    expect((await reopened.annotations.get(a.id))?.note).toBe('v2');
  });

  it('records the state vector of what is stored, never of what is only in memory', async () => {
    const db = freshDatabase();
    const full = simulateQuota(db);
    const problems: RoomProblem[] = [];
    // The disk fills up right after the first update is stored, while the second waits in memory.
    const registry = new RoomRegistry(db, new AnnotationStore(db), {
      onChange: () => (full.on = true),
      onProblem: (p) => problems.push(p),
    });
    registries.push(registry);
    const remote = new Y.Doc();
    writeAnnotation(remote, teamAnnotation({ id: 'first' }), ME);
    const afterFirst = Y.encodeStateVector(remote);
    const first = Y.encodeStateAsUpdate(remote);
    writeAnnotation(remote, teamAnnotation({ id: 'second' }), ME);
    const second = Y.encodeStateAsUpdate(remote, afterFirst);
    const lease = await registry.acquire(ROOM);
    const storedFirst = lease.room.applyRemote(first);
    const storedSecond = lease.room.applyRemote(second);
    await storedFirst;
    await expect(storedSecond).rejects.toThrow(/no more room/);
    lease.release();
    full.on = false;
    const row = await db.rooms.get(ROOM);
    // A catch-up sends this vector: the server must still send the second update.
    expect(Y.decodeStateVector(row!.stateVector!)).toEqual(Y.decodeStateVector(afterFirst));
    expect(await db.annotations.get('second')).toBeUndefined();
  });

  it('compacts its stored updates without losing state', async () => {
    const options = fakeIndexedDb();
    const db = new Database('pizhu', options);
    const { registry } = open(db, 20);
    const a = teamAnnotation();
    const lease = await registry.acquire(ROOM);
    for (let i = 0; i < 45; i++) await lease.room.write({ ...a, note: `edit ${i}`, updatedAt: a.updatedAt + i }, ME);
    lease.release();
    await registry.flushAll();
    expect(await db.roomUpdates.where('room').equals(ROOM).count()).toBeLessThan(10);
    db.close();
    const { registry: again } = open(new Database('pizhu', options));
    await again.use(ROOM, async (room) => expect(room.read(a.id)?.note).toBe('edit 44'));
  });
});
