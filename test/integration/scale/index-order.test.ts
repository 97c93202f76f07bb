/**
 * Two server processes hold one room, and the same annotations are edited through both in quick turns while
 * the fan-out loses some of its entries: each instance indexes its own edits from a document that may lack the
 * other's latest one. Once the clients have converged, the REST API of both instances lists what a fresh load
 * from PostgreSQL holds, within 2 s: no change read from an older document stays over a newer one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { notesMap, readRoom, roomIdFor } from '../../../shared/model/index.ts';
import { annotation, authorOf, canonicalJson, writeOwn } from '../server/fixtures.ts';
import { api, waitFor } from '../server/helpers.ts';
import { type Cluster, type Instance, roamingProvider, startCluster, stopProvider } from './cluster.ts';

let cluster: Cluster;
const providers: WebsocketProvider[] = [];

beforeAll(async () => {
  cluster = await startCluster(2, { PIZHU_FANOUT_DROP_RATIO: '0.2' });
}, 90_000);

afterAll(async () => {
  for (const provider of providers) stopProvider(provider);
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DOCUMENT = 'index-order';
const IDS = ['x', 'y', 'z'];

/** Each annotation's note and updatedAt, by id. */
type Notes = Record<string, string>;
const notesOf = (annotations: { id: string; note: string; updatedAt: number }[]): Notes =>
  Object.fromEntries(annotations.map((a) => [a.id, `${a.note}@${a.updatedAt}`]).sort());

async function listed(instance: Instance): Promise<Notes> {
  const res = await api<{ annotations: { id: string; note: string; updatedAt: number }[] }>(
    instance,
    'GET',
    `/api/teams/${cluster.teamId}/annotations?document=${DOCUMENT}&limit=500`,
    { token: cluster.owner.token },
  );
  if (res.status !== 200) throw new Error(`annotations on ${instance.name}: ${res.status}`);
  return notesOf(res.body.annotations);
}

describe('the query index of two instances holding one room', () => {
  it('lists on both instances what PostgreSQL holds within 2 s of an edit race on the same annotations', async () => {
    const room = roomIdFor(cluster.teamId, DOCUMENT);
    const [a, b] = cluster.instances;
    const docs = [new Y.Doc(), new Y.Doc()];
    for (const [i, doc] of docs.entries()) providers.push(await roamingProvider(cluster, [a!, b!][i]!, room, doc));
    const author = authorOf(cluster.owner);
    for (let n = 0; n < 240; n++) {
      const id = IDS[n % IDS.length]!;
      writeOwn(docs[n % 2]!, annotation(id, cluster.teamId, DOCUMENT, { author, note: `第${n}次`, updatedAt: n + 1 }));
      await sleep(n % 4 === 3 ? 15 : 2);
    }
    const state = (doc: Y.Doc) => canonicalJson(notesMap(doc).toJSON());
    await waitFor(() => state(docs[0]!) === state(docs[1]!), 30_000, 'the two clients did not converge');
    const convergedAt = Date.now();
    const expected = notesOf(readRoom(docs[0]!, room).annotations);
    expect(Object.keys(expected)).toEqual(IDS);

    let lists: Notes[] = [];
    while (Date.now() - convergedAt < 2_000) {
      lists = await Promise.all([a!, b!].map(listed));
      if (lists.every((list) => canonicalJson(list) === canonicalJson(expected))) break;
      await sleep(50);
    }
    expect(lists).toEqual([expected, expected]);
    // What the clients converged on is what PostgreSQL holds: a client of an instance that never held the room.
    const fresh = new Y.Doc();
    stopProvider(await roamingProvider(cluster, await cluster.add('fresh'), room, fresh));
    expect(state(fresh)).toBe(state(docs[0]!));
  });
});
