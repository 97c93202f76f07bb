/**
 * Every setting and limit of the sync server, as zod schemas with a safe default and a description each: one
 * schema per group of limits, one for the timings, one for compaction and one for the server itself. Each
 * setting has one environment variable (`PIZHU_` plus the name in upper snake case for limits and timings),
 * read by `configFromEnv` with coercion from text; `resolveConfig` merges programmatic options (tests, the
 * extension's e2e tests) over the defaults through the same schemas. `npm run server -- env` prints the
 * variables from these schemas, and a test checks that server/README.md lists every one. Bad values throw a
 * ConfigError with one readable line.
 */
import path from 'node:path';
import { z } from 'zod';
import { isAddressOrRange } from './auth/client-address.ts';
import { stripUndefined } from '../shared/model/objects.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const MiB = 1024 * 1024;

/** A positive number (coerced from an environment variable's text) with its default. */
const positive = (value: number, description: string) =>
  z.coerce.number().positive().finite().default(value).describe(description);

export const socketLimitsSchema = z.object({
  maxMessageBytes: positive(8 * MiB, 'Largest WebSocket message accepted; larger frames close the socket with 1009.'),
  messagesPerSecond: positive(100, 'Sustained messages per second per connection (token bucket).'),
  messageBurst: positive(300, 'Burst of messages allowed on top; exceeding closes with 4529 (client retries later).'),
  connectionsPerMember: positive(32, 'Open WebSockets per member across all rooms; more are refused with 429.'),
  maxQueuedMessages: positive(64, 'Messages held for a socket whose room is still loading; beyond, it is closed.'),
  maxQueuedBytes: positive(8 * MiB, 'Bytes held for a socket whose room is still loading; beyond, it is closed.'),
  maxBufferedBytes: positive(32 * MiB, 'Unsent backlog of one socket past which it is closed (4508, too slow).'),
  maxPresenceStateBytes: positive(8 * 1024, 'One presence (awareness) state as JSON; larger ones are ignored.'),
  maxPresenceClientsPerConnection: positive(8, 'Presence clients one socket may announce.'),
  maxHeldBytes: positive(256 * 1024, "Parts of a socket's updates held for missing dependencies; more closes it."),
});

export const roomLimitsSchema = z.object({
  maxRoomBytes: positive(16 * MiB, 'Stored size of one room; an update that would pass it is refused (4413).'),
  maxLoadedRooms: positive(20_000, 'Rooms held in memory at once; further rooms are refused (503 / 4503).'),
  fanoutStreamLength: positive(
    1_000,
    "Several instances: entries kept in each room's Redis stream (MAXLEN ~); older ones are read from the store.",
  ),
});

export const requestLimitsSchema = z.object({
  maxJsonBodyBytes: positive(1 * MiB, 'JSON request body of ordinary endpoints (413 beyond).'),
  maxBulkBodyBytes: positive(32 * MiB, 'JSON request body of the bulk sync and push endpoints (413 beyond).'),
  maxBulkResponseBytes: positive(16 * MiB, 'Bulk catch-up stops adding rooms at this size and says `more: true`.'),
  joinAttemptsPerMinute: positive(20, 'Failed joins (wrong invite code) per client address per minute before 429.'),
  maxConnections: positive(10_000, "Open TCP connections in all (Node's server.maxConnections)."),
  maxConnectionsPerAddress: positive(256, 'Open TCP connections per client address, authenticated WebSockets aside.'),
});

export const teamLimitsSchema = z.object({
  inviteMaxUses: positive(50, 'Uses of an invite code when its creator sets none (owner invites: 1).'),
  maxRoomsPerTeam: positive(5_000, 'Rooms of one team held in memory at once.'),
  maxMembersPerTeam: positive(1_000, 'Members of one team; further joins answer 403 team_full.'),
  maxSocketsPerTeam: positive(2_000, 'Open WebSockets of one team; further ones are refused with 429.'),
});

/** What one update may hold before it is applied (server/guard/update-shape.ts); past any: 4422 too costly. */
export const updateLimitsSchema = z.object({
  maxStructsPerUpdate: positive(5_000, 'Structs (items and deleted ranges) in one update.'),
  maxClientsPerUpdate: positive(64, 'Distinct client ids in one update.'),
  maxDeleteRangesPerUpdate: positive(50_000, "Ranges in one update's delete set."),
  maxValuesPerUpdate: positive(100_000, "JSON values inside one update's items (every element, field and entry)."),
  maxItemsPerInsertionPoint: positive(32, 'Items of one update competing for one insertion point (quadratic).'),
  maxDecodedRatio: positive(20, "An update's estimated heap once applied, as a multiple of its size ..."),
  decodedRatioFloorBytes: positive(1 * MiB, '... once that estimate passes this floor.'),
  maxConflictsPerUpdate: positive(4_096, 'Items already in the room that its items must be ordered against.'),
  scanUpdatesOverBytes: positive(16 * 1024, 'Updates larger than this are scanned with a bounded walk first.'),
});

