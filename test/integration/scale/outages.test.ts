/**
 * PostgreSQL and Redis going away under three instances and coming back while clients write all along, as in an
 * upgrade or a failover. Redis is only the fast path: while it is down, rooms still converge from PostgreSQL
 * (each instance asks the store which held rooms are behind), and a new socket is still taken (its slot counted
 * by its instance until Redis is back). PostgreSQL is the record: while it is down nothing is
 * accepted, /health and the API say 503, and once it is back every client converges on everything written.
 * No instance exits either way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { killRedis, startPostgresAgain, startRedisAgain, stopPostgresNow } from '../../../scripts/services.mjs';
import { roomIdFor } from '../../../shared/model/index.ts';
import { metric } from '../guard/server-process.ts';
import { api, waitFor } from '../server/helpers.ts';
import { type Cluster, remoteUpdates, roamingProvider, startCluster, stopProvider } from './cluster.ts';
import { converged, freshLoad, holdsAll, stateOf, steadyWrites } from './writers.ts';

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
  it('keeps rooms converging from PostgreSQL while Redis is down, new sockets included', async () => {
    cluster = await startCluster(3);
    const c = cluster;
    const { room, docs, writes } = await writingClients(c, 'redis-outage');
    await sleep(500);
    // What an operator watches: Redis reached, the others' updates coming through it.
    for (const instance of c.instances) expect(await metric(instance, 'pizhu_redis_reachable')).toBe(1);
    expect(await remoteUpdates(c, 'fanout')).toBeGreaterThan(0);
    const fromStoreBefore = await remoteUpdates(c, 'store');
    await killRedis(c.servicesDir);
    down = 'redis';
    await sleep(500);
    for (const instance of c.instances) expect(await metric(instance, 'pizhu_redis_reachable')).toBe(0);

    // Redis is down: what was written by now reaches every client on every instance through the store.
    const beforeCheck = writes.written.slice();
    await waitFor(
      () => docs.every((doc) => holdsAll(doc, beforeCheck)),
      10_000,
      'clients did not converge without Redis',
    );
    expect(await remoteUpdates(c, 'store')).toBeGreaterThan(fromStoreBefore);
    // An official opening the page now still gets a socket (its slot counted by the instance alone), and with
    // it everything written so far; joining is refused meanwhile (failed joins cannot be counted).
    const late = new Y.Doc();
    providers.push(await roamingProvider(c, c.instances[1]!, room, late));
    await waitFor(() => holdsAll(late, beforeCheck), 10_000, 'a socket opened without Redis did not sync');
    const join = await api<{ error: { code: string } }>(c.instances[0]!, 'POST', '/api/join', {
      body: { inviteCode: 'XXXX-XXXX', displayName: 'guesser' },
    });
    expect(join.status).toBe(503);
    expect(join.body.error.code).toBe('unavailable');

    await startRedisAgain(c.servicesDir);
    down = null;
    for (const instance of c.instances) {
      await waitFor(
        async () => (await metric(instance, 'pizhu_redis_reachable')) === 1,
        10_000,
        'Redis not reached again',
      );
    }
    await sleep(500);
    await converged([...docs, late], await writes.stop());
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
