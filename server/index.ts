/**
 * The sync server as a library: `startServer(options)` opens the stores (PostgreSQL when `databaseUrl` is set,
 * else the SQLite file in `dataDir`), listens on
 * host:port (port 0 = any free port) and resolves with the URL and a `close()`. Used by the CLI (main.ts), the
 * integration tests and the extension's end-to-end tests.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { CLOSE_CODES } from '../shared/protocol/api.ts';
import { ClientAddresses } from './auth/client-address.ts';
import { originChecker } from './auth/origin.ts';
import { TeamService } from './auth/team-service.ts';
import { ConfigError, resolveConfig, type ServerConfig, type ServerOptions } from './config.ts';
import { LocalFanout } from './fanout/local.ts';
import { RedisFanout } from './fanout/redis.ts';
import type { Fanout } from './fanout/types.ts';
import { CostMeter } from './guard/cost-meter.ts';
import { type DeploymentLimits, LocalLimits, RedisLimits } from './guard/deployment-limits.ts';
import { HttpGuard } from './guard/http-guard.ts';
import { MemoryBudget } from './guard/memory-budget.ts';
import { Refusals } from './guard/refusals.ts';
import { UpdateGuard } from './guard/update-guard.ts';
import { UnitMembership } from './guard/unit-membership.ts';
import { UpdatePolicy } from './guard/update-policy.ts';
import { createApp } from './http/app.ts';
import type { ServerContext } from './http/context.ts';
import { closeRevokedSockets } from './http/routes-team.ts';
import type { TaskQueries } from './index-db/tasks-index.ts';
import type { AnnotationQueries } from './index-db/types.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { openStores } from './storage/open-stores.ts';
import { ConnectionTracker } from './sync/connections.ts';
import { RoomRegistry } from './sync/registry.ts';

export { ConfigError } from './config.ts';
export type { ServerConfig, ServerOptions } from './config.ts';

export type StartOptions = ServerOptions & {
  /** Share one fan-out between several instances in one process (tests of the scale-out seam). */
  fanout?: Fanout;
  logger?: Logger;
};