export const resourceLimitsSchema = z.object({
  memberCpuBudgetMs: positive(2_000, 'Processor time (ms) one member may use before being throttled (4530, 429).'),
  memberCpuMsPerSecond: positive(200, "How fast a member's processor time budget refills (ms per second)."),
  maxOutboundBytes: positive(256 * MiB, 'Bytes queued for sending across all sockets; past it the slowest close.'),
  maxDecodedBytes: positive(256 * MiB, 'Estimated heap of all decoded room documents; past it writes wait (4503).'),
  maxRssBytes: positive(1024 * MiB, 'Resident memory ceiling: above it loads, writes and sockets are refused.'),
  minFreeDiskBytes: positive(64 * MiB, 'Free space on the disk of DATA_DIR below which GET /health answers 503.'),
});

/** The limit groups, each a zod schema; `Limits` is all of them together. */
export const LIMIT_GROUPS = {
  socket: socketLimitsSchema,
  room: roomLimitsSchema,
  request: requestLimitsSchema,
  team: teamLimitsSchema,
  update: updateLimitsSchema,
  resource: resourceLimitsSchema,
} as const;

const limitsSchema = z.object({
  ...socketLimitsSchema.shape,
  ...roomLimitsSchema.shape,
  ...requestLimitsSchema.shape,
  ...teamLimitsSchema.shape,
  ...updateLimitsSchema.shape,
  ...resourceLimitsSchema.shape,
});

export const timingsSchema = z.object({
  ticketTtlMs: positive(60_000, 'How long a single-use WebSocket ticket is valid.'),
  inviteTtlMs: positive(14 * 24 * 3_600_000, 'How long an invite code is valid when its creator sets no expiry.'),
  roomIdleMs: positive(30_000, 'A room without connections stays loaded this long, then is compacted and unloaded.'),
  docIdleMs: positive(120_000, 'A loaded room nobody wrote to for this long drops its decoded Y.Doc.'),
  presenceTimeoutMs: positive(30_000, 'Presence of a client not renewed for this long is removed.'),
  pendingTimeoutMs: positive(10_000, "How long an update's missing dependencies may take to arrive (then 4400)."),
  revocationCheckMs: positive(5_000, 'How often open sockets are checked against revoked tokens and removed members.'),
  sweepMs: positive(5_000, 'Housekeeping sweep: idle rooms, stale presence, expired tickets.'),
  checkpointMs: positive(1_000, "How often a worker thread copies SQLite's write-ahead log into the database."),
  throttleMs: positive(60_000, 'How long a member who used up their time budget stays refused.'),
  headersTimeoutMs: positive(10_000, 'HTTP request headers must arrive within this (slowloris; 408).'),
  requestTimeoutMs: positive(60_000, 'A whole HTTP request must arrive within this (408).'),
  idleConnectionMs: positive(120_000, 'An HTTP connection with no traffic for this long is closed.'),
  keepAliveMs: positive(5_000, 'A kept-alive idle HTTP connection is closed after this.'),
  pingIntervalMs: positive(30_000, 'WebSocket ping interval; a socket that missed the previous ping is dropped.'),
  fanoutGapWaitMs: positive(
    100,
    'Several instances: how long an update from another instance waits for a missing one before it is read from the store.',
  ),
  fanoutCheckMs: positive(
    1_000,
    'Several instances: how often the store is asked whether a held room has updates its stream never delivered.',
  ),
});

export const compactionSchema = z.object({
  afterUpdates: positive(500, "Fold a room's update rows into one once it has this many rows ..."),
  afterBytes: positive(4 * MiB, '... or its rows add up to this many bytes.'),
});

const url = (schemes: string[], description: string) =>
  z
    .string()
    .trim()
    .refine((value) => schemes.some((scheme) => value.startsWith(`${scheme}://`)))
    .optional()
    .describe(description);

export const SERVER_LOCALES = ['zh-CN', 'en'] as const;
export type ServerLocale = (typeof SERVER_LOCALES)[number];

/** The first team's name when PIZHU_FIRST_TEAM_NAME is not set. */
export const FIRST_TEAM_NAMES: Record<ServerLocale, string> = { 'zh-CN': '我的团队', en: 'My team' };

