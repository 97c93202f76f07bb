/**
 * Two server processes hold one room, and the same annotations are edited through both at once while the
 * fan-out loses half its entries (a gap waits 1 s before it is read from the store): a client of A edits them live, a client of B edited them offline (concurrently)
 * and connects once A has indexed its edits. B indexes its client's edits from a document that may still lack
 * A's, and its batch lands after A's. Once the clients have converged, the REST API of both instances lists what
 * PostgreSQL holds within 2 s: no row read from an older document stays over a newer one.
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
  // A gap waits a second before it is read from the store: B's document lacks some of A's edits for that long.
  cluster = await startCluster(2, { PIZHU_FANOUT_DROP_RATIO: '0.5', PIZHU_FANOUT_GAP_WAIT_MS: '1000' });
}, 90_000);

afterAll(async () => {
  for (const provider of providers) stopProvider(provider);
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DOCUMENT = 'index-order';
const IDS = Array.from({ length: 40 }, (_, i) => `x${String(i).padStart(2, '0')}`);

/** Each annotation's note and updatedAt, by id. */
type Notes = Record<string, string>;
const notesOf = (annotations: { id: string; note: string; updatedAt: number }[]): Notes =>
  Object.fromEntries(annotations.map((a) => [a.id, `${a.note}@${a.updatedAt}`]).sort());
const state = (doc: Y.Doc) => canonicalJson(notesMap(doc).toJSON());

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
  it('lists on both instances what PostgreSQL holds within 2 s of concurrent edits of the same annotations', async () => {
    const room = roomIdFor(cluster.teamId, DOCUMENT);
    const [a, b] = cluster.instances;
    const author = authorOf(cluster.owner);
    const edit = (doc: Y.Doc, id: string, note: string, updatedAt: number) =>
      writeOwn(doc, annotation(id, cluster.teamId, DOCUMENT, { author, note, updatedAt }));
    // B holds the room (a reader there), so it gets A's edits through the lossy fan-out.
    providers.push(await roamingProvider(cluster, b!, room, new Y.Doc()));
    const onA = new Y.Doc();
    const onB = new Y.Doc();
    // Concurrent writes of one record: the higher client id wins, so A's edits are what the room ends up with.
    onA.clientID = 2_000_000_000;
    onB.clientID = 1;
    for (const id of IDS) edit(onB, id, `B 的修改 ${id}`, 1);
    providers.push(await roamingProvider(cluster, a!, room, onA));
    for (const id of IDS) {
      edit(onA, id, `A 的修改 ${id}`, 2);
      await sleep(2);
    }
    await sleep(100); // A has indexed its edits
    providers.push(await roamingProvider(cluster, b!, room, onB));
    await waitFor(() => state(onA) === state(onB), 30_000, 'the two clients did not converge');
    const convergedAt = Date.now();
    const expected = notesOf(readRoom(onA, room).annotations);
    expect(Object.values(expected)).toEqual(IDS.map((id) => `A 的修改 ${id}@2`));

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
    expect(state(fresh)).toBe(state(onA));
  });
});
