/**
 * `npm run bench:scale`: what scaling out costs, same run, same machine. Pizhu's server as users run it
 * (`node dist/server/main.js`) in three set-ups: one instance on SQLite, one on PostgreSQL (+ its Redis), and
 * three on one PostgreSQL and one Redis with the subscribers spread over them (the writer on the first).
 * PostgreSQL and Redis come from scripts/services.mjs. Prints a table and writes bench/scale/results.json.
 * The floor under the difference: the one-room scenario at a fifth of the rate, and one commit per store.
 * BENCH_RUNS (default 2) runs per figure, interleaved; p50/p99 over every sample of every run. The CPU time of
 * each set-up's processes over the fan-out scenarios (bench/scale/cpu.ts) shows what the latencies sit on.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { type Services, servicePids, startServices } from '../../scripts/services.mjs';
import { notesMap, writeAnnotation } from '../../shared/model/index.ts';
import { bytesToBase64 } from '../../shared/protocol/api.ts';
import {
  BenchSocket,
  benchAnnotation,
  EMPTY_STATE_VECTOR,
  openProbe,
  openSink,
  type Running,
  sleep,
  TimedRooms,
} from '../server/clients.ts';
import { percentile } from '../stats.ts';
import { busyShare, type CpuUse, meterCpu } from './cpu.ts';
import { resolveConfig } from '../../server/config.ts';
import { silentLogger } from '../../server/log.ts';
import { openStores } from '../../server/storage/open-stores.ts';
import { startServerProcess } from '../../test/server-process.ts';
import { freshDatabase } from '../../test/server/services.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Subscribers of the one-room scenario that decode and time what they receive. */
const PROBES = 5;

type Setup = 'sqlite' | 'postgres' | 'postgres x3';
const SETUPS: Setup[] = ['sqlite', 'postgres', 'postgres x3'];

type Instance = Running & { output: () => string };
type Deployment = {
  instances: Instance[];
  /** The environment of its instances (same storage, same Redis). */
  env: NodeJS.ProcessEnv;
  /** Stops every instance gracefully (rooms compact); `keepStorage` leaves the data for another instance. */
  stop(keepStorage?: boolean): Promise<void>;
};

/** One instance as users run it, `node dist/server/main.js`, started as the integration tests start theirs. */
async function spawnInstance(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const { child, url, output } = await startServerProcess(env);
  return { child, port: Number(new URL(url).port), output };
}

