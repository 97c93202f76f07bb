/** A guard with the default limits and owners kept in memory, for unit tests and benchmarks of one layer. */
import type { Limits } from '../config.ts';
import { DEFAULT_LIMITS } from '../config.ts';
import { type ClientOwnerStore, InMemoryClientOwners } from './client-owners.ts';
import { MemoryBudget } from './memory-budget.ts';
import { UpdateGuard } from './update-guard.ts';
import { UpdatePolicy } from './update-policy.ts';

export function testGuard(limits: Partial<Limits> = {}, owners: ClientOwnerStore = new InMemoryClientOwners()) {
  const all = { ...DEFAULT_LIMITS, ...limits };
  const memory = new MemoryBudget(all);
  return { guard: new UpdateGuard(all, new UpdatePolicy(owners, all), memory), memory, owners };
}
