/**
 * The team's vocabulary in the browser's store (fake IndexedDB): the team room's renames and units projected
 * into their tables, and every reader of tags (the tag library and its counts, the search index's tag postings
 * and text, a page's annotations, briefings, the tag completion) reading tags as the team renamed them, while
 * the annotation rows keep what their authors wrote. A rename that arrives later re-maps what is stored; an
 * annotation that arrives later with an old tag reads as the new one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { AnnotationStore } from '../../../extension/lib/store/annotation-store.ts';
import type { PizhuDatabase } from '../../../extension/lib/store/db.ts';
import { StoreQueries } from '../../../extension/lib/store/queries.ts';
import { StorageFullError } from '../../../extension/lib/store/storage-errors.ts';
import { type RoomChange, RoomRegistry } from '../../../extension/lib/sync/rooms.ts';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { writeAnnotation } from '../../../shared/model/room.ts';
import { planTagRename } from '../../../shared/model/tag-renames.ts';
import {
  readTagRenames,
  readUnits,
  tagRenamesMap,
  unitsMap,
  writeTeamEntries,
} from '../../../shared/model/team-room.ts';
import { mergeUnits, renameUnit } from '../../../shared/tasks/model.ts';
import { annotation, freshDatabase } from './fixtures.ts';
import { simulateQuota } from './fixtures-quota.ts';

const TEAM_ROOM = 't1._team';
const PAGE_ROOM = 't1.doc1';
const ME = 'm1';
const stamp = { by: ME, at: 1_700_000_000_000 };
const registries: RoomRegistry[] = [];

function open(db: PizhuDatabase) {
  const changes: RoomChange[] = [];
  const registry = new RoomRegistry(
    db,
    new AnnotationStore(db),
    { onChange: (change) => changes.push(change), onProblem: () => undefined },
    5,
  );
  registries.push(registry);
  return { registry, changes, queries: new StoreQueries(db) };
}

afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.flushAll();
});

const teamAnnotation = (overrides: Partial<Annotation> = {}) =>
  annotation({ teamId: 't1', visibility: 'team', ...overrides });

/** Renames or merges in the team room as a colleague's client would, then applied here as a remote update. */
function renameRemotely(doc: Y.Doc, from: string[], to: string): Uint8Array {
  const before = Y.encodeStateVector(doc);
  const plan = planTagRename(readTagRenames(doc), from, to, stamp);
  const entries = new Map<string, unknown>([...plan.remove.map((key) => [key, undefined] as const), ...plan.set]);
  writeTeamEntries(tagRenamesMap(doc), entries);
  return Y.encodeStateAsUpdate(doc, before);
}

/** A colleague's record under their own key, as their client would send it. */
function colleagueWrites(doc: Y.Doc, record: Annotation): Uint8Array {
  const other = new Y.Doc();
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(other);
  writeAnnotation(other, record, record.author.id);
  return Y.encodeStateAsUpdate(other, before);
}

async function tagView(queries: StoreQueries, tag: string) {
  return (await queries.find({ tag })).groups.flatMap((group) => group.items.map((a) => [a.id, a.tags]));
}