export function firstTeamName(config: Pick<ServerConfig, 'locale' | 'firstTeamName'>): string {
  return config.firstTeamName ?? FIRST_TEAM_NAMES[config.locale];
}

export const DEFAULT_ALLOWED_ORIGINS = ['chrome-extension://*', 'moz-extension://*'];

/** The server's own settings, each with its environment variable. */
export const serverSchema = z.object({
  host: z.string().trim().min(1).default('127.0.0.1').describe('Address to listen on (loopback by default).'),
  port: z.coerce.number().int().min(0).max(65_535).default(8787).describe('Port to listen on; 0 picks a free one.'),
  dataDir: z
    .string()
    .trim()
    .min(1)
    .default('data')
    .transform((dir) => path.resolve(dir))
    .describe('Folder of the embedded SQLite database (used when DATABASE_URL is not set).'),
  allowedOrigins: z
    .array(z.string().min(1))
    .default(DEFAULT_ALLOWED_ORIGINS)
    .describe('Browser origins allowed to call the API, comma separated; a trailing * matches any suffix.'),
  trustedProxies: z
    .array(z.string().refine(isAddressOrRange))
    .default([])
    .describe(
      'Reverse proxies (addresses or CIDR ranges, comma separated) whose X-Forwarded-For names the client for per-address limits.',
    ),
  sqliteSynchronous: z
    .enum(['NORMAL', 'FULL'])
    .default('NORMAL')
    .describe('NORMAL: a killed process loses nothing acknowledged; FULL: also survives power loss (fsync).'),
  logLinesPerMinute: positive(30, 'Log lines of one kind per minute before they are summarised.'),
  logLevel: z.enum(['info', 'warn', 'silent']).default('info').describe('info, warn or silent.'),
  locale: z
    .enum(SERVER_LOCALES)
    .default('zh-CN')
    .describe("The language of what the server names itself: the first team's default name."),
  firstTeamName: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Team created on first start (no team yet); by default 我的团队 (zh-CN) or My team (en).'),
  metricsToken: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('When set, GET /metrics requires `Authorization: Bearer <token>`.'),
  databaseUrl: url(
    ['postgres', 'postgresql'],
    'PostgreSQL (postgres://user:pass@host:port/db): teams, rooms and the index live there, shared by instances.',
  ),
  redisUrl: url(['redis', 'rediss'], 'Redis (redis://host:port): carries updates and presence between instances.'),
  fanoutDropRatio: z.coerce
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe('Fault injection for tests of gap repair only: this share of updates never reaches the Redis stream.'),
});

export type Limits = z.infer<typeof limitsSchema>;
export type Timings = z.infer<typeof timingsSchema>;
export type Compaction = z.infer<typeof compactionSchema>;
export type ServerConfig = z.infer<typeof serverSchema> & {
  limits: Limits;
  timings: Timings;
  compaction: Compaction;
};

export const DEFAULT_LIMITS: Limits = limitsSchema.parse({});
export const DEFAULT_TIMINGS: Timings = timingsSchema.parse({});
export const DEFAULT_COMPACTION: Compaction = compactionSchema.parse({});

