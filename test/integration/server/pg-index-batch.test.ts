/**
 * One batch of the PostgreSQL index holds many changes, several of them of one room, and is written as a few
 * statements over all of them: what lands must be what writing the changes one after another would leave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../server/config.ts';
import type { IndexSource, RoomIndexChange } from '../../../server/index-db/types.ts';
import { silentLogger } from '../../../server/log.ts';
import { openStores, type Stores } from '../../../server/storage/open-stores.ts';
import { type Annotation, normaliseTags } from '../../../shared/model/index.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';
import { acquireServices, freshDatabase, releaseServices } from '../../server/services.ts';

const note = (documentKey: string, id: string, text: string, tags: string[]): Annotation =>
  sampleAnnotation({ id, teamId: 't1', documentKey, note: text, tags });

const change = (
  documentKey: string,
  throughSeq: number,
  upserts: Annotation[],
  removedIds: string[] = [],
  partial?: true,
): RoomIndexChange => ({
  roomId: `t1.${documentKey}`,
  teamId: 't1',
  documentKey,
  upserts,
  removedIds,
  throughSeq,
  ...(partial ? { partial } : {}),
});

/** Records the changes the index gives back. */
function recorder() {
  const refused: number[] = [];
  const source: IndexSource = {
    takeIndexChange: () => null,
    indexRefused: (refusedChange) => refused.push(refusedChange.throughSeq),
  };
  return { source, refused };
}

describe('a batch of the PostgreSQL index', () => {
  let stores: Stores;
  beforeAll(async () => {
    const services = await acquireServices();
    const config = resolveConfig({ databaseUrl: await freshDatabase(services.databaseUrl) });
    stores = await openStores(config, { log: silentLogger, lockDataDir: false, serving: false });
  });
  afterAll(async () => {
    await stores?.close();
    await releaseServices();
  });

  it('leaves what the changes written one by one would leave', async () => {
    const { index } = stores;
    const { source, refused } = recorder();
    // Room d1: x is written, retagged, removed and written again; y is written then removed; z only written.
    index.applyChange(change('d1', 1, [note('d1', 'x', '一', ['甲', '乙']), note('d1', 'y', '乙', ['乙'])]), source);
    index.applyChange(change('d1', 2, [note('d1', 'x', '二', ['丙'])]), source);
    index.applyChange(change('d1', 3, [], ['x', 'y']), source);
    index.applyChange(change('d1', 4, [note('d1', 'x', '四', ['丁', '丁']), note('d1', 'z', '四', [])]), source);
    // A change older than one before it in the batch is refused, as if written after it.
    index.applyChange(change('d1', 2, [note('d1', 'x', '旧', ['旧'])]), source);
    // Room d2: a chunk of a larger change writes its rows without moving `through`.
    index.applyChange(change('d2', 6, [note('d2', 'w', '五', ['甲'])], [], true), source);
    await index.flush();

    const listed = (await index.list('t1', { limit: 10 })).annotations;
    expect(listed.map((a) => `${a.documentKey}/${a.id}:${a.note}`).sort()).toEqual(['d1/x:四', 'd1/z:四', 'd2/w:五']);
    expect(await index.tags('t1')).toEqual([
      { tag: '丁', count: 1 },
      { tag: '甲', count: 1 },
    ]);
    expect(refused).toEqual([2]);
    expect(await index.through('t1.d1')).toBe(4);
    expect(await index.through('t1.d2')).toBe(0);

    // The next batch removes what the first wrote and finishes d2.
    index.applyChange(change('d1', 5, [], ['x', 'z']), source);
    index.applyChange(change('d2', 6, [note('d2', 'v', '六', ['乙'])]), source);
    await index.flush();
    const after = (await index.list('t1', { limit: 10 })).annotations;
    expect(after.map((a) => `${a.documentKey}/${a.id}`).sort()).toEqual(['d2/v', 'd2/w']);
    expect(await index.tags('t1')).toEqual([
      { tag: '乙', count: 1 },
      { tag: '甲', count: 1 },
    ]);
    expect(await index.through('t1.d1')).toBe(5);
    expect(await index.through('t1.d2')).toBe(6);
  });

  it('carries text that array literals must quote, and the word NULL, as written', async () => {
    const { index } = stores;
    const hostile = 'NULL';
    const quoted = 'a"b\\c{d,e}\'f';
    index.applyChange(change('d3', 1, [note('d3', 'q', `${quoted}\n第二行`, [hostile, quoted])]));
    await index.flush();
    const [read] = (await index.list('t1', { documentKey: 'd3', limit: 10 })).annotations;
    expect(read?.note).toBe(`${quoted}\n第二行`);
    // The list reads tags normalised (lower case); the tag counts keep them as written. Either way the word
    // NULL is a tag, not a missing value.
    expect(read?.tags).toEqual(normaliseTags([hostile, quoted]));
    expect((await index.tags('t1')).map((t) => t.tag)).toEqual(expect.arrayContaining([hostile, quoted]));
  });
});
