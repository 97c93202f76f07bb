/**
 * Every setting and limit of the sync server in one documented place, with a safe default each.
 * `configFromEnv` reads the environment (HOST, PORT, DATA_DIR, ALLOWED_ORIGINS, PIZHU_*), `resolveConfig` merges
 * programmatic options (tests, the extension's e2e tests) over the defaults. Bad values throw a ConfigError with
 * one readable line.
 */
import path from 'node:path';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Limits = {
  /** Largest WebSocket message accepted (ws `maxPayload`); larger frames close the socket with 1009. */
  maxMessageBytes: number;
  /** Sustained messages per second per connection (token bucket) ... */
  messagesPerSecond: number;
  /** ... and the burst allowed on top; exceeding closes with CLOSE_CODES.rateLimited (client retries later). */
  messageBurst: number;
  /** Stored size of one room; an update that would grow it past this is refused (CLOSE_CODES.roomFull). */
  maxRoomBytes: number;
  /** Open WebSockets per member across all rooms; more are refused at upgrade with 429. */
  connectionsPerMember: number;
  /** Messages held for a socket whose room is still loading; beyond this the socket is closed. */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  /** A subscriber whose unsent backlog (ws bufferedAmount) passes this is closed (CLOSE_CODES.slowConsumer). */
  maxBufferedBytes: number;
  /** One presence (awareness) state as JSON, and how many presence clients one socket may announce. */
  maxPresenceStateBytes: number;
  maxPresenceClientsPerConnection: number;
  /** Rooms held in memory at once; new rooms beyond this are refused with 503 / CLOSE_CODES.unavailable. */
  maxLoadedRooms: number;
  /** JSON request bodies: ordinary endpoints, and the bulk sync / push endpoints. */
  maxJsonBodyBytes: number;
  maxBulkBodyBytes: number;
  /** Bulk catch-up stops adding rooms once its response reaches this size and says `more: true`. */
  maxBulkResponseBytes: number;
  /** Failed joins (wrong invite code) per client address per minute before 429. */
  joinAttemptsPerMinute: number;
  /** Uses of an invite code when its creator sets none (owner invites: 1); then joining answers 410 invite_used_up. */
  inviteMaxUses: number;
  /** Free space on the disk of DATA_DIR below which GET /health answers 503 (disk_full). */
  minFreeDiskBytes: number;
  /**
   * What one update may hold before it is applied (server/guard/update-shape.ts); past any of these it is refused
   * with CLOSE_CODES.tooCostly. Structs (items and deleted ranges) ...
   */
  maxStructsPerUpdate: number;
  /** ... distinct client ids among them ... */
  maxClientsPerUpdate: number;
  /** ... ranges in its delete set ... */
  maxDeleteRangesPerUpdate: number;
  /** ... JSON values inside its items (every element, field and array entry) ... */
  maxValuesPerUpdate: number;
  /** ... items competing for one insertion point (Yjs resolves them against each other, quadratic in their number) ... */
  maxItemsPerInsertionPoint: number;
  /** ... its estimated heap once applied, as a multiple of its size, once that estimate passes the floor ... */
  maxDecodedRatio: number;
  decodedRatioFloorBytes: number;
  /** ... and the items already in the room its items must be ordered against (concurrent edits at one place). */
  maxConflictsPerUpdate: number;
  /** Updates larger than this are scanned with a bounded walk before Yjs decodes them (update-scan.ts). */
  scanUpdatesOverBytes: number;
  /** Parts of a socket's updates held for missing dependencies (pendingTimeoutMs); more closes the socket. */
  maxHeldBytes: number;
  /**
   * Processor time one member may use: handling their messages and pushes is metered; the budget holds this many
   * milliseconds and refills at memberCpuMsPerSecond. Exceeding it closes their sockets with
   * CLOSE_CODES.throttled and refuses their sockets and pushes (429) for throttleMs.
   */
  memberCpuBudgetMs: number;
  memberCpuMsPerSecond: number;
  /** Bytes queued for sending across all sockets; past this, a socket that is behind is closed (slowConsumer). */
  maxOutboundBytes: number;
  /** Estimated heap of every decoded room document together; past this, writes that need more wait (4503). */
  maxDecodedBytes: number;
  /** Resident memory ceiling: above it the server refuses what would grow it (loads, writes, sockets: 503/4503). */
  maxRssBytes: number;
  /** Per team: rooms held in memory, members, open sockets. */
  maxRoomsPerTeam: number;
  maxMembersPerTeam: number;
  maxSocketsPerTeam: number;
  /** Open TCP connections in all (Node's server.maxConnections; keep it below the open-file limit) ... */
  maxConnections: number;
  /** ... and per client address, not counting authenticated WebSockets. */
  maxConnectionsPerAddress: number;
};

