/** What the HTTP routes work with: one object built by startServer. */
import type { AttemptLimiter } from '../auth/attempts.ts';
import type { OriginCheck } from '../auth/origin.ts';
import type { TeamService } from '../auth/team-service.ts';
import type { ServerConfig } from '../config.ts';
import type { CostMeter } from '../guard/cost-meter.ts';
import type { HttpGuard } from '../guard/http-guard.ts';
import type { MemoryBudget } from '../guard/memory-budget.ts';
import type { Refusals } from '../guard/refusals.ts';
import type { TaskQueries } from '../index-db/tasks-index.ts';
import type { AnnotationQueries, IndexSink } from '../index-db/types.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { StorageHealth } from '../storage/health.ts';
import type { Principal, UpdateStore } from '../storage/types.ts';
import type { ConnectionTracker } from '../sync/connections.ts';
import type { RoomRegistry } from '../sync/registry.ts';

export type ServerContext = {
  config: ServerConfig;
  teams: TeamService;
  updates: UpdateStore;
  index: IndexSink & AnnotationQueries;
  /** Tasks, progress and units in the query index (index-db/tasks-index.ts). */
  tasks: TaskQueries;
  registry: RoomRegistry;
  connections: ConnectionTracker;
  metrics: Metrics;
  log: Logger;
  originAllowed: OriginCheck;
  joinAttempts: AttemptLimiter;
  health: StorageHealth;
  /** Members' time budgets (server/guard/cost-meter.ts). */
  cost: CostMeter;
  /** Server-wide memory budgets (server/guard/memory-budget.ts). */
  memory: MemoryBudget;
  refusals: Refusals;
  httpGuard: HttpGuard;
};

export type AppEnv = { Variables: { principal: Principal } };
