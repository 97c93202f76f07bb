/**
 * Three server processes on one PostgreSQL and one Redis, real y-websocket clients spread over them: one room
 * and many rooms converge, and a fresh load from PostgreSQL (a fourth instance that never held the rooms)
 * equals every client's state; the query index on C lists an edit made on A within 2 s; presence crosses
 * instances; bulk catch-up on one instance while the three write never misses a room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { annotationIdsOf, notesMap, roomIdFor } from '../../../shared/model/index.ts';
import { type BulkSyncResponse, base64ToBytes } from '../../../shared/protocol/api.ts';
import { annotation, authorOf, canonicalJson, writeOwn } from '../server/fixtures.ts';
import { api, waitFor } from '../server/helpers.ts';
import { type Cluster, indexedIds, roamingProvider, startCluster, stopProvider } from './cluster.ts';

let cluster: Cluster;
const providers: WebsocketProvider[] = [];

beforeAll(async () => {
  cluster = await startCluster(3);
}, 90_000);

afterAll(async () => {
  for (const provider of providers) stopProvider(provider);
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const state = (doc: Y.Doc) => canonicalJson(notesMap(doc).toJSON());

async function clients(documentKey: string, count: number): Promise<{ room: string; docs: Y.Doc[] }> {
  const room = roomIdFor(cluster.teamId, documentKey);
  const docs = Array.from({ length: count }, () => new Y.Doc());
  for (const [i, doc] of docs.entries()) {
    providers.push(await roamingProvider(cluster, cluster.instances[i % 3]!, room, doc));
  }
  return { room, docs };
}

function write(doc: Y.Doc, documentKey: string, id: string): void {
  writeOwn(doc, annotation(id, cluster.teamId, documentKey, { author: authorOf(cluster.owner), note: id }));
}

/** A client of a fourth instance that never held the room: what PostgreSQL holds. */
async function freshLoad(room: string): Promise<Y.Doc> {
  const instance = cluster.instances[3] ?? (await cluster.add('D'));
  const doc = new Y.Doc();
  const provider = await roamingProvider(cluster, instance, room, doc);
  stopProvider(provider);
  return doc;
}

