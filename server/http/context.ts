/** What the HTTP routes work with: one object built by startServer. */
import type { ClientAddresses } from '../auth/client-address.ts';
import type { OriginCheck } from '../auth/origin.ts';
import type { TeamService } from '../auth/team-service.ts';
import type { ServerConfig } from '../config.ts';
import type { CostMeter } from '../guard/cost-meter.ts';
import type { DeploymentLimits, SocketSlot } from '../guard/deployment-limits.ts';
import type { HttpGuard } from '../guard/http-guard.ts';
import type { MemoryBudget } from '../guard/memory-budget.ts';
import type { Refusals } from '../guard/refusals.ts';
import type { TaskQueries } from '../index-db/tasks-index.ts';
import type { AnnotationQueries, IndexSink } from '../index-db/types.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { HealthCheck } from '../storage/health.ts';
import type { Principal, UpdateStore } from '../storage/types.ts';
import type { ConnectionTracker } from '../sync/connections.ts';
import type { RoomRegistry } from '../sync/registry.ts';

export type ServerContext = {
  config: ServerConfig;
  teams: TeamService;
  updates: UpdateStore;
  index: IndexSink & AnnotationQueries;
  /** Tasks and progress in the query index (index-db/tasks-index.ts). */
  tasks: TaskQueries;
  registry: RoomRegistry;
  connections: ConnectionTracker;
  metrics: Metrics;
  log: Logger;
  originAllowed: OriginCheck;
  /** The client behind a request, looking through trusted proxies (auth/client-address.ts). */
  clientAddresses: ClientAddresses;
  /** Sockets per member and team, failed joins per address: across every instance (deployment-limits.ts). */
  limits: DeploymentLimits;
  health: HealthCheck;
  /** Members' time budgets (server/guard/cost-meter.ts). */
  cost: CostMeter;
  /** Server-wide memory budgets (server/guard/memory-budget.ts). */
  memory: MemoryBudget;
  refusals: Refusals;
  httpGuard: HttpGuard;
};

/** `slot`: set on a socket upgrade, the socket's place in the deployment-wide counts. */
export type AppEnv = { Variables: { principal: Principal; slot: SocketSlot } };