export type PizhuServer = {
  /** http://host:port */
  url: string;
  /** ws://host:port/sync: the base URL for `new WebsocketProvider(wsUrl, room, doc, { params: { ticket } })` */
  wsUrl: string;
  host: string;
  port: number;
  config: ServerConfig;
  /** Where the data lives: the data folder, or the PostgreSQL URL without its password. */
  dataLocation: string;
  /** Teams, invites, tokens: what the CLI does, for tests. */
  teams: TeamService;
  /** The query index (e.g. `teamAnnotations(teamId)` for a briefing). */
  queries: AnnotationQueries;
  /** Tasks, progress and units in the query index. */
  taskQueries: TaskQueries;
  metrics: Metrics;
  /** Rooms loaded in memory (for tests and the benchmark). */
  roomsLoaded(): number;
  /** Closes sockets (1001), finishes appends, compacts loaded rooms, closes the database. */
  close(): Promise<void>;
};

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new ConfigError(`Port ${port} on ${host} is already in use; stop the other process or set PORT`));
      } else if (error.code === 'EACCES') {
        reject(new ConfigError(`Not allowed to listen on ${host}:${port}; pick a PORT above 1023`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new ConfigError(`HOST "${host}" is not an address of this machine`));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startServer(options: StartOptions = {}): Promise<PizhuServer> {
  const config = resolveConfig(options);
  const log = options.logger ?? createLogger({ level: config.logLevel, linesPerMinute: config.logLinesPerMinute });
  if (config.databaseUrl && !config.redisUrl && !options.fanout) {
    throw new ConfigError(
      'DATABASE_URL is set but REDIS_URL is not: instances sharing PostgreSQL would not hear each other. Set ' +
        'REDIS_URL=redis://host:port (a single instance may point it at its own Redis), or unset DATABASE_URL ' +
        'to use the embedded SQLite in DATA_DIR',
    );
  }
  // Instances sharing a fan-out (the scale-out seam) share the database on purpose; a lone server owns its folder.
  const stores = await openStores(config, { log, lockDataDir: !options.fanout, serving: true });
  const { updates, index } = stores;
  // Redis keys are named after the database, so deployments sharing one Redis never see each other's keys.
  const redisNamespace = `pizhu:${updates.instanceId}`;
  let fanout: Fanout;
  try {
    // An instance that cannot reach Redis must not start: it would not hear the others.
    fanout = options.fanout ?? (await connectFanout(config, redisNamespace, log));
  } catch (error) {
    await stores.close();
    throw error;
  }
  const teams = new TeamService(stores.teams, {
    ticketTtlMs: config.timings.ticketTtlMs,
    inviteTtlMs: config.timings.inviteTtlMs,
    inviteMaxUses: config.limits.inviteMaxUses,
    maxMembersPerTeam: config.limits.maxMembersPerTeam,
  });
  const metrics = new Metrics();
  const refusals = new Refusals(metrics, log);
  const memory = new MemoryBudget(config.limits);
  const cost = new CostMeter({
    budgetMs: config.limits.memberCpuBudgetMs,
    msPerSecond: config.limits.memberCpuMsPerSecond,
    throttleMs: config.timings.throttleMs,
  });
  const { tasks } = stores;
  const membership = new UnitMembership({
    memberUnit: (memberId) => teams.store.memberUnitNow(memberId),
    teamUnits: (teamId) => tasks.unitsNow(teamId),
    prepareTeam: (teamId) => tasks.prepareUnits(teamId),
  });
  const guard = new UpdateGuard(config.limits, new UpdatePolicy(stores.owners, config.limits), memory, membership);
  const registry = new RoomRegistry(
    { store: updates, index, fanout, fanoutSource: Symbol('instance'), config, metrics, log, guard },
    log,
    memory,
    refusals,
  );
  guard.onMemoryPressure = () => registry.releaseIdleDocuments();
  const clientAddresses = new ClientAddresses(config.trustedProxies);
  const httpGuard = new HttpGuard(config.limits, clientAddresses, metrics, log);
  const socketCaps = { perMember: config.limits.connectionsPerMember, perTeam: config.limits.maxSocketsPerTeam };
  const limits: DeploymentLimits = config.redisUrl
    ? new RedisLimits(config.redisUrl, redisNamespace, socketCaps, config.limits.joinAttemptsPerMinute, log)
    : new LocalLimits(socketCaps, config.limits.joinAttemptsPerMinute);
  const connections = new ConnectionTracker();
  const ctx: ServerContext = {
    config,
    teams,
    updates,
    index,
    tasks,
    registry,
    connections,
    metrics,
    log,
    originAllowed: originChecker(config.allowedOrigins),
    clientAddresses,
    limits,
    health: stores.health,
    cost,
    memory,
    refusals,
    httpGuard,
  };
  metrics.gauge('pizhu_connections', 'Open WebSocket connections.', () => connections.size);
  metrics.gauge('pizhu_rooms_loaded', 'Rooms held in memory.', () => registry.loadedCount);
  metrics.gauge('pizhu_rooms_decoded', 'Loaded rooms with a decoded Y.Doc.', () => registry.materialisedCount);
  metrics.gauge('pizhu_bytes_stored', 'Bytes of stored updates, all rooms.', () => updates.totalBytes());
  metrics.gauge('pizhu_outbound_bytes', 'Bytes queued for sending, all sockets.', () => memory.outboundBytes);
  metrics.gauge('pizhu_decoded_bytes', 'Estimated heap of the decoded room documents.', () => memory.decodedBytes);
  metrics.gauge('pizhu_resident_memory_bytes', 'Resident memory of the process.', () => memory.rssBytes);
  if (config.redisUrl) {
    metrics.gauge(
      'pizhu_redis_reachable',
      'Whether this instance reaches Redis (fan-out and deployment-wide limits): 0 while it cannot, when updates of other instances arrive only through the head check and sockets are counted by this instance alone.',
      () => (fanout.reachable && limits.shared ? 1 : 0),
    );
  }

  const app = createApp(ctx);
  // maxPayload: the ws default (100 MiB) would let one client make the server buffer 100 MiB per message.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.limits.maxMessageBytes });
  const server = createAdaptorServer({
    fetch: app.fetch,
    websocket: { server: wss },
    hostname: config.host,
    serverOptions: HttpGuard.serverOptions(config.timings),
  }) as Server;
  httpGuard.attach(server, config.timings);

  let address: AddressInfo;
  try {
    address = await listen(server, config.port, config.host);
  } catch (error) {
    await stores.close();
    throw error;
  }

  const timers = [
    setInterval(() => {
      registry.sweep().catch((error) => log.error('sweep', 'housekeeping failed', error));
      teams.deleteExpiredTickets().catch(() => {});
      cost.sweep();
    }, config.timings.sweepMs),
    setInterval(() => connections.heartbeat(), config.timings.pingIntervalMs),
    setInterval(() => {
      // Several instances: stream entries can be lost; the store says which held rooms are behind.
      if (config.redisUrl) registry.checkHeads().catch((error) => log.error('fanout', 'checking room heads', error));
    }, config.timings.fanoutCheckMs),
    setInterval(() => {
      closeRevokedSockets(ctx).catch((error) => log.error('revocation', 'checking tokens failed', error));
    }, config.timings.revocationCheckMs),
  ];
  for (const timer of timers) timer.unref();

  void reindexStaleRooms(ctx);

  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    wsUrl: `ws://${host}:${address.port}/sync`,
    host: config.host,
    port: address.port,
    config,
    dataLocation: stores.location,
    teams,
    queries: index,
    taskQueries: tasks,
    metrics,
    roomsLoaded: () => registry.loadedCount,
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        connections.closeAll(CLOSE_CODES.shuttingDown, 'server shutting down');
        await registry.close();
        await index.flush();
        await waitForSockets(wss, 500);
        server.closeAllConnections?.();
        await serverClosed;
        await fanout.close();
        await limits.close();
        await stores.close();
      })();
      return closing;
    },
  };
}

function connectFanout(config: ServerConfig, namespace: string, log: Logger): Promise<Fanout> {
  if (!config.redisUrl) return Promise.resolve(new LocalFanout());
  return RedisFanout.connect({
    url: config.redisUrl,
    namespace,
    streamMaxLength: config.limits.fanoutStreamLength,
    dropRatio: config.fanoutDropRatio,
    log,
  }).catch((error) => {
    throw new ConfigError((error as Error).message);
  });
}

/** Gives clients a moment to answer the close handshake, then cuts the rest. */
async function waitForSockets(wss: WebSocketServer, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const socket of wss.clients) socket.terminate();
}

/** After a crash the index may lag behind the stored updates: rebuild those rooms' rows in the background. */
async function reindexStaleRooms(ctx: ServerContext): Promise<void> {
  try {
    for (const head of await ctx.updates.allHeads()) {
      if ((await ctx.index.through(head.roomId)) >= head.lastSeq) continue;
      // Loading a room re-indexes it when its index lags; release lets it unload when idle.
      const room = await ctx.registry.acquire(head.roomId);
      ctx.registry.release(room);
    }
  } catch (error) {
    ctx.log.error('reindex', 'rebuilding the query index after a restart failed', error);
  }
}