describe('three instances on PostgreSQL and Redis', () => {
  it('converge on one room edited through all of them, and PostgreSQL holds the same state', async () => {
    const { room, docs } = await clients('one-room', 9);
    for (let n = 0; n < 270; n++) {
      write(docs[n % docs.length]!, 'one-room', `one-${n}`);
      if (n % 9 === 8) await sleep(5);
    }
    await waitFor(
      () => docs.every((doc) => annotationIdsOf(doc).length === 270 && state(doc) === state(docs[0]!)),
      30_000,
      `clients did not converge: ${docs.map((d) => annotationIdsOf(d).length)}`,
    );
    expect(state(await freshLoad(room))).toBe(state(docs[0]!));
  });

  it('converge on many rooms edited at once', async () => {
    const rooms = await Promise.all(Array.from({ length: 12 }, (_, r) => clients(`many-${r}`, 3)));
    for (let n = 0; n < 20; n++) {
      for (const [r, { docs }] of rooms.entries()) write(docs[n % 3]!, `many-${r}`, `many-${r}-${n}`);
      await sleep(10);
    }
    await waitFor(
      () => rooms.every(({ docs }) => docs.every((doc) => annotationIdsOf(doc).length === 20)),
      30_000,
      'rooms did not converge',
    );
    for (const { room, docs } of rooms) {
      for (const doc of docs) expect(state(doc)).toBe(state(docs[0]!));
      expect(state(await freshLoad(room))).toBe(state(docs[0]!));
    }
  });

  it('lists an edit made through instance A in the query index of instance C within 2 s', async () => {
    const [a, , c] = cluster.instances;
    const doc = new Y.Doc();
    providers.push(await roamingProvider(cluster, a!, roomIdFor(cluster.teamId, 'indexed'), doc));
    write(doc, 'indexed', 'seen-on-c');
    const deadline = Date.now() + 2_000;
    let ids: string[] = [];
    while (Date.now() < deadline && !ids.includes('seen-on-c')) {
      ids = await indexedIds(c!, cluster.teamId, 'indexed', cluster.owner.token);
      await sleep(50);
    }
    expect(ids).toContain('seen-on-c');
  });

  it('carries presence between instances', async () => {
    const room = roomIdFor(cluster.teamId, 'presence');
    const [onA, onB] = [new Y.Doc(), new Y.Doc()];
    const a = await roamingProvider(cluster, cluster.instances[0]!, room, onA);
    a.awareness.setLocalStateField('user', { name: '甲' });
    providers.push(a);
    await sleep(200);
    // B joins after A announced itself: the new holder asks the others who is present.
    const b = await roamingProvider(cluster, cluster.instances[1]!, room, onB);
    providers.push(b);
    const names = (provider: WebsocketProvider) =>
      [...provider.awareness.getStates().values()].map((s) => (s.user as { name?: string } | undefined)?.name);
    await waitFor(() => names(b).includes('甲'), 5_000, 'B never saw A');
    b.awareness.setLocalStateField('user', { name: '乙' });
    await waitFor(() => names(a).includes('乙'), 5_000, 'A never saw B');
    a.awareness.setLocalState(null);
    await waitFor(() => !names(b).includes('甲'), 5_000, 'A did not leave on B');
  });

  it('bulk catch-up on one instance never misses a room while all three write', async () => {
    const rooms = Array.from({ length: 24 }, (_, r) => `bulk-${r}`);
    const writers = await Promise.all(
      rooms.map(async (key, r) => {
        const doc = new Y.Doc();
        providers.push(await roamingProvider(cluster, cluster.instances[r % 3]!, roomIdFor(cluster.teamId, key), doc));
        return { key, doc };
      }),
    );
    const local = new Map(rooms.map((key) => [roomIdFor(cluster.teamId, key), new Y.Doc()]));
    let cursor: string | null = null;
    const catchUp = async () => {
      for (;;) {
        // Only the cursor says what changed: no state vectors, which would make the server answer for rooms
        // whatever the cursor says (and hide a change the cursor skipped).
        const res: { status: number; body: BulkSyncResponse } = await api<BulkSyncResponse>(
          cluster.instances[2]!,
          'POST',
          `/api/teams/${cluster.teamId}/sync`,
          { token: cluster.owner.token, body: { since: cursor, rooms: {} } },
        );
        expect(res.status).toBe(200);
        for (const answer of res.body.rooms) {
          const doc = local.get(answer.room); // the team's other rooms (earlier tests) are not followed
          if (doc) Y.applyUpdate(doc, base64ToBytes(answer.update));
        }
        cursor = res.body.cursor;
        if (!res.body.more) return;
      }
    };
    let allStored = false;
    const checkStored = async () => {
      while (!allStored) {
        const res = await api<BulkSyncResponse>(cluster.instances[0]!, 'POST', `/api/teams/${cluster.teamId}/sync`, {
          token: cluster.owner.token,
          body: { since: null, rooms: {} },
        });
        const stored = new Map(res.body.rooms.map((answer) => [answer.room, base64ToBytes(answer.update)]));
        allStored = writers.every(({ key, doc }) => {
          const update = stored.get(roomIdFor(cluster.teamId, key));
          if (!update) return false;
          const copy = new Y.Doc();
          Y.applyUpdate(copy, update);
          return annotationIdsOf(copy).length === annotationIdsOf(doc).length;
        });
        if (!res.body.more && !allStored) await sleep(100);
      }
    };
    let writing = true;
    const writes = (async () => {
      for (let n = 0; writing; n++) {
        for (const { key, doc } of writers) if ((n + key.length) % 3 === 0) write(doc, key, `${key}-${n}`);
        await sleep(15);
      }
    })();
    const bulk = (async () => {
      while (writing) {
        await catchUp();
        await sleep(30);
      }
    })();
    await sleep(4_000);
    writing = false;
    await Promise.all([writes, bulk]);
    void checkStored();
    // Wait until everything written is stored (a catch-up from the start holds it all), then catch up from the
    // cursor: it must bring every room to the same state.
    await waitFor(() => allStored, 20_000, 'the writes were not all stored');
    await catchUp();
    for (const { key, doc } of writers) {
      const caughtUp = local.get(roomIdFor(cluster.teamId, key))!;
      expect(annotationIdsOf(caughtUp).sort(), key).toEqual(annotationIdsOf(doc).sort());
    }
  });
});