/** Environment variable of each limit and timing: PIZHU_ plus the name in upper snake case. */
export function envNameOf(name: string, prefix = 'PIZHU_'): string {
  return `${prefix}${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const SERVER_VARIABLES: Record<keyof z.infer<typeof serverSchema>, string> = {
  host: 'HOST',
  port: 'PORT',
  dataDir: 'DATA_DIR',
  allowedOrigins: 'ALLOWED_ORIGINS',
  trustedProxies: 'PIZHU_TRUSTED_PROXIES',
  sqliteSynchronous: 'PIZHU_SQLITE_SYNCHRONOUS',
  logLinesPerMinute: 'PIZHU_LOG_LINES_PER_MINUTE',
  logLevel: 'LOG_LEVEL',
  locale: 'PIZHU_LOCALE',
  firstTeamName: 'PIZHU_FIRST_TEAM_NAME',
  metricsToken: 'PIZHU_METRICS_TOKEN',
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  fanoutDropRatio: 'PIZHU_FANOUT_DROP_RATIO',
};

/** What a value must be, for the one-line error. */
const EXPECTED: Partial<Record<string, string>> = {
  port: 'a whole number from 0 to 65535',
  host: 'a host name or address, not empty',
  sqliteSynchronous: 'NORMAL or FULL',
  trustedProxies: 'addresses or CIDR ranges, comma separated (10.0.0.5,10.0.1.0/24)',
  logLevel: 'info, warn or silent',
  locale: SERVER_LOCALES.join(' or '),
  databaseUrl: 'a postgres:// URL',
  redisUrl: 'a redis:// URL',
  fanoutDropRatio: 'a number from 0 to below 1',
};

type Section = { schema: z.ZodObject; variableOf: (key: string) => string; option: string };

const SECTIONS = {
  server: {
    schema: serverSchema,
    variableOf: (key) => SERVER_VARIABLES[key as keyof typeof SERVER_VARIABLES],
    option: '',
  },
  limits: { schema: limitsSchema, variableOf: (key) => envNameOf(key), option: 'limits.' },
  timings: { schema: timingsSchema, variableOf: (key) => envNameOf(key), option: 'timings.' },
  compaction: {
    schema: compactionSchema,
    variableOf: (key) => envNameOf(key, 'PIZHU_COMPACT_'),
    option: 'compaction.',
  },
} satisfies Record<string, Section>;

export type EnvironmentVariable = { name: string; setting: string; default: string; description: string };

/** Every environment variable with its setting, default and description, read from the schemas. */
export function environmentVariables(): EnvironmentVariable[] {
  const groups = [
    ['server', SECTIONS.server, serverSchema],
    ...Object.entries(LIMIT_GROUPS).map(([group, schema]) => [`${group} limits`, SECTIONS.limits, schema] as const),
    ['timings', SECTIONS.timings, timingsSchema],
    ['compaction', SECTIONS.compaction, compactionSchema],
  ] as const;
  const defaults = serverSchema.parse({});
  return groups.flatMap(([, section, schema]) =>
    Object.entries(schema.shape).map(([key, field]) => {
      const value =
        section === SECTIONS.server
          ? defaults[key as keyof typeof defaults]
          : ({ ...DEFAULT_LIMITS, ...DEFAULT_TIMINGS, ...DEFAULT_COMPACTION } as Record<string, unknown>)[key];
      return {
        name: section.variableOf(key),
        setting: `${section.option}${key}`,
        default: value === undefined ? '(unset)' : Array.isArray(value) ? value.join(',') : String(value),
        description: (field as z.ZodType).description ?? '',
      };
    }),
  );
}

export type ServerOptions = Partial<Omit<ServerConfig, 'limits' | 'timings' | 'compaction'>> & {
  limits?: Partial<Limits>;
  timings?: Partial<Timings>;
  compaction?: Partial<Compaction>;
};

/** Parses one section; the error names the variable (from the environment) or the option (from code). */
function parseSection<S extends z.ZodObject>(
  section: Section & { schema: S },
  input: Record<string, unknown>,
  fromEnv: boolean,
): z.infer<S> {
  const result = section.schema.safeParse(stripUndefined(input));
  if (result.success) return result.data as z.infer<S>;
  const key = String(result.error.issues[0]?.path[0] ?? '');
  const name = fromEnv ? section.variableOf(key) : `The setting "${section.option}${key}"`;
  const expected = EXPECTED[key] ?? 'a positive number';
  throw new ConfigError(`${name} must be ${expected}, got "${String(input[key])}"`);
}

export function defaultConfig(): ServerConfig {
  return resolveConfig();
}

export function resolveConfig(options: ServerOptions = {}): ServerConfig {
  return resolveSections(options, false);
}

function resolveSections(options: ServerOptions, fromEnv: boolean): ServerConfig {
  const { limits = {}, timings = {}, compaction = {}, ...server } = options;
  return {
    ...parseSection(SECTIONS.server, server, fromEnv),
    limits: parseSection(SECTIONS.limits, limits, fromEnv),
    timings: parseSection(SECTIONS.timings, timings, fromEnv),
    compaction: parseSection(SECTIONS.compaction, compaction, fromEnv),
  };
}

/** Each key of a section with the text of its variable; unset and blank variables are left out. */
function readSection(env: NodeJS.ProcessEnv, section: Section): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of Object.keys(section.schema.shape)) {
    const raw = env[section.variableOf(key)]?.trim();
    if (raw) values[key] = raw;
  }
  return values;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const server: Record<string, unknown> = readSection(env, SECTIONS.server);
  for (const list of ['allowedOrigins', 'trustedProxies'] as const) {
    const text = server[list];
    if (typeof text === 'string')
      server[list] = text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
  }
  if (typeof server.sqliteSynchronous === 'string') server.sqliteSynchronous = server.sqliteSynchronous.toUpperCase();
  return resolveSections(
    {
      ...(server as ServerOptions),
      limits: readSection(env, SECTIONS.limits) as unknown as Partial<Limits>,
      timings: readSection(env, SECTIONS.timings) as unknown as Partial<Timings>,
      compaction: readSection(env, SECTIONS.compaction) as unknown as Partial<Compaction>,
    },
    true,
  );
}