/** Starts the set-up on fresh storage; the first instance creates the team, the bench joins it. */
async function deploy(setup: Setup, services: Services, env: NodeJS.ProcessEnv = {}): Promise<Deployment> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-scale-'));
  const base: NodeJS.ProcessEnv = { DATA_DIR: dataDir, PIZHU_CONNECTIONS_PER_MEMBER: '1000', ...env };
  if (setup !== 'sqlite') {
    base.DATABASE_URL = await freshDatabase(services.databaseUrl);
    base.REDIS_URL = services.redisUrl;
  }
  const first = await spawnInstance(base);
  const more = await Promise.all(Array.from({ length: setup === 'postgres x3' ? 2 : 0 }, () => spawnInstance(base)));
  const invite = /Invite code: (\S+)/.exec(first.output())![1]!;
  const res = await fetch(`http://127.0.0.1:${first.port}/api/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inviteCode: invite, displayName: 'bench' }),
  });
  const joined = (await res.json()) as { token: string; memberId: string; teamId: string };
  const instances = [first, ...more].map((started) => ({
    kind: 'pizhu' as const,
    port: started.port,
    dataDir,
    child: started.child,
    token: joined.token,
    teamId: joined.teamId,
    memberId: joined.memberId,
    output: started.output,
  }));
  return {
    instances,
    env: base,
    async stop(keepStorage = false) {
      await Promise.all(
        instances.map(
          (instance) =>
            new Promise((resolve) => {
              instance.child.once('exit', resolve);
              instance.child.kill('SIGTERM');
            }),
        ),
      );
      if (!keepStorage) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const roomOf = (instance: Instance, key: string) => `${instance.teamId}.${key}`;

// --- fan-out ---

/** Calls `each(i)` `count` times, `rate` times a second on a fixed schedule (a late call does not shift the rest). */
async function atRate(rate: number, count: number, each: (i: number) => unknown): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    await each(i);
  }
}

type Latencies = { latencies: number[]; delivered: number; expected: number };
/** A scenario's run and what its processes spent. */
type Measured = Latencies & { cpu: CpuUse };

/**
 * One room, `subscribers` sockets spread over the instances, one writer on the first at `rate` updates/s.
 * PROBES of the subscribers decode what they receive and time it; the others only count the update frames
 * they get, so the driver does not decode every update a hundred times (as bench/server does).
 */
async function oneRoom(deployment: Deployment, subscribers: number, rate: number): Promise<Latencies> {
  const { instances } = deployment;
  const room = roomOf(instances[0]!, `fanout-${Date.now()}`);
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let measuring = false;
  const sinkCounts: number[] = [];
  const sockets: BenchSocket[] = [];
  for (let s = 0; s < subscribers; s++) {
    const instance = instances[(s + 1) % instances.length]!;
    if (s < PROBES) {
      const probe = await openProbe(instance, room, (key, now) => {
        const at = sent.get(key);
        if (at !== undefined && measuring && key.startsWith('m')) latencies.push(now - at);
      });
      sockets.push(probe);
    } else {
      const index = sinkCounts.push(0) - 1;
      sockets.push(await openSink(instance, room, () => sinkCounts[index]!++));
    }
  }
  const writerDoc = new Y.Doc();
  const writer = await BenchSocket.open(instances[0]!, room);
  writer.send(0, EMPTY_STATE_VECTOR);
  sockets.push(writer);
  const member = instances[0]!.memberId!;
  writerDoc.on('update', (update: Uint8Array) => writer.send(2, update));
  await sleep(500);
  const write = (prefix: string, count: number) =>
    atRate(rate, count, (i) => {
      const id = `${prefix}${i}`;
      sent.set(id, performance.now());
      writeAnnotation(writerDoc, benchAnnotation(id, i, member), member);
    });
  await write('warm', rate);
  await sleep(300);
  measuring = true;
  await write('m', rate * SECONDS);
  // Every sink must get every update (warm-up included); wait for the backlog to drain (bounded).
  const expected = (subscribers - PROBES) * rate * (SECONDS + 1);
  const deadline = performance.now() + 10_000;
  const delivered = () => sinkCounts.reduce((a, b) => a + b, 0);
  while (delivered() < expected && performance.now() < deadline) await sleep(50);
  measuring = false;
  for (const socket of sockets) socket.close();
  return { latencies, delivered: delivered(), expected };
}

/** `rooms` rooms, each a writer on one instance and a subscriber on the next, `perRoom` updates/s each. */
async function manyRooms(deployment: Deployment, rooms: number, perRoom: number): Promise<Latencies> {
  const { instances } = deployment;
  const member = instances[0]!.memberId!;
  const count = Math.ceil(perRoom * (SECONDS + 1));
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < count; i++) writeAnnotation(doc, benchAnnotation(`r${i}`, i, member), member);
  const stamp = Date.now();
  const traffic = await TimedRooms.open(
    Array.from({ length: rooms }, (_, r) => ({
      room: roomOf(instances[0]!, `rooms-${stamp}-${r}`),
      writer: instances[r % instances.length]!,
      subscriber: instances[(r + 1) % instances.length]!,
    })),
  );
  await sleep(500);
  const total = rooms * count;
  await traffic.pace(updates, total, rooms * perRoom, rooms * perRoom);
  await traffic.drain(total, 10_000);
  traffic.close();
  return { latencies: traffic.latencies, delivered: traffic.delivered, expected: total };
}

// --- cold load and throughput ---

/** The annotations of a 10,000-annotation room as the bench member's own, in pushes of 2,000. */
function bigRoomUpdates(member: string): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  for (let i = 0; i < 10_000; i += 2_000) {
    const before = Y.encodeStateVector(doc);
    doc.transact(() => {
      for (let j = i; j < i + 2_000; j++) writeAnnotation(doc, benchAnnotation(`a${j}`, j, member), member);
    });
    updates.push(Y.encodeStateAsUpdate(doc, before));
  }
  return updates;
}

/**
 * Pushes a 10,000-annotation room, stops the instance (it compacts the room into one row), starts a new one on
 * the same storage and times a client's sync of the room from nothing: the store read, the answer, the decode.
 */
async function coldLoad(setup: 'sqlite' | 'postgres', services: Services): Promise<number> {
  const deployment = await deploy(setup, services);
  const writer = deployment.instances[0]!;
  const room = roomOf(writer, 'cold');
  for (const update of bigRoomUpdates(writer.memberId!)) {
    const res = await fetch(`http://127.0.0.1:${writer.port}/api/teams/${writer.teamId}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.token}` },
      body: JSON.stringify({ updates: [{ room, update: bytesToBase64(update) }] }),
    });
    if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  }
  await deployment.stop(true);
  const started = await spawnInstance(deployment.env);
  const reader: Instance = { ...writer, port: started.port, child: started.child, output: started.output };
  try {
    const url = await BenchSocket.urlFor(reader, room);
    const doc = new Y.Doc();
    const start = performance.now();
    const socket = await BenchSocket.open(reader, room, undefined, url);
    await new Promise<void>((resolve) => {
      socket.setHandler((step, payload) => {
        if (step !== 1) return;
        Y.applyUpdate(doc, payload);
        resolve();
      });
      socket.send(0, EMPTY_STATE_VECTOR);
    });
    const elapsed = performance.now() - start;
    socket.close();
    if (notesMap(doc).size !== 10_000) throw new Error(`${setup}: cold load returned ${notesMap(doc).size}`);
    return elapsed;
  } finally {
    await new Promise((resolve) => {
      started.child.once('exit', resolve);
      started.child.kill('SIGTERM');
    });
    rmSync(String(deployment.env.DATA_DIR), { recursive: true, force: true });
  }
}

