/**
 * CPU time (user + system) that a set-up's processes spend during a scenario, read from /proc (Linux): the
 * server instances, PostgreSQL (the postmaster and every backend and helper under it), Redis and the driver.
 * On a shared machine the latency figures sit on this: a set-up that needs more of the cores waits longer for
 * them. Processes that exit during the scenario are not counted (PostgreSQL's pooled backends stay).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** /proc's clock ticks per second (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Pids: the server instances, PostgreSQL's postmaster (its work is done in the processes under it), Redis. */
export type CpuGroups = { instances: number[]; postmaster: number; redis: number };
/** CPU seconds of each part, and the wall time they were counted over. */
export type CpuUse = { instances: number; postgres: number; redis: number; driver: number; wall: number };

type ProcStat = { parent: number; ticks: number };

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields that follow come after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function snapshot(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  return stats;
}

/** `root` and every process below it. */
function tree(stats: Map<number, ProcStat>, root: number): number[] {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    for (const [pid, stat] of stats) if (stat.parent === pids[i]) pids.push(pid);
  }
  return pids;
}

/** Starts counting; the returned function stops and gives each group's CPU seconds and the wall time. */
export function meterCpu(groups: CpuGroups): () => CpuUse {
  const before = snapshot();
  const started = performance.now();
  return () => {
    const after = snapshot();
    const seconds = (pids: number[]) => {
      let ticks = 0;
      for (const pid of pids) {
        const stat = after.get(pid);
        if (stat) ticks += stat.ticks - (before.get(pid)?.ticks ?? 0);
      }
      return ticks / TICKS_PER_SECOND;
    };
    return {
      instances: seconds(groups.instances),
      postgres: seconds(tree(after, groups.postmaster)),
      redis: seconds([groups.redis]),
      // The driver alone: the instances are its children, but counted above.
      driver: seconds([process.pid]),
      wall: (performance.now() - started) / 1000,
    };
  };
}

/** The share of the machine's cores the processes kept busy. */
export function busyShare(use: CpuUse): number {
  return (use.instances + use.postgres + use.redis + use.driver) / (use.wall * availableParallelism());
}
