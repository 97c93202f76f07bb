/**
 * Faults between instances, on real processes, PostgreSQL and Redis: an instance killed with SIGKILL under a
 * steady stream of writes (its clients move to the others with fresh tickets; nothing any client received is
 * lost), a fan-out that loses 10% of its stream entries and streams trimmed to 10 entries (rooms converge from
 * PostgreSQL), and two instances holding a room while it compacts every few updates (nothing lost).
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { annotationIdsOf, idsOfMemberKeys, notesMap, roomIdFor } from '../../../shared/model/index.ts';
import { waitFor } from '../server/helpers.ts';
import { type Cluster, kill, remoteUpdates, roamingProvider, startCluster, stopProvider } from './cluster.ts';
import { converged, freshLoad, stateOf, steadyWrites } from './writers.ts';

let cluster: Cluster | null = null;
let providers: WebsocketProvider[] = [];

afterEach(async () => {
  for (const provider of providers) stopProvider(provider);
  providers = [];
  await cluster?.stop();
  cluster = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` clients of one room spread over the instances; each records what it received from the server. */
async function spread(c: Cluster, documentKey: string, count: number, onInstances = c.instances) {
  const room = roomIdFor(c.teamId, documentKey);
  const docs: Y.Doc[] = [];
  const received = new Set<string>();
  for (let i = 0; i < count; i++) {
    const doc = new Y.Doc();
    const provider = await roamingProvider(c, onInstances[i % onInstances.length]!, room, doc);
    notesMap(doc).observe((event) => {
      if (event.transaction.origin !== provider) return;
      for (const id of idsOfMemberKeys(event.keysChanged)) received.add(id);
    });
    providers.push(provider);
    docs.push(doc);
  }
  return { room, docs, received };
}

describe('faults between instances', () => {
  it('loses nothing any client received when an instance is killed with SIGKILL under steady writes', async () => {
    cluster = await startCluster(3);
    const c = cluster;
    const { room, docs, received } = await spread(c, 'killed', 6);
    const writes = steadyWrites(c, docs, 'killed');
    await waitFor(() => received.size > 300, 20_000, 'too few updates reached clients');
    const victim = c.instances[1]!;
    await kill(victim);
    const receivedAtKill = new Set(received);
    await sleep(1_500);
    const written = await writes.stop();
    // Every client of B moved to another instance with a fresh ticket, and all converge on everything written.
    expect(providers.every((p) => (p as WebsocketProvider & { instance: { name: string } }).instance !== victim)).toBe(
      true,
    );
    await converged(docs, written);
    const stored = annotationIdsOf(await freshLoad(c, room));
    for (const id of receivedAtKill) expect(stored).toContain(id);
    expect(stored.sort()).toEqual([...written].sort());
  });

  it('converges when the fan-out loses 10% of its entries and the streams are trimmed to 10 entries', async () => {
    cluster = await startCluster(3, { PIZHU_FANOUT_DROP_RATIO: '0.1', PIZHU_FANOUT_STREAM_LENGTH: '10' });
    const c = cluster;
    const redis = new Redis(c.redisUrl);
    try {
      const rooms = await Promise.all(['lossy-0', 'lossy-1', 'lossy-2'].map((key) => spread(c, key, 3)));
      let writing = true;
      // Exact trimming from outside, as a Redis under memory pressure would: MAXLEN ~ trims whole nodes only.
      const trimming = (async () => {
        while (writing) {
          for (const key of await redis.keys(`pizhu:*:room:${c.teamId}.lossy-*`)) await redis.xtrim(key, 'MAXLEN', 10);
          await sleep(2);
        }
      })();
      const writes = rooms.map(({ docs }, r) => steadyWrites(c, docs, `lossy-${r}`, 10));
      await sleep(3_000);
      writing = false;
      const written = await Promise.all(writes.map((w) => w.stop()));
      await trimming;
      for (const [r, { room, docs }] of rooms.entries()) {
        await converged(docs, written[r]!);
        expect(stateOf(await freshLoad(c, room))).toBe(stateOf(docs[0]!));
      }
      // /metrics shows it: updates came through Redis, and the gaps from PostgreSQL (with each gap, what had
      // arrived behind it is read again from the store, and the trimming here is far harsher than Redis's).
      expect(await remoteUpdates(c, 'fanout')).toBeGreaterThan(0);
      expect(await remoteUpdates(c, 'store')).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('loses nothing when two instances hold a room while it compacts every few updates', async () => {
    cluster = await startCluster(2, { PIZHU_COMPACT_AFTER_UPDATES: '3' });
    const c = cluster;
    const { room, docs } = await spread(c, 'compacting', 4);
    const writes = steadyWrites(c, docs, 'compacting', 5);
    await sleep(3_000);
    await converged(docs, await writes.stop());
    await sleep(1_500); // quiet: both instances compact what they hold
    expect(stateOf(await freshLoad(c, room))).toBe(stateOf(docs[0]!));
  });
});