/**
 * Accepted updates per second of one instance: `rooms` rooms, each with a writer that keeps `window` updates
 * in flight (the next is sent when the room's subscriber received one), for SECONDS. One member writes
 * everything, so its time budget is raised to a whole core (it would otherwise throttle the member).
 */
async function throughput(setup: 'sqlite' | 'postgres', services: Services, rooms = 20, window = 8): Promise<number> {
  // The per-socket message rate limit (100/s) would cap each writer, not the instance.
  const deployment = await deploy(setup, services, {
    PIZHU_MESSAGES_PER_SECOND: '100000',
    PIZHU_MESSAGE_BURST: '100000',
    PIZHU_MEMBER_CPU_MS_PER_SECOND: '1000',
  });
  const instance = deployment.instances[0]!;
  const member = instance.memberId!;
  const perRoom = 20_000;
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < perRoom; i++) writeAnnotation(doc, benchAnnotation(`t${i}`, i, member), member);
  const sockets: BenchSocket[] = [];
  let counting = false;
  let accepted = 0;
  let stopped = false;
  try {
    for (let r = 0; r < rooms; r++) {
      const room = roomOf(instance, `throughput-${r}`);
      const writer = await BenchSocket.open(instance, room);
      writer.send(0, EMPTY_STATE_VECTOR);
      let next = 0;
      const send = () => {
        if (!stopped && next < perRoom) writer.send(2, updates[next++]!);
      };
      let synced!: () => void;
      const ready = new Promise<void>((resolve) => (synced = resolve));
      const subscriber = await BenchSocket.open(instance, room, (step) => {
        if (step === 1) synced();
        if (step !== 2) return;
        if (counting) accepted++;
        send();
      });
      subscriber.send(0, EMPTY_STATE_VECTOR);
      await ready;
      sockets.push(writer, subscriber);
      for (let w = 0; w < window; w++) send();
    }
    await sleep(1_000);
    counting = true;
    const start = performance.now();
    await sleep(SECONDS * 1000);
    counting = false;
    const rate = accepted / ((performance.now() - start) / 1000);
    stopped = true;
    return rate;
  } finally {
    for (const socket of sockets) socket.close();
    await deployment.stop();
  }
}