describe('tag renames from the team room', () => {
  it('re-maps stored annotations when a rename arrives, for every reader, without rewriting any record', async () => {
    const db = freshDatabase();
    const { registry, queries, changes } = open(db);
    const mine = teamAnnotation({ tags: ['重点任务', '体育'], quote: '扎实推进重点任务' });
    const theirs = teamAnnotation({ tags: ['重点任务'], author: { id: 'm2', name: '李娜' }, documentKey: 'doc1' });
    const own = annotation({ tags: ['重点任务'], quote: '私人批注' });
    await registry.use(PAGE_ROOM, async (room) => {
      await room.write(mine, ME);
      await room.applyRemote(colleagueWrites(room.doc, theirs));
    });
    await new AnnotationStore(db).put([own]);
    expect((await queries.library()).tags).toEqual([
      { tag: '重点任务', count: 3, documents: 1 },
      { tag: '体育', count: 1, documents: 1 },
    ]);

    const colleague = new Y.Doc();
    await registry.use(TEAM_ROOM, (room) => room.applyRemote(renameRemotely(colleague, ['重点任务'], '重点工作')));

    // The tag library, its counts and the document's tags.
    expect((await queries.library()).tags).toEqual([
      { tag: '重点工作', count: 3, documents: 1 },
      { tag: '体育', count: 1, documents: 1 },
    ]);
    expect((await queries.library()).documents[0]).toMatchObject({ key: 'doc1', tags: 2 });
    // The index's tag postings: the new name finds all three; the old name finds them as the new one.
    const expected = [mine.id, theirs.id, own.id].sort();
    expect((await tagView(queries, '重点工作')).map(([id]) => id).sort()).toEqual(expected);
    expect((await tagView(queries, '重点任务')).map(([id]) => id).sort()).toEqual(expected);
    for (const [, tags] of await tagView(queries, '重点工作')) expect(tags).toContain('重点工作');
    // The search text: tags are part of it.
    expect((await queries.find({ text: '重点工作' })).shown).toBe(3);
    // A page's annotations, a briefing's source, the tag completion.
    expect((await queries.byDocument('doc1')).annotations.map((a) => a.tags)).toEqual(
      expect.arrayContaining([['重点工作', '体育'], ['重点工作']]),
    );
    const source = await queries.briefingSource({ documents: [], tags: ['重点任务'], who: 'team' }, ME);
    expect(source.annotations.every((a) => !a.tags.includes('重点任务'))).toBe(true);
    expect(source.annotations).toHaveLength(3);
    expect(await queries.tagLibrary()).toEqual(
      expect.arrayContaining([expect.objectContaining({ tag: '重点工作', aliases: ['重点任务'] })]),
    );
    // Nobody's record changed: the rows keep what their authors wrote.
    expect((await db.annotations.get(theirs.id))?.tags).toEqual(['重点任务']);
    expect((await db.annotations.get(own.id))?.tags).toEqual(['重点任务']);
    expect(changes.at(-1)).toMatchObject({ room: TEAM_ROOM, documentKey: '_team', local: false });
  });

  it('reads an annotation that arrives after the rename (from a colleague who was offline) under the new tag', async () => {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    await registry.use(TEAM_ROOM, (room) => room.applyRemote(renameRemotely(new Y.Doc(), ['重点任务'], '重点工作')));
    const late = teamAnnotation({ tags: ['重点任务'], quote: '离线时标注的条款' });
    await registry.use(PAGE_ROOM, (room) => room.write(late, ME));
    expect((await queries.library()).tags).toEqual([{ tag: '重点工作', count: 1, documents: 1 }]);
    expect((await queries.byDocument('doc1')).annotations[0]!.tags).toEqual(['重点工作']);
    expect((await tagView(queries, '重点工作')).map(([id]) => id)).toEqual([late.id]);
  });

  it('merges two tags into one, counting an annotation that carried both once, and follows later chains', async () => {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    const both = teamAnnotation({ tags: ['ppp', '特许经营'] });
    const one = teamAnnotation({ tags: ['特许经营'], documentKey: 'doc1' });
    await registry.use(PAGE_ROOM, async (room) => {
      await room.write(both, ME);
      await room.write(one, ME);
    });
    const colleague = new Y.Doc();
    await registry.use(TEAM_ROOM, (room) => room.applyRemote(renameRemotely(colleague, ['ppp', '特许经营'], '合作')));
    expect((await queries.library()).tags).toEqual([{ tag: '合作', count: 2, documents: 1 }]);
    expect((await queries.byDocument('doc1')).annotations.find((a) => a.id === both.id)?.tags).toEqual(['合作']);
    // A later rename of the merged tag carries its sources along.
    await registry.use(TEAM_ROOM, (room) => room.applyRemote(renameRemotely(colleague, ['合作'], '政企合作')));
    expect((await queries.library()).tags).toEqual([{ tag: '政企合作', count: 2, documents: 1 }]);
    expect((await tagView(queries, 'ppp')).length).toBe(2);
    // Taking a rename back (its entry deleted) re-maps the records again.
    await registry.use(TEAM_ROOM, (room) =>
      room.applyRemote(
        (() => {
          const before = Y.encodeStateVector(colleague);
          tagRenamesMap(colleague).delete('合作');
          return Y.encodeStateAsUpdate(colleague, before);
        })(),
      ),
    );
    expect((await queries.library()).tags).toEqual([{ tag: '合作', count: 2, documents: 1 }]);
  });

  it('re-derives only the records a change re-maps, and none for a change that re-maps nothing', async () => {
    const db = freshDatabase();
    const { registry } = open(db);
    const tagged = teamAnnotation({ tags: ['a'] });
    const other = teamAnnotation({ tags: ['z'] });
    await registry.use(PAGE_ROOM, async (room) => {
      await room.write(tagged, ME);
      await room.write(other, ME);
    });
    const retag = vi.spyOn(AnnotationStore.prototype, 'retag');
    const colleague = new Y.Doc();
    await registry.use(TEAM_ROOM, (room) => room.applyRemote(renameRemotely(colleague, ['a'], 'b')));
    // Writing the same entry again (a new stamp) re-maps nothing.
    await registry.use(TEAM_ROOM, (room) =>
      room.applyRemote(
        (() => {
          const before = Y.encodeStateVector(colleague);
          tagRenamesMap(colleague).set('a', { to: 'b', by: 'm2', at: 2 });
          return Y.encodeStateAsUpdate(colleague, before);
        })(),
      ),
    );
    expect(retag.mock.calls.map(([tags]) => tags)).toEqual([['a'], []]);
    expect(await Promise.all(retag.mock.results.map((r) => r.value))).toEqual([1, 0]);
    retag.mockRestore();
  });

  it('skips entries that break the schema, and leaves everything as it was when the commit fails', async () => {
    const db = freshDatabase();
    const full = simulateQuota(db);
    const { registry, queries } = open(db);
    const a = teamAnnotation({ tags: ['重点任务'] });
    await registry.use(PAGE_ROOM, (room) => room.write(a, ME));
    const colleague = new Y.Doc();
    const bad = (() => {
      const before = Y.encodeStateVector(colleague);
      tagRenamesMap(colleague).set('重点任务', { to: 'NOT NORMALISED', by: 'm2', at: 1 });
      tagRenamesMap(colleague).set('Upper', { to: 'x', by: 'm2', at: 1 });
      return Y.encodeStateAsUpdate(colleague, before);
    })();
    await registry.use(TEAM_ROOM, (room) => room.applyRemote(bad));
    expect(await db.tagRenames.count()).toBe(0);
    expect((await queries.library()).tags).toEqual([{ tag: '重点任务', count: 1, documents: 1 }]);

    const lease = await registry.acquire(TEAM_ROOM);
    full.on = true;
    const failed = await lease.room.applyRemote(renameRemotely(colleague, ['重点任务'], '重点工作')).catch((e) => e);
    await lease.room.flushed();
    expect(failed === undefined || failed instanceof StorageFullError).toBe(true);
    expect(await db.tagRenames.count()).toBe(0);
    expect((await queries.library()).tags).toEqual([{ tag: '重点任务', count: 1, documents: 1 }]);
    full.on = false;
    // The next commit of the room projects what the failed one could not.
    await lease.room.edit((doc) => unitsMap(doc).set('u1', { name: '办公室', ...stamp }));
    lease.release();
    expect((await queries.library()).tags).toEqual([{ tag: '重点工作', count: 1, documents: 1 }]);
    expect(await queries.units()).toEqual([{ id: 'u1', name: '办公室', aliases: [] }]);
  });

  it('keeps the vocabulary across a restart and mends a damaged row from the room', async () => {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    await registry.use(TEAM_ROOM, (room) => room.applyRemote(renameRemotely(new Y.Doc(), ['重点任务'], '重点工作')));
    await registry.flushAll();
    await db.tagRenames.put({ tag: '重点任务', teamId: 't1', to: 'DAMAGED', by: 'x', at: 1 });
    await db.rooms.update(TEAM_ROOM, { projected: 0 });
    const { registry: again } = open(db);
    await again.use(TEAM_ROOM, async () => undefined);
    expect(await db.tagRenames.get('重点任务')).toMatchObject({ to: '重点工作' });
    expect(await queries.tagLibrary()).toEqual([]);
  });
});

