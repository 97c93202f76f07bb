/**
 * The sync server as a library: `startServer(options)` opens the SQLite file in `dataDir`, listens on
 * host:port (port 0 = any free port) and resolves with the URL and a `close()`. Used by the CLI (main.ts), the
 * integration tests and the extension's end-to-end tests.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { CLOSE_CODES } from '../shared/protocol/api.ts';
import { AttemptLimiter } from './auth/attempts.ts';
import { originChecker } from './auth/origin.ts';
import { TeamService } from './auth/team-service.ts';
import { ConfigError, resolveConfig, type ServerConfig, type ServerOptions } from './config.ts';
import { LocalFanout } from './fanout/local.ts';
import type { Fanout } from './fanout/types.ts';
import { SqliteClientOwners } from './guard/client-owners.ts';
import { CostMeter } from './guard/cost-meter.ts';
import { HttpGuard } from './guard/http-guard.ts';
import { MemoryBudget } from './guard/memory-budget.ts';
import { Refusals } from './guard/refusals.ts';
import { UpdateGuard } from './guard/update-guard.ts';
import { UnitMembership } from './guard/unit-membership.ts';
import { UpdatePolicy } from './guard/update-policy.ts';
import { createApp } from './http/app.ts';
import type { ServerContext } from './http/context.ts';
import { closeRevokedSockets } from './http/routes-team.ts';
import { SqliteAnnotationIndex } from './index-db/sqlite-index.ts';
import type { TaskQueries } from './index-db/tasks-index.ts';
import type { AnnotationQueries } from './index-db/types.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { lockDataDir } from './storage/data-dir-lock.ts';
import { StorageHealth } from './storage/health.ts';
import { openDatabase, type SqliteHandle } from './storage/sqlite-db.ts';
import { WalCheckpointer } from './storage/wal-checkpointer.ts';
import { SqliteTeamStore } from './storage/sqlite-teams.ts';
import { SqliteUpdateStore } from './storage/sqlite-updates.ts';
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
  // Instances sharing a fan-out (the scale-out seam) share the database on purpose; a lone server owns its folder.
  const lock = options.fanout ? null : lockDataDir(config.dataDir);
  let db: SqliteHandle;
  try {
    db = openDatabase(config.dataDir, config.sqliteSynchronous);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const updates = new SqliteUpdateStore(db);
  const checkpointer = new WalCheckpointer(db, {
    intervalMs: config.timings.checkpointMs,
    onError: (error) => log.error('storage', 'checkpointing the write-ahead log', error),
  });
  const index = new SqliteAnnotationIndex(db, (error) => log.error('index', 'writing the query index failed', error));
  const teams = new TeamService(new SqliteTeamStore(db), {
    ticketTtlMs: config.timings.ticketTtlMs,
    inviteTtlMs: config.timings.inviteTtlMs,
    inviteMaxUses: config.limits.inviteMaxUses,
    maxMembersPerTeam: config.limits.maxMembersPerTeam,
  });
  const metrics = new Metrics();
  const fanout = options.fanout ?? new LocalFanout();
  const refusals = new Refusals(metrics, log);
  const memory = new MemoryBudget(config.limits);
  const cost = new CostMeter({
    budgetMs: config.limits.memberCpuBudgetMs,
    msPerSecond: config.limits.memberCpuMsPerSecond,
    throttleMs: config.timings.throttleMs,
  });
  const membership = new UnitMembership({
    memberUnit: (memberId) => teams.store.memberUnitNow(memberId),
    teamUnits: (teamId) => index.tasks.unitsNow(teamId),
  });
  const guard = new UpdateGuard(
    config.limits,
    new UpdatePolicy(new SqliteClientOwners(db), config.limits),
    memory,
    membership,
  );
  const registry = new RoomRegistry(
    { store: updates, index, fanout, fanoutSource: Symbol('instance'), config, metrics, log, guard },
    log,
    memory,
    refusals,
  );
  guard.onMemoryPressure = () => registry.releaseIdleDocuments();
  const httpGuard = new HttpGuard(config.limits, metrics, log);
  const connections = new ConnectionTracker();
  const ctx: ServerContext = {
    config,
    teams,
    updates,
    index,
    tasks: index.tasks,
    registry,
    connections,
    metrics,
    log,
    originAllowed: originChecker(config.allowedOrigins),
    joinAttempts: new AttemptLimiter(config.limits.joinAttemptsPerMinute),
    health: new StorageHealth(db, config.dataDir, config.limits.minFreeDiskBytes, log),
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
    await checkpointer.close();
    db.close();
    lock?.release();
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
    teams,
    queries: index,
    taskQueries: index.tasks,
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
        await checkpointer.close();
        db.close();
        lock?.release();
      })();
      return closing;
    },
  };
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
      if ((await ctx.index.through(head.roomId)) >= head.lastId) continue;
      // Loading a room re-indexes it when its index lags; release lets it unload when idle.
      const room = await ctx.registry.acquire(head.roomId);
      ctx.registry.release(room);
    }
  } catch (error) {
    ctx.log.error('reindex', 'rebuilding the query index after a restart failed', error);
  }
}