export type Timings = {
  /** How long a WebSocket ticket is valid (single use). */
  ticketTtlMs: number;
  /** How long an invite code is valid when its creator sets no expiry; then joining answers 410 invite_expired. */
  inviteTtlMs: number;
  /** A room without connections stays loaded this long, then is compacted and unloaded. */
  roomIdleMs: number;
  /** A loaded room nobody wrote to for this long drops its decoded Y.Doc and keeps only the encoded state. */
  docIdleMs: number;
  /** Presence of a client not renewed for this long is removed (y-protocols renews every 15 s). */
  presenceTimeoutMs: number;
  /**
   * A socket's update whose dependencies are missing is held (never stored or sent) this long for them to
   * arrive: a y-websocket client may send a live edit before its sync step 2 carries the offline edits it
   * builds on. Still missing after this, the socket is closed (CLOSE_CODES.malformed).
   */
  pendingTimeoutMs: number;
  /** How often open sockets are checked against revoked tokens and removed members. */
  revocationCheckMs: number;
  /** Housekeeping sweep: idle rooms, stale presence, expired tickets. */
  sweepMs: number;
  /** How often a worker thread copies SQLite's write-ahead log into the database file (see wal-checkpointer.ts). */
  checkpointMs: number;
  /** How long a member who used up their time budget stays refused. */
  throttleMs: number;
  /** HTTP: the request headers must arrive within this (slowloris), the whole request within requestTimeoutMs. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** An HTTP connection with no traffic for this long is closed (kept-alive idle connections: keepAliveMs). */
  idleConnectionMs: number;
  keepAliveMs: number;
  /** WebSocket ping interval; a socket that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
};

export type Compaction = {
  /** Merge a room's update rows into one once it has this many rows ... */
  afterUpdates: number;
  /** ... or its rows add up to this many bytes. */
  afterBytes: number;
};