describe('units from the team room', () => {
  it('offers live units with merges followed and resolves a name through renames and merges', async () => {
    const db = freshDatabase();
    const { registry, queries } = open(db);
    await registry.use(TEAM_ROOM, (room) =>
      room.edit((doc) => {
        unitsMap(doc).set('u-a', { name: '基础教育科', ...stamp });
        unitsMap(doc).set('u-b', { name: '基教科', ...stamp });
        unitsMap(doc).set('u-c', { name: '办公室', ...stamp });
      }),
    );
    await registry.use(TEAM_ROOM, async (room) => {
      const renamed = renameUnit(readUnits(room.doc), 'u-a', '基础教育与学前教育科', stamp);
      const merged = mergeUnits(readUnits(room.doc), 'u-b', 'u-a', stamp);
      if (!renamed.ok || !merged.ok) throw new Error('unexpected');
      await room.edit((doc) => writeTeamEntries(unitsMap(doc), new Map(Object.entries({ ...merged.patch }))));
      await room.edit((doc) => writeTeamEntries(unitsMap(doc), new Map(Object.entries(renamed.patch))));
    });
    expect(await queries.units()).toEqual([
      { id: 'u-c', name: '办公室', aliases: [] },
      { id: 'u-a', name: '基础教育与学前教育科', aliases: ['基础教育科', '基教科'] },
    ]);
    expect(Object.keys(await queries.unitMap()).sort()).toEqual(['u-a', 'u-b', 'u-c']);
    expect(await queries.unitNamed('基 教科')).toEqual({ id: 'u-a', name: '基础教育与学前教育科', deleted: false });
    expect(await queries.unitNamed('基础教育科')).toMatchObject({ id: 'u-a' });
    expect(await queries.unitNamed('督导室')).toBeNull();
    expect(await db.units.get('u-a')).toMatchObject({ teamId: 't1' });
  });
});
