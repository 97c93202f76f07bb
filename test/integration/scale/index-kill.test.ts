/**
 * An instance killed (SIGKILL) right after accepting an edit, before its index batch (50 ms) writes it, while
 * another instance holds the room and goes on writing: the other instance indexes the edit it applied from the
 * fan-out, so the REST API lists it within 2 s. Had only the accepting instance indexed it, its row would be lost
 * for good: the survivor's own writes move the room's indexed `through` past it, so no reload rebuilds the room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { roomIdFor } from '../../../shared/model/index.ts';
import { annotation, authorOf, holds, writeOwn } from '../server/fixtures.ts';
import { waitFor } from '../server/helpers.ts';
import { type Cluster, indexedIds, kill, roamingProvider, startCluster, stopProvider } from './cluster.ts';

let cluster: Cluster;
const providers: WebsocketProvider[] = [];

beforeAll(async () => {
  cluster = await startCluster(2);
}, 90_000);

afterAll(async () => {
  for (const provider of providers) stopProvider(provider);
  await cluster?.stop();
});

const DOCUMENT = 'index-kill';

describe('the query index when the instance that accepted an edit is killed', () => {
  it('lists the edit through the instance that applied it from the fan-out', async () => {
    const room = roomIdFor(cluster.teamId, DOCUMENT);
    const [a, b] = cluster.instances;
    const author = authorOf(cluster.owner);
    const write = (doc: Y.Doc, id: string) =>
      writeOwn(doc, annotation(id, cluster.teamId, DOCUMENT, { author, note: id, updatedAt: 1 }));
    const onB = new Y.Doc();
    providers.push(await roamingProvider(cluster, b!, room, onB));
    const onA = new Y.Doc();
    providers.push(await roamingProvider(cluster, a!, room, onA));

    write(onA, 'accepted-by-a');
    // B applied it (its client has it): kill A at once, before its index batch is due.
    await waitFor(() => holds(onB, 'accepted-by-a'), 5_000, 'B never got the edit');
    await kill(a!);
    // B goes on writing: its own index writes move the room past A's edit.
    write(onB, 'accepted-by-b');

    const expected = ['accepted-by-a', 'accepted-by-b'];
    let listed: string[] = [];
    const startedAt = Date.now();
    while (Date.now() - startedAt < 2_000) {
      listed = (await indexedIds(b!, cluster.teamId, DOCUMENT, cluster.owner.token)).sort();
      if (listed.length === expected.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(listed).toEqual(expected);
  });
});