export type ServerConfig = {
  host: string;
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /**
   * Browser origins allowed to call the API and open WebSockets. `*` at the end of an entry matches any suffix
   * (`chrome-extension://*`). Requests without an Origin header (non-browser clients) are always allowed.
   */
  allowedOrigins: string[];
  /**
   * How durable an append is. NORMAL: each update's SQLite commit (WAL mode) reaches the OS before it returns,
   * so a crashed or killed process loses nothing it acknowledged; only a power loss or kernel crash can lose the
   * last ones. FULL: also fsyncs the WAL on every commit (survives power loss, slower).
   */
  sqliteSynchronous: 'NORMAL' | 'FULL';
  limits: Limits;
  timings: Timings;
  compaction: Compaction;
  /** Log lines of one kind allowed per minute before they are summarised. */
  logLinesPerMinute: number;
  /** 'silent' for benchmarks and tests that expect noise. */
  logLevel: 'info' | 'warn' | 'silent';
  /** The language of what the server names itself: the first team's default name. */
  locale: ServerLocale;
  /** Name given to the team created on first start when no team exists yet (CLI only); default by `locale`. */
  firstTeamName?: string;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`; unset, metrics are open (the server
   * listens on loopback by default). */
  metricsToken?: string;
};

const MiB = 1024 * 1024;

export const SERVER_LOCALES = ['zh-CN', 'en'] as const;
export type ServerLocale = (typeof SERVER_LOCALES)[number];

/** The first team's name when PIZHU_FIRST_TEAM_NAME is not set. */
export const FIRST_TEAM_NAMES: Record<ServerLocale, string> = { 'zh-CN': '我的团队', en: 'My team' };

export function firstTeamName(config: Pick<ServerConfig, 'locale' | 'firstTeamName'>): string {
  return config.firstTeamName ?? FIRST_TEAM_NAMES[config.locale];
}

export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 8 * MiB,
  messagesPerSecond: 100,
  messageBurst: 300,
  maxRoomBytes: 16 * MiB,
  connectionsPerMember: 32,
  maxQueuedMessages: 64,
  maxQueuedBytes: 8 * MiB,
  maxBufferedBytes: 32 * MiB,
  maxPresenceStateBytes: 8 * 1024,
  maxPresenceClientsPerConnection: 8,
  maxLoadedRooms: 20_000,
  maxJsonBodyBytes: 1 * MiB,
  maxBulkBodyBytes: 32 * MiB,
  maxBulkResponseBytes: 16 * MiB,
  joinAttemptsPerMinute: 20,
  inviteMaxUses: 50,
  minFreeDiskBytes: 64 * MiB,
  maxStructsPerUpdate: 5_000,
  maxClientsPerUpdate: 64,
  maxDeleteRangesPerUpdate: 50_000,
  maxValuesPerUpdate: 100_000,
  maxItemsPerInsertionPoint: 32,
  maxDecodedRatio: 20,
  decodedRatioFloorBytes: 1 * MiB,
  maxConflictsPerUpdate: 4_096,
  scanUpdatesOverBytes: 16 * 1024,
  maxHeldBytes: 256 * 1024,
  memberCpuBudgetMs: 2_000,
  memberCpuMsPerSecond: 200,
  maxOutboundBytes: 256 * MiB,
  maxDecodedBytes: 256 * MiB,
  maxRssBytes: 1024 * MiB,
  maxRoomsPerTeam: 5_000,
  maxMembersPerTeam: 1_000,
  maxSocketsPerTeam: 2_000,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 256,
};

export const DEFAULT_TIMINGS: Timings = {
  ticketTtlMs: 60_000,
  inviteTtlMs: 14 * 24 * 3_600_000,
  roomIdleMs: 30_000,
  docIdleMs: 120_000,
  presenceTimeoutMs: 30_000,
  pendingTimeoutMs: 10_000,
  revocationCheckMs: 5_000,
  sweepMs: 5_000,
  checkpointMs: 1_000,
  throttleMs: 60_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  idleConnectionMs: 120_000,
  keepAliveMs: 5_000,
  pingIntervalMs: 30_000,
};

export const DEFAULT_COMPACTION: Compaction = { afterUpdates: 500, afterBytes: 4 * MiB };

export const DEFAULT_ALLOWED_ORIGINS = ['chrome-extension://*', 'moz-extension://*'];

export function defaultConfig(): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 8787,
    dataDir: path.resolve('data'),
    allowedOrigins: [...DEFAULT_ALLOWED_ORIGINS],
    sqliteSynchronous: 'NORMAL',
    limits: { ...DEFAULT_LIMITS },
    timings: { ...DEFAULT_TIMINGS },
    compaction: { ...DEFAULT_COMPACTION },
    logLinesPerMinute: 30,
    logLevel: 'info',
    locale: 'zh-CN',
  };
}

export type ServerOptions = Partial<Omit<ServerConfig, 'limits' | 'timings' | 'compaction'>> & {
  limits?: Partial<Limits>;
  timings?: Partial<Timings>;
  compaction?: Partial<Compaction>;
};

export function resolveConfig(options: ServerOptions = {}, base: ServerConfig = defaultConfig()): ServerConfig {
  const config: ServerConfig = {
    ...base,
    ...stripUndefined(options),
    limits: { ...base.limits, ...stripUndefined(options.limits ?? {}) },
    timings: { ...base.timings, ...stripUndefined(options.timings ?? {}) },
    compaction: { ...base.compaction, ...stripUndefined(options.compaction ?? {}) },
  };
  config.dataDir = path.resolve(config.dataDir);
  validateConfig(config);
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validateConfig(config: ServerConfig): void {
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65_535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${config.port}"`);
  }
  if (!config.host.trim()) throw new ConfigError('HOST must not be empty');
  for (const [group, values] of [
    ['limit', config.limits],
    ['timing', config.timings],
    ['compaction', config.compaction],
  ] as const) {
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new ConfigError(`The ${group} "${name}" must be a positive number, got "${String(value)}"`);
      }
    }
  }
  if (!['info', 'warn', 'silent'].includes(config.logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be info, warn or silent, got "${String(config.logLevel)}"`);
  }
  if (!SERVER_LOCALES.includes(config.locale)) {
    throw new ConfigError(`PIZHU_LOCALE must be ${SERVER_LOCALES.join(' or ')}, got "${String(config.locale)}"`);
  }
  if (config.sqliteSynchronous !== 'NORMAL' && config.sqliteSynchronous !== 'FULL') {
    throw new ConfigError(`PIZHU_SQLITE_SYNCHRONOUS must be NORMAL or FULL, got "${String(config.sqliteSynchronous)}"`);
  }
}

/** Environment variable of each limit and timing: PIZHU_ plus the name in upper snake case. */
export function envNameOf(name: string): string {
  return `PIZHU_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function parseNumberEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return value;
}

function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 65_535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const base = defaultConfig();
  const numbersFrom = <T extends object>(group: T): Partial<T> =>
    Object.fromEntries(
      Object.keys(group)
        .map((name) => [name, parseNumberEnv(env, envNameOf(name))] as const)
        .filter(([, value]) => value !== undefined),
    ) as Partial<T>;
  const origins = env.ALLOWED_ORIGINS?.trim();
  const sync = env.PIZHU_SQLITE_SYNCHRONOUS?.trim().toUpperCase();
  return resolveConfig(
    {
      host: env.HOST?.trim() || undefined,
      port: parsePort(env.PORT),
      dataDir: env.DATA_DIR?.trim() || undefined,
      allowedOrigins: origins
        ? origins
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean)
        : undefined,
      sqliteSynchronous: sync ? (sync as ServerConfig['sqliteSynchronous']) : undefined,
      logLevel: env.LOG_LEVEL ? (env.LOG_LEVEL as ServerConfig['logLevel']) : undefined,
      locale: env.PIZHU_LOCALE?.trim() ? (env.PIZHU_LOCALE.trim() as ServerLocale) : undefined,
      firstTeamName: env.PIZHU_FIRST_TEAM_NAME?.trim() || undefined,
      metricsToken: env.PIZHU_METRICS_TOKEN?.trim() || undefined,
      limits: numbersFrom(base.limits),
      timings: numbersFrom(base.timings),
      compaction: {
        afterUpdates: parseNumberEnv(env, 'PIZHU_COMPACT_AFTER_UPDATES'),
        afterBytes: parseNumberEnv(env, 'PIZHU_COMPACT_AFTER_BYTES'),
      },
    },
    base,
  );
}