/**
 * What one commit costs each store before any fan-out: the store's append (the statement a room runs for each
 * update) in this process, one 300-byte update at a time at 50/s for SECONDS, nothing else running. The
 * difference between the two is a floor under the fan-out figures' difference.
 */
async function commitLatency(setup: 'sqlite' | 'postgres', services: Services): Promise<number[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-commit-'));
  const config = resolveConfig(
    setup === 'sqlite' ? { dataDir } : { dataDir, databaseUrl: await freshDatabase(services.databaseUrl) },
  );
  const stores = await openStores(config, { log: silentLogger, lockDataDir: false, serving: false });
  const rate = 50;
  const latencies: number[] = [];
  try {
    await atRate(rate, rate * SECONDS, async (i) => {
      const before = performance.now();
      await stores.updates.append('bench.commit', 'bench', [new Uint8Array(300).fill(i % 256)]);
      latencies.push(performance.now() - before);
    });
    return latencies;
  } finally {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- the run ---

/** Latency over every sample of every run; delivery and CPU summed over the runs. */
type Figure = { p50: number; p99: number; delivered: number; expected: number; cpu: CpuUse };

function summarise(runs: Measured[]): Figure {
  const latencies = runs.flatMap((run) => run.latencies);
  const sum = (of: (run: Measured) => number) => runs.reduce((total, run) => total + of(run), 0);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    delivered: sum((run) => run.delivered),
    expected: sum((run) => run.expected),
    cpu: {
      instances: sum((run) => run.cpu.instances),
      postgres: sum((run) => run.cpu.postgres),
      redis: sum((run) => run.cpu.redis),
      driver: sum((run) => run.cpu.driver),
      wall: sum((run) => run.cpu.wall),
    },
  };
}

async function fanoutFigures(
  services: Services,
  scenario: (deployment: Deployment) => Promise<Latencies>,
): Promise<Record<Setup, Figure>> {
  const runs: Record<Setup, Measured[]> = { sqlite: [], postgres: [], 'postgres x3': [] };
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, the order rotating from run to run.
    for (let i = 0; i < SETUPS.length; i++) {
      const setup = SETUPS[(i + run) % SETUPS.length]!;
      const deployment = await deploy(setup, services);
      const pids = deployment.instances.map((instance) => instance.child.pid!);
      const stopMeter = meterCpu({ instances: pids, ...servicePids(services.dir) });
      try {
        const latencies = await scenario(deployment);
        runs[setup].push({ ...latencies, cpu: stopMeter() });
      } finally {
        await deployment.stop();
      }
    }
  }
  return {
    sqlite: summarise(runs.sqlite),
    postgres: summarise(runs.postgres),
    'postgres x3': summarise(runs['postgres x3']),
  };
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const seconds = (value: number) => value.toFixed(1);

/** CPU seconds per part over a scenario's runs, and the share of the cores they kept busy. */
function cpuLine(scenario: string, figures: Record<Setup, Figure>): string {
  const parts = SETUPS.map((setup) => {
    const { instances, postgres, redis, driver } = figures[setup].cpu;
    const share = Math.round(busyShare(figures[setup].cpu) * 100);
    return `${setup} ${seconds(instances)} / ${seconds(postgres)} / ${seconds(redis)} / ${seconds(driver)} (${share}%)`;
  });
  return `CPU seconds, ${scenario} (instances / PostgreSQL / Redis / driver, and the share of the cores busy): ${parts.join(', ')}`;
}

async function main(): Promise<void> {
  const services = await startServices();
  try {
    // An unmeasured run first: the driver's own warm-up (JIT, heap growth) would otherwise land on one set-up.
    const warm = await deploy('sqlite', services);
    await oneRoom(warm, 20, 50).finally(() => warm.stop());
    const hundred = await fanoutFigures(services, (d) => oneRoom(d, 100, 50));
    const twenty = await fanoutFigures(services, (d) => manyRooms(d, 20, 20));
    // The same room at a fifth of the rate: what the set-ups cost when the machine is not busy.
    const quiet = await fanoutFigures(services, (d) => oneRoom(d, 100, 10));
    const commit = { sqlite: [] as number[], postgres: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      commit.sqlite.push(...(await commitLatency('sqlite', services)));
      commit.postgres.push(...(await commitLatency('postgres', services)));
    }
    const commitFigures = {
      sqlite: { p50: percentile(commit.sqlite, 50), p99: percentile(commit.sqlite, 99) },
      postgres: { p50: percentile(commit.postgres, 50), p99: percentile(commit.postgres, 99) },
    };
    const cold = { sqlite: [] as number[], postgres: [] as number[] };
    for (let run = 0; run < RUNS + 1; run++) {
      cold.sqlite.push(await coldLoad('sqlite', services));
      cold.postgres.push(await coldLoad('postgres', services));
    }
    const accepted = { sqlite: [] as number[], postgres: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      accepted.postgres.push(await throughput('postgres', services));
      accepted.sqlite.push(await throughput('sqlite', services));
    }
    const lines = [
      `bench:scale, ${RUNS} runs of ${SECONDS} s per figure, Node ${process.version}`,
      '',
      '| set-up | 100 subscribers, 50 updates/s: p50 / p99 | delivered to the 95 sinks | 20 rooms x 20/s: p50 / p99 | delivered |',
      '|---|---|---|---|---|',
      ...SETUPS.map(
        (setup) =>
          `| ${setup} | ${ms(hundred[setup].p50)} / ${ms(hundred[setup].p99)} | ${hundred[setup].delivered} of ${hundred[setup].expected} | ${ms(twenty[setup].p50)} / ${ms(twenty[setup].p99)} | ${twenty[setup].delivered} of ${twenty[setup].expected} |`,
      ),
      '',
      `p99 across instances minus single SQLite: ${ms(hundred['postgres x3'].p99 - hundred.sqlite.p99)} (100 subscribers), ${ms(twenty['postgres x3'].p99 - twenty.sqlite.p99)} (20 rooms); target at most 5 ms`,
      '',
      cpuLine('100 subscribers', hundred),
      cpuLine('20 rooms', twenty),
      '',
      `the floor: 100 subscribers at 10 updates/s, p50 / p99: ${SETUPS.map((setup) => `${setup} ${ms(quiet[setup].p50)} / ${ms(quiet[setup].p99)}`).join(', ')}; across instances minus SQLite ${ms(quiet['postgres x3'].p99 - quiet.sqlite.p99)}`,
      `the floor: one commit on an idle machine (the store's append, 50/s), p50 / p99: PostgreSQL ${ms(commitFigures.postgres.p50)} / ${ms(commitFigures.postgres.p99)}, SQLite ${ms(commitFigures.sqlite.p50)} / ${ms(commitFigures.sqlite.p99)}`,
      '',
      `cold load of a 10,000-annotation room (median of ${RUNS + 1}): PostgreSQL ${ms(percentile(cold.postgres, 50))}, SQLite ${ms(percentile(cold.sqlite, 50))}`,
      `accepted updates/s of one instance (median of ${RUNS}; 20 rooms, 8 in flight each): PostgreSQL ${Math.round(percentile(accepted.postgres, 50))}, SQLite ${Math.round(percentile(accepted.sqlite, 50))}`,
    ];
    console.log(lines.join('\n'));
    writeFileSync(
      path.join(import.meta.dirname, 'results.json'),
      `${JSON.stringify(
        {
          runs: RUNS,
          seconds: SECONDS,
          hundred,
          twenty,
          quiet,
          commit: commitFigures,
          cold,
          accepted,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await services.stop();
  }
}

await main();
