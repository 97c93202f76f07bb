/**
 * The README's nginx configuration in front of three instances on PostgreSQL and Redis, with stock y-websocket
 * clients that only know nginx's address: the REST API answers through it, every client of a room meets on one
 * instance whatever its single-use ticket (the hash is on the path), different rooms spread, and when the
 * instance holding a room is killed its clients come back through nginx (fresh tickets) on one other instance
 * without losing anything. With nginx's address in PIZHU_TRUSTED_PROXIES, as the README says, failed joins are
 * counted per client behind it, not for everyone at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { annotationIdsOf, roomIdFor } from '../../../shared/model/index.ts';
import { annotation, authorOf, writeOwn } from '../server/fixtures.ts';
import { api, connectProvider, waitFor } from '../server/helpers.ts';
import { type Cluster, type Instance, kill, startCluster } from './cluster.ts';
import { type NginxProxy, startReadmeNginx } from './nginx.ts';
import { converged, steadyWrites } from './writers.ts';

let cluster: Cluster | null = null;
let proxy: NginxProxy | null = null;
let providers: WebsocketProvider[] = [];

afterEach(async () => {
  for (const provider of providers) provider.destroy();
  providers = [];
  await proxy?.stop();
  proxy = null;
  await cluster?.stop();
  cluster = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** nginx runs on this machine: the instances trust its address, as the README tells a deployment to. */
async function setUp(env: NodeJS.ProcessEnv = {}): Promise<{ c: Cluster; nginx: NginxProxy }> {
  cluster = await startCluster(3, { PIZHU_TRUSTED_PROXIES: '127.0.0.1', ...env });
  proxy = await startReadmeNginx(cluster.instances);
  return { c: cluster, nginx: proxy };
}

/** Open WebSockets on each live instance, read from its own /metrics (not through nginx). */
async function connectionsByInstance(c: Cluster): Promise<Map<Instance, number>> {
  const counts = new Map<Instance, number>();
  for (const instance of c.alive()) {
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    const value = /^pizhu_connections (\d+)/m.exec(text)?.[1];
    if (value === undefined) throw new Error(`no pizhu_connections in ${instance.name}'s metrics`);
    counts.set(instance, Number(value));
  }
  return counts;
}

/** The instances holding at least one connection. */
async function holders(c: Cluster): Promise<Instance[]> {
  return [...(await connectionsByInstance(c))].filter(([, count]) => count > 0).map(([instance]) => instance);
}

/** `count` clients of one room, each connecting through nginx with a ticket fetched through nginx. */
async function clientsThrough(nginx: NginxProxy, c: Cluster, documentKey: string, count: number) {
  const room = roomIdFor(c.teamId, documentKey);
  const docs: Y.Doc[] = [];
  for (let i = 0; i < count; i++) {
    const doc = new Y.Doc();
    providers.push(await connectProvider(nginx, c.owner.token, room, doc));
    docs.push(doc);
  }
  return docs;
}

function write(c: Cluster, doc: Y.Doc, documentKey: string, id: string): void {
  writeOwn(doc, annotation(id, c.teamId, documentKey, { author: authorOf(c.owner), note: id }));
}

describe("the README's nginx configuration in front of three instances", () => {
  it('sends every client of a room to one instance and spreads rooms; REST answers through it', async () => {
    const { c, nginx } = await setUp();
    const docs = await clientsThrough(nginx, c, 'routed', 4);
    const [holder, ...others] = await holders(c);
    expect(others.map((instance) => instance.name)).toEqual([]);
    expect((await connectionsByInstance(c)).get(holder!)).toBe(4);
    for (const [i, doc] of docs.entries()) write(c, doc, 'routed', `routed-${i}`);
    await waitFor(
      () => docs.every((doc) => annotationIdsOf(doc).length === 4),
      10_000,
      'the clients of the room did not converge',
    );

    // The REST API through nginx (least_conn: any instance) lists what the clients wrote.
    await waitFor(async () => {
      const res = await api<{ annotations: unknown[] }>(
        nginx,
        'GET',
        `/api/teams/${c.teamId}/annotations?document=routed`,
        { token: c.owner.token },
      );
      expect(res.status).toBe(200);
      return res.body.annotations.length === 4;
    }, 5_000);

    // Twelve more rooms, one client each: the hash puts them on more than one instance.
    for (let r = 0; r < 12; r++) await clientsThrough(nginx, c, `spread-${r}`, 1);
    const counts = await connectionsByInstance(c);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(16);
    expect([...counts.values()].filter((count) => count > 0).length).toBeGreaterThan(1);
  });

  it("moves a room's clients to one other instance when theirs is killed, and loses nothing", async () => {
    const { c, nginx } = await setUp();
    const docs = await clientsThrough(nginx, c, 'failover', 4);
    const [victim] = await holders(c);
    const writes = steadyWrites(c, docs, 'failover');
    await waitFor(() => writes.written.length > 200, 10_000, 'too few writes');
    await kill(victim!);
    await sleep(1_500);
    await converged(docs, await writes.stop());
    const after = await connectionsByInstance(c);
    const [survivor, ...more] = [...after].filter(([, count]) => count > 0).map(([instance]) => instance);
    expect(more.map((instance) => instance.name)).toEqual([]);
    expect(survivor?.name).not.toBe(victim?.name);
    expect(after.get(survivor!)).toBe(4);
  });

  it('counts failed joins per client behind it, and keeps /metrics to the instances', async () => {
    const { c, nginx } = await setUp({ PIZHU_JOIN_ATTEMPTS_PER_MINUTE: '3' });
    const invite = await api<{ inviteCode: string }>(nginx, 'POST', `/api/teams/${c.teamId}/invites`, {
      token: c.owner.token,
      body: {},
    });
    expect(invite.status).toBe(201);
    // What each client's own network put in the header; nginx appends the address it saw (127.0.0.1, trusted).
    const joinFrom = (client: string, inviteCode: string) =>
      api(nginx, 'POST', '/api/join', {
        headers: { 'x-forwarded-for': client },
        body: { inviteCode, displayName: 'Guest' },
      }).then((res) => res.status);

    const guesses = [];
    for (let i = 0; i < 5; i++) guesses.push(await joinFrom('203.0.113.5', `WRONG-${i}000`));
    expect(guesses).toEqual([404, 404, 404, 429, 429]);
    // Another official behind the same nginx is not locked out by the guesser.
    expect(await joinFrom('203.0.113.6', 'WRONG-9000')).toBe(404);
    expect(await joinFrom('203.0.113.6', invite.body.inviteCode)).toBe(201);

    expect((await fetch(`${nginx.url}/metrics`)).status).toBe(403);
    expect((await fetch(`${c.instances[0]!.url}/metrics`)).status).toBe(200);
  });
});
