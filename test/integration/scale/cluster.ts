/**
 * Several real server processes (`node dist/server/main.js`) on one PostgreSQL and one Redis started by
 * scripts/services.mjs, and y-websocket clients that move to another instance when theirs dies, as a client
 * behind a load balancer does: a fresh ticket from the instance it reconnects to.
 */
import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import type { JoinResponse } from '../../../shared/protocol/api.ts';
import { exited, type ServerProcess, startServerProcess } from '../../server-process.ts';
import { metric } from '../guard/server-process.ts';
import { acquireServices, freshDatabase, releaseServices } from '../../server/services.ts';
import { api, join, tempDir, ticketFor, waitFor } from '../server/helpers.ts';

export type Instance = ServerProcess & { name: string };

export type Cluster = {
  instances: Instance[];
  databaseUrl: string;
  redisUrl: string;
  /** The folder of the PostgreSQL and Redis the instances use (scripts/services.mjs), to stop and start them. */
  servicesDir: string;
  teamId: string;
  owner: JoinResponse;
  /** Starts one more instance on the same database and Redis. */
  add(name: string, env?: NodeJS.ProcessEnv): Promise<Instance>;
  alive(): Instance[];
  stop(): Promise<void>;
};

/**
 * Starts `count` instances; the first creates the team (first start) and the others start after it. Every
 * instance gets the same `env` on top of DATABASE_URL and REDIS_URL.
 */
export async function startCluster(count: number, env: NodeJS.ProcessEnv = {}): Promise<Cluster> {
  const services = await acquireServices();
  const databaseUrl = await freshDatabase(services.databaseUrl);
  const dataDir = tempDir('pizhu-cluster-');
  const instances: Instance[] = [];
  const base = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: services.redisUrl,
    DATA_DIR: dataDir,
    PIZHU_CONNECTIONS_PER_MEMBER: '500',
    ...env,
  };
  const add = async (name: string, extra: NodeJS.ProcessEnv = {}) => {
    const instance = Object.assign(await startServerProcess({ ...base, ...extra }), { name });
    instances.push(instance);
    return instance;
  };
  const first = await add('A');
  const invite = /Invite code: (\S+)/.exec(first.output())?.[1];
  if (!invite) throw new Error(`the first instance created no team:\n${first.output()}`);
  await Promise.all(Array.from({ length: count - 1 }, (_, i) => add(String.fromCharCode(66 + i))));
  const owner = await join(first, invite, 'Owner');
  return {
    instances,
    databaseUrl,
    redisUrl: services.redisUrl,
    servicesDir: services.dir,
    teamId: owner.teamId,
    owner,
    add,
    alive: () => instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null),
    async stop() {
      for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill('SIGTERM');
      await Promise.all(instances.map((instance) => exited(instance.child)));
      rmSync(dataDir, { recursive: true, force: true });
      await releaseServices();
    },
  };
}

/** Kills an instance with SIGKILL and waits for it to be gone. */
export async function kill(instance: Instance): Promise<void> {
  instance.child.kill('SIGKILL');
  await exited(instance.child);
}

/**
 * A stock y-websocket client on `instance`. When its socket closes it fetches a fresh ticket (single use) from
 * its instance if that is still up, else from the next live one, and reconnects there.
 */
export async function roamingProvider(
  cluster: Cluster,
  instance: Instance,
  room: string,
  doc: Y.Doc,
): Promise<WebsocketProvider & { instance: Instance }> {
  const token = cluster.owner.token;
  const provider = new WebsocketProvider(instance.wsUrl, room, doc, {
    params: { ticket: await ticketFor(instance, token, room) },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  }) as WebsocketProvider & { instance: Instance };
  provider.instance = instance;
  const reconnect = async () => {
    for (;;) {
      if (!provider.shouldConnectAgain) return;
      const alive = cluster.alive();
      const next = alive.includes(provider.instance) ? provider.instance : alive[0];
      if (next) {
        try {
          provider.params = { ticket: await ticketFor(next, token, room) };
          provider.serverUrl = next.wsUrl;
          provider.instance = next;
          provider.shouldConnect = true;
          if (!provider.wsconnected && !provider.wsconnecting) provider.connect();
          return;
        } catch {
          // that instance is going away too: try again
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  provider.shouldConnectAgain = true;
  provider.on('connection-close', (event) => {
    if (!provider.shouldConnectAgain || (event && event.code >= 4400 && event.code < 4500)) return;
    provider.shouldConnect = false; // until a fresh ticket is in hand
    void reconnect();
  });
  await waitFor(() => provider.synced, 15_000, `provider for ${room} on ${instance.name} never synced`);
  return provider;
}

declare module 'y-websocket' {
  interface WebsocketProvider {
    /** Set by roamingProvider: false once the test is done with the client. */
    shouldConnectAgain?: boolean;
  }
}

export function stopProvider(provider: WebsocketProvider): void {
  provider.shouldConnectAgain = false;
  provider.destroy();
}

/** Annotation ids the team's query index on `instance` lists for a document. */
export async function indexedIds(instance: Instance, teamId: string, documentKey: string, token: string) {
  const res = await api<{ annotations: { id: string }[] }>(
    instance,
    'GET',
    `/api/teams/${teamId}/annotations?document=${encodeURIComponent(documentKey)}&limit=500`,
    { token },
  );
  if (res.status !== 200) throw new Error(`annotations on ${instance.name}: ${res.status}`);
  return res.body.annotations.map((a) => a.id);
}

/** Updates of other instances applied, summed over the running instances, by how they came (`/metrics`). */
export async function remoteUpdates(cluster: Cluster, via: 'fanout' | 'store'): Promise<number> {
  const counts = await Promise.all(
    cluster.alive().map((instance) => metric(instance, 'pizhu_remote_updates_total', `{via="${via}"}`)),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
