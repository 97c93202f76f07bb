/**
 * PostgreSQL and Redis going away under three instances and coming back while clients write all along, as in an
 * upgrade or a failover. Redis is only the fast path: while it is down, rooms still converge from PostgreSQL
 * (each instance asks the store which held rooms are behind), and a new socket, whose deployment-wide slot
 * lives in Redis, is refused with 503 until it is back. PostgreSQL is the record: while it is down nothing is
 * accepted, /health and the API say 503, and once it is back every client converges on everything written.
 * No instance exits either way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { killRedis, startPostgresAgain, startRedisAgain, stopPostgresNow } from '../../../scripts/services.mjs';
import { annotationIdsOf, roomIdFor } from '../../../shared/model/index.ts';
import { api, openRaw, ticketFor, waitFor } from '../server/helpers.ts';
import { type Cluster, roamingProvider, startCluster, stopProvider } from './cluster.ts';
import { converged, freshLoad, stateOf, steadyWrites } from './writers.ts';

let cluster: Cluster | null = null;
let providers: WebsocketProvider[] = [];
/** A service a test stopped and has not started again: started in afterEach when the test failed meanwhile. */
let down: 'redis' | 'postgres' | null = null;

afterEach(async () => {
  for (const provider of providers) stopProvider(provider);
  providers = [];
  if (cluster && down === 'redis') await startRedisAgain(cluster.servicesDir);
  if (cluster && down === 'postgres') await startPostgresAgain(cluster.servicesDir);
  down = null;
  await cluster?.stop();
  cluster = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Six clients of one room, two on each instance, writing steadily until stopped. */
async function writingClients(c: Cluster, documentKey: string) {
  const room = roomIdFor(c.teamId, documentKey);
  const docs: Y.Doc[] = [];
  for (let i = 0; i < 6; i++) {
    const doc = new Y.Doc();
    providers.push(await roamingProvider(c, c.instances[i % 3]!, room, doc));
    docs.push(doc);
  }
  return { room, docs, writes: steadyWrites(c, docs, documentKey) };
}

describe('outages of PostgreSQL and Redis under three instances', () => {
  it('keeps rooms converging from PostgreSQL while Redis is down, and takes new sockets once it is back', async () => {
    cluster = await startCluster(3);
    const c = cluster;
    const { room, docs, writes } = await writingClients(c, 'redis-outage');
    await sleep(500);
    await killRedis(c.servicesDir);
    down = 'redis';
    await sleep(500);

    // Redis is down: what was written by now reaches every client on every instance through the store.
    const beforeCheck = writes.written.slice();
    await waitFor(
      () =>
        docs.every((doc) => {
          const has = new Set(annotationIdsOf(doc));
          return beforeCheck.every((id) => has.has(id));
        }),
      10_000,
      'clients did not converge without Redis',
    );
    // A new socket's slot is counted in Redis: refused with 503 (the client retries), not a 500.
    const refused = openRaw(c.instances[1]!, room, await ticketFor(c.instances[1]!, c.owner.token, room));
    expect(await refused.refused).toBe(503);

    await startRedisAgain(c.servicesDir);
    down = null;
    await waitFor(
      async () => {
        const client = openRaw(c.instances[1]!, room, await ticketFor(c.instances[1]!, c.owner.token, room));
        const status = await client.refused;
        client.ws.close();
        return status === null;
      },
      10_000,
      'no new socket was taken after Redis came back',
    );
    await sleep(500);
    await converged(docs, await writes.stop());
    expect(c.alive()).toHaveLength(3);
  });

  it('answers 503 while PostgreSQL is down and loses nothing once it is back', async () => {
    cluster = await startCluster(3);
    const c = cluster;
    const { room, docs, writes } = await writingClients(c, 'postgres-outage');
    await sleep(500);
    await stopPostgresNow(c.servicesDir);
    down = 'postgres';

    for (const instance of c.instances) {
      await waitFor(
        async () => (await fetch(`${instance.url}/health`)).status === 503,
        5_000,
        `${instance.name} still says it is healthy without its database`,
      );
    }
    const ticket = await api<{ error: { code: string } }>(c.instances[0]!, 'POST', '/api/tickets', {
      token: c.owner.token,
      body: { room },
    });
    expect(ticket.status).toBe(503);
    expect(ticket.body.error.code).toBe('unavailable');

    await startPostgresAgain(c.servicesDir);
    down = null;
    for (const instance of c.instances) {
      await waitFor(async () => (await fetch(`${instance.url}/health`)).ok, 10_000, `${instance.name} not healthy`);
    }
    await sleep(1_000);
    await converged(docs, await writes.stop());
    expect(stateOf(await freshLoad(c, room))).toBe(stateOf(docs[0]!));
    expect(c.alive()).toHaveLength(4);
  });
});
