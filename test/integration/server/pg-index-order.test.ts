/**
 * Two server instances index one room into one PostgreSQL database, each from its own document: a change read
 * from a document that lacked the other instance's newer update must not land over the rows that instance wrote.
 * Two stores opened on one database stand for the two instances; their changes are built by hand. They also
 * add the same new rooms at once, which must not deadlock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, DocumentInfo } from '../../../shared/model/index.ts';
import { resolveConfig } from '../../../server/config.ts';
import type { IndexSource, RoomIndexChange } from '../../../server/index-db/types.ts';
import { silentLogger } from '../../../server/log.ts';
import { openStores, type Stores } from '../../../server/storage/open-stores.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';
import { acquireServices, freshDatabase, releaseServices } from '../../server/services.ts';

const note = (id: string, text: string): Annotation =>
  sampleAnnotation({ id, teamId: 't1', documentKey: 'd1', note: text, tags: [text] });
const page = (title: string): DocumentInfo => ({
  key: 'd1',
  canonicalUrl: 'example.gov.cn/n',
  url: 'https://example.gov.cn/n',
  title,
});
const change = (throughSeq: number, upserts: Annotation[], document?: DocumentInfo): RoomIndexChange => ({
  roomId: 't1.d1',
  teamId: 't1',
  documentKey: 'd1',
  upserts,
  removedIds: [],
  document,
  throughSeq,
});

/** A room with one change to hand over, which records what the index gives back. */
function roomWith(pending: RoomIndexChange) {
  const refused: { change: RoomIndexChange; indexedThrough: number }[] = [];
  let taken = false;
  const source: IndexSource = {
    takeIndexChange() {
      if (taken) return null;
      taken = true;
      return pending;
    },
    indexRefused(change, indexedThrough) {
      refused.push({ change, indexedThrough });
    },
  };
  return { source, refused };
}

describe('the PostgreSQL index written by two instances', () => {
  let a: Stores;
  let b: Stores;
  beforeAll(async () => {
    const services = await acquireServices();
    const config = resolveConfig({ databaseUrl: await freshDatabase(services.databaseUrl) });
    const options = { log: silentLogger, lockDataDir: false, serving: false };
    a = await openStores(config, options);
    b = await openStores(config, options);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await releaseServices();
  });

  const notes = async () =>
    (await a.index.list('t1', { limit: 10 })).annotations.map((x) => `${x.id}:${x.note}`).sort();

  it('refuses a change older than the index and gives it back to its room', async () => {
    // B read X after both edits (through seq 5); A read X and the page before B's edit arrived (through 4),
    // and its batch lands last.
    const newer = roomWith(change(5, [note('x', '两次修改')], page('新标题')));
    b.index.markDirty('t1.d1', newer.source);
    await b.index.flush();
    const stale = change(4, [note('x', '一次修改'), note('y', '新批注')], page('旧标题'));
    const older = roomWith(stale);
    a.index.markDirty('t1.d1', older.source);
    await a.index.flush();

    expect(await notes()).toEqual(['x:两次修改']);
    expect((await a.index.documents('t1')).map((d) => d.document?.title)).toEqual(['新标题']);
    expect(await a.index.tags('t1')).toEqual([{ tag: '两次修改', count: 1 }]);
    expect(await a.index.through('t1.d1')).toBe(5);
    expect(newer.refused).toEqual([]);
    expect(older.refused).toEqual([{ change: stale, indexedThrough: 5 }]);

    // Read again once A holds seq 5: written.
    const caughtUp = roomWith(change(5, [note('x', '两次修改'), note('y', '新批注')]));
    a.index.markDirty('t1.d1', caughtUp.source);
    await a.index.flush();
    expect(await notes()).toEqual(['x:两次修改', 'y:新批注']);
    expect(caughtUp.refused).toEqual([]);
  });

  it('two instances adding the same new rooms at once in opposite orders both land', async () => {
    for (let round = 0; round < 8; round++) {
      const rooms = Array.from({ length: 40 }, (_, i) => `r${round}-${String(i).padStart(2, '0')}`);
      const changeOf = (documentKey: string, writer: string): RoomIndexChange => ({
        roomId: `t2.${documentKey}`,
        teamId: 't2',
        documentKey,
        upserts: [sampleAnnotation({ id: `${writer}${documentKey}`, teamId: 't2', documentKey })],
        removedIds: [],
        throughSeq: 1,
      });
      for (const room of rooms) a.index.applyChange(changeOf(room, 'a'));
      for (const room of [...rooms].reverse()) b.index.applyChange(changeOf(room, 'b'));
      await Promise.all([a.index.flush(), b.index.flush()]);
      // A batch lost to a deadlock would leave its instance's annotations out.
      const listed = await a.index.list('t2', { limit: 1000 });
      expect(listed.annotations.filter((x) => x.documentKey.startsWith(`r${round}-`))).toHaveLength(80);
    }
  });

  it('leaves a newer index alone when a room is rebuilt from an older document', async () => {
    const newer = roomWith(change(7, [note('x', '第三次')]));
    b.index.markDirty('t1.d1', newer.source);
    await b.index.flush();

    const rebuild = { document: page('旧标题'), annotations: [note('x', '一次修改')], invalid: [] };
    expect(await a.index.replaceRoom('t1.d1', rebuild, 6)).toBe(7);
    expect(await notes()).toEqual(['x:第三次', 'y:新批注']);
    expect((await a.index.documents('t1')).map((d) => d.document?.title)).toEqual(['新标题']);
    expect(await a.index.through('t1.d1')).toBe(7);

    expect(await a.index.replaceRoom('t1.d1', { ...rebuild, annotations: [note('x', '第四次')] }, 8)).toBeNull();
    expect(await notes()).toEqual(['x:第四次']);
    expect(await a.index.through('t1.d1')).toBe(8);
  });
});
