/**
 * `npm run bench:server`: Pizhu's sync server side by side with @hocuspocus/server and @y/websocket-server
 * 0.1.1, each in its own process on loopback, same yjs, same driver. Prints a table and ratios and writes
 * bench/server/results.json. BENCH_RUNS (default 3) sets the runs per figure; medians are reported.
 * Not a test: figures depend on the machine (read bench/server/README.md for the design).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { notesMap, readRoom, writeAnnotation } from '../../shared/model/index.ts';
import { bytesToBase64 } from '../../shared/protocol/api.ts';
import {
  BenchSocket,
  benchAnnotation,
  EMPTY_STATE_VECTOR,
  KINDS,
  type Kind,
  newDataDir,
  openProbe,
  openSink,
  roomName,
  type ServerPauses,
  serverBusy,
  serverHeap,
  sleep,
  TimedRooms,
  startServerProcess,
  stopServerProcess,
} from './clients.ts';
import { median, percentile } from '../stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PROBES = 5;

function roomState(annotations: number): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < annotations; i++) writeAnnotation(doc, benchAnnotation(`a${i}`, i), 'm1');
  });
  return Y.encodeStateAsUpdate(doc);
}

/** The annotations of a room state, written again by `member`, in updates of at most 2,000 annotations. */
function ownUpdates(state: Uint8Array, member: string): Uint8Array[] {
  const source = new Y.Doc();
  Y.applyUpdate(source, state);
  const annotations = readRoom(source, 'bench.source').annotations;
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  for (let i = 0; i < annotations.length; i += 2_000) {
    const before = Y.encodeStateVector(doc);
    doc.transact(() => {
      for (const a of annotations.slice(i, i + 2_000))
        writeAnnotation(doc, { ...a, author: { ...a.author, id: member } }, member);
    });
    updates.push(Y.encodeStateAsUpdate(doc, before));
  }
  return updates;
}

/** Stores room states the way each server reads them after a restart. */
async function seed(
  kind: Kind,
  dataDir: string,
  states: { key: string; state: Uint8Array }[],
): Promise<string | undefined> {
  if (kind === 'pizhu') {
    const server = await startServerProcess(kind, dataDir);
    // Pizhu takes a member's records only as that member's (room layout v2), in updates of bounded size.
    const pushes = states.flatMap(({ key, state }) =>
      ownUpdates(state, server.memberId!).map((update) => ({
        room: roomName(server, key),
        update: bytesToBase64(update),
      })),
    );
    for (let i = 0; i < pushes.length; i += 500) {
      const res = await fetch(`http://127.0.0.1:${server.port}/api/teams/${server.teamId}/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
        body: JSON.stringify({ updates: pushes.slice(i, i + 500) }),
      });
      const body = (await res.json()) as { results?: { ok: boolean }[] };
      if (res.status !== 200 || !body.results?.every((r) => r.ok)) {
        throw new Error(`seeding failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      }
    }
    await stopServerProcess(server); // compacts every room into one row
    return server.token;
  }
  const db = new Database(path.join(dataDir, 'peer.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS docs (name TEXT PRIMARY KEY, state BLOB NOT NULL)');
  const insert = db.prepare('INSERT OR REPLACE INTO docs (name, state) VALUES (?, ?)');
  db.transaction(() => {
    for (const { key, state } of states) insert.run(`bench.${key}`, Buffer.from(state));
  })();
  db.close();
  return undefined;
}

// --- fan-out ---

type FanoutResult = {
  p50: number;
  p99: number;
  /** p99 of each of the runs combined into this result. */
  runP99s: number[];
  delivered: number;
  expected: number;
  serverBusy: number;
  /** Server-side pauses during the timed writes: worst event-loop delay and garbage-collection pauses. */
  loopDelayMaxMs: number;
  gcMaxMs: number;
  gcTotalMs: number;
};

/** One run, with its samples (combined with the other runs of the same server). */
type FanoutRun = Omit<FanoutResult, 'runP99s'> & { latencies: number[] };

/** One run's figures from its probe latencies, what arrived of what was sent, and the server's pauses. */
function fanoutRun(latencies: number[], delivered: number, expected: number, busy: ServerPauses): FanoutRun {
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencies,
    delivered,
    expected,
    serverBusy: busy.utilization,
    loopDelayMaxMs: busy.loopDelayMaxMs,
    gcMaxMs: busy.gcMaxMs,
    gcTotalMs: busy.gcTotalMs,
  };
}

async function fanout(kind: Kind, subscribers: number, rate: number, seconds: number): Promise<FanoutRun> {
  const dataDir = newDataDir(kind);
  const server = await startServerProcess(kind, dataDir);
  const room = roomName(server, 'fanout');
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let measuring = false;
  let counting = false;
  const sinkCounts: number[] = [];
  const sockets: BenchSocket[] = [];
  try {
    for (let s = 0; s < subscribers; s++) {
      if (s < PROBES) {
        const probe = await openProbe(server, room, (key, now) => {
          const at = sent.get(key);
          if (at !== undefined && measuring) latencies.push(now - at);
        });
        sockets.push(probe);
      } else {
        const index = sinkCounts.push(0) - 1;
        sockets.push(
          await openSink(server, room, () => {
            if (counting) sinkCounts[index]!++;
          }),
        );
      }
    }
    const writerDoc = new Y.Doc();
    const writer = await BenchSocket.open(server, room);
    writer.send(0, EMPTY_STATE_VECTOR);
    writerDoc.on('update', (update: Uint8Array) => writer.send(2, update));
    await sleep(300);
    const interval = 1000 / rate;
    const write = async (prefix: string, count: number) => {
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const due = start + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const id = `${prefix}${i}`;
        sent.set(id, performance.now());
        writeAnnotation(writerDoc, benchAnnotation(id, i, server.memberId), server.memberId ?? 'm1');
      }
    };
    counting = true;
    await write('warm', rate); // one second of warm-up (delivered, not timed)
    await sleep(200);
    measuring = true;
    await serverBusy(server);
    await write('m', rate * seconds);
    const busy = await serverBusy(server);
    // Wait for the backlog to drain (bounded), then count what every sink got of all the writes.
    const expected = (subscribers - PROBES) * (rate + rate * seconds);
    const deadline = performance.now() + 10_000;
    while (sinkCounts.reduce((a, b) => a + b, 0) < expected && performance.now() < deadline) await sleep(100);
    measuring = false;
    writer.close();
    return fanoutRun(
      latencies,
      sinkCounts.reduce((a, b) => a + b, 0),
      expected,
      busy,
    );
  } finally {
    for (const socket of sockets) socket.close();
    await stopServerProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The runs of one server taken together: p50 and p99 over every probe sample of every run (with 3 runs of
 * 20 x 20/s that is 9,000 samples, so the p99 rests on 90 of them, not on the few slowest writes of one run);
 * the other figures are medians of the runs.
 */
function combineFanout(runs: FanoutRun[]): FanoutResult {
  const of = (key: 'delivered' | 'serverBusy' | 'loopDelayMaxMs' | 'gcMaxMs' | 'gcTotalMs') =>
    median(runs.map((x) => x[key]));
  const latencies = runs.flatMap((run) => run.latencies);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    runP99s: runs.map((run) => run.p99),
    delivered: of('delivered'),
    expected: runs[0]!.expected,
    serverBusy: of('serverBusy'),
    loopDelayMaxMs: of('loopDelayMaxMs'),
    gcMaxMs: of('gcMaxMs'),
    gcTotalMs: of('gcTotalMs'),
  };
}

/**
 * Runs of the given servers interleaved (run 1 of each, then run 2 of each...), combined per server. The order
 * rotates from run to run, and an unmeasured run goes first: whichever server was measured first used to pay
 * for the driver's own warm-up (its JIT and heap growth), with a p99 1.5-2x its later runs.
 */
async function interleaved(
  kinds: readonly Kind[],
  run: (kind: Kind, warmup: boolean) => Promise<FanoutRun>,
): Promise<Record<Kind, FanoutResult>> {
  const runs = Object.fromEntries(kinds.map((kind) => [kind, []])) as unknown as Record<Kind, FanoutRun[]>;
  await run(kinds[0]!, true);
  for (let r = 0; r < RUNS; r++) {
    const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]!);
    for (const kind of order) runs[kind].push(await run(kind, false));
  }
  return Object.fromEntries(kinds.map((kind) => [kind, combineFanout(runs[kind])])) as Record<Kind, FanoutResult>;
}

type Scenario =
  | { name: string; shape: 'one room'; subscribers: number; rate: number; seconds: number }
  | { name: string; shape: 'many rooms'; rooms: number; ratePerRoom: number; seconds: number };

/** The runner of a scenario; the unmeasured first run is at most 10 s. */
function runnerOf(scenario: Scenario): (kind: Kind, warmup: boolean) => Promise<FanoutRun> {
  return (kind, warmup) => {
    const seconds = warmup ? Math.min(scenario.seconds, 10) : scenario.seconds;
    return scenario.shape === 'one room'
      ? fanout(kind, scenario.subscribers, scenario.rate, seconds)
      : manyRooms(kind, scenario.rooms, scenario.ratePerRoom, seconds);
  };
}

// --- many rooms ---

/**
 * Many rooms at once: `rooms` rooms with two sockets each (a writer and a subscriber), every room written to
 * `ratePerRoom` times a second, the writes of all rooms spread evenly over each second. The updates are
 * computed before any clock starts (one sequence of annotations, sent to every room: rooms are independent
 * documents), so the driver only sends bytes and times frames. Latency: from sending a room's update to its
 * subscriber receiving it, over every write of every room.
 */
async function manyRooms(kind: Kind, rooms: number, ratePerRoom: number, seconds: number): Promise<FanoutRun> {
  const dataDir = newDataDir(kind);
  const server = await startServerProcess(kind, dataDir);
  const perRoom = Math.ceil(ratePerRoom * (seconds + 1));
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const member = server.memberId ?? 'm1';
  for (let i = 0; i < perRoom; i++) writeAnnotation(doc, benchAnnotation(`r${i}`, i, member), member);
  let traffic: TimedRooms | null = null;
  try {
    traffic = await TimedRooms.open(
      Array.from({ length: rooms }, (_, r) => ({
        room: roomName(server, `room${r}`),
        writer: server,
        subscriber: server,
      })),
    );
    await sleep(300);
    const total = rooms * perRoom;
    const warmup = rooms * Math.ceil(ratePerRoom);
    await traffic.pace(updates, total, rooms * ratePerRoom, warmup, () => serverBusy(server));
    const busy = await serverBusy(server);
    await traffic.drain(total, 10_000);
    return fanoutRun(traffic.latencies, traffic.delivered, total, busy);
  } finally {
    traffic?.close();
    await stopServerProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- cold load ---

type ColdResult = { answerMs: number; appliedMs: number; bytes: number };

async function coldLoad(kind: Kind, state: Uint8Array, runs: number): Promise<ColdResult> {
  const dataDir = newDataDir(kind);
  const token = await seed(kind, dataDir, [{ key: 'cold', state }]);
  const answers: number[] = [];
  const applied: number[] = [];
  let bytes = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const server = await startServerProcess(kind, dataDir, token); // a restart: nothing in memory
      const room = roomName(server, 'cold');
      const url = await BenchSocket.urlFor(server, room);
      const doc = new Y.Doc();
      const start = performance.now();
      let answered = 0;
      const done = new Promise<void>((resolve) => {
        void BenchSocket.open(
          server,
          room,
          (step, payload) => {
            if (step !== 1) return;
            answered = performance.now();
            bytes = payload.byteLength;
            Y.applyUpdate(doc, payload);
            resolve();
          },
          url,
        ).then((socket) => {
          socket.send(0, EMPTY_STATE_VECTOR);
          void done.then(() => socket.close());
        });
      });
      await done;
      const finished = performance.now();
      if (notesMap(doc).size !== 10_000)
        throw new Error(`${kind}: cold load returned ${notesMap(doc).size} annotations`);
      answers.push(answered - start);
      applied.push(finished - start);
      await stopServerProcess(server);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { answerMs: median(answers), appliedMs: median(applied), bytes };
}

// --- memory per room ---

type MemoryResult = { readKb: number; writtenKb: number };

/**
 * Heap one more batch of open rooms adds. Rooms [0, n) are opened first (and written first) so that code
 * compiled on first use and one-time caches are in the baseline; rooms [n, 2n) are the ones measured.
 */
async function memoryPerRoom(kind: Kind, state: Uint8Array, rooms: number): Promise<MemoryResult> {
  const dataDir = newDataDir(kind);
  const token = await seed(
    kind,
    dataDir,
    Array.from({ length: 2 * rooms }, (_, i) => ({ key: `m${i}`, state })),
  );
  const server = await startServerProcess(kind, dataDir, token);
  const sockets: BenchSocket[] = [];
  const open = async (from: number, to: number) => {
    const synced: Promise<void>[] = [];
    for (let i = from; i < to; i++) {
      let resolve!: () => void;
      synced.push(new Promise<void>((r) => (resolve = r)));
      const socket = await BenchSocket.open(server, roomName(server, `m${i}`), (step) => {
        if (step === 1) resolve();
      });
      socket.send(0, EMPTY_STATE_VECTOR);
      sockets.push(socket);
    }
    await Promise.all(synced);
  };
  // One small write per room: now every server holds a decoded document.
  const write = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state);
      const sv = Y.encodeStateVector(doc);
      writeAnnotation(doc, benchAnnotation(`w${i}`, i, server.memberId), server.memberId ?? 'm1');
      sockets[i]!.send(2, Y.encodeStateAsUpdate(doc, sv));
    }
    await sleep(1500);
  };
  try {
    await open(0, rooms);
    const baseline = await serverHeap(server);
    await open(rooms, 2 * rooms);
    const read = await serverHeap(server);
    await write(0, rooms);
    const writtenBaseline = await serverHeap(server);
    await write(rooms, 2 * rooms);
    const written = await serverHeap(server);
    const readKb = (read - baseline) / rooms / 1024;
    return { readKb, writtenKb: readKb + (written - writtenBaseline) / rooms / 1024 };
  } finally {
    for (const socket of sockets) socket.close();
    await stopServerProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- report ---

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const ratio = (ours: number, theirs: number) => (theirs === 0 ? 'n/a' : `${fmt(ours / theirs, 2)}x`);

/** A table row of one figure for the three servers, then Pizhu's ratio to each peer. */
function peerRow<M extends string>(label: string, byKind: Record<Kind, Record<M, number>>, m: M): string {
  const [ours, hocuspocus, yws] = [byKind.pizhu[m], byKind.hocuspocus[m], byKind['y-websocket-server'][m]];
  return `| ${label} | ${fmt(ours)} | ${fmt(hocuspocus)} | ${fmt(yws)} | ${ratio(ours, hocuspocus)} | ${ratio(ours, yws)} |`;
}

/** A BENCH_ONLY_FANOUT or _ROOMS value: `<kind>[+<kind>...]` then the scenario's three numbers. */
function onlySpec(spec: string): { kinds: Kind[]; numbers: [number, number, number] } {
  const [kinds, a, b, c] = spec.split(',');
  return { kinds: kinds!.split('+') as Kind[], numbers: [Number(a), Number(b), Number(c)] };
}

async function main() {
  const started = Date.now();
  console.log(`Pizhu sync server benchmark: ${RUNS} run(s) per figure, medians; Node ${process.version}`);
  const results: Record<string, unknown> = { node: process.version, runs: RUNS, date: new Date().toISOString() };
  // Each scenario runs long enough for a few hundred writes: p99 over 200 writes (5 probes each) is decided by
  // the two or three slowest writes, i.e. by whichever garbage collection or scheduler hiccup lands on them.
  const scenarios: Scenario[] = [
    { name: '20 subscribers x 20 updates/s', shape: 'one room', subscribers: 20, rate: 20, seconds: 30 },
    { name: '100 subscribers x 50 updates/s', shape: 'one room', subscribers: 100, rate: 50, seconds: 30 },
    { name: '1,000 rooms x 2 sockets, 1 update/s each', shape: 'many rooms', rooms: 1000, ratePerRoom: 1, seconds: 30 },
  ];
  const fan: Record<string, Record<Kind, FanoutResult>> = {};
  for (const scenario of scenarios) {
    // Runs interleave the servers so a change in the machine's load during the benchmark falls on all three alike.
    fan[scenario.name] = await interleaved(KINDS, runnerOf(scenario));
    for (const kind of KINDS) {
      const f = fan[scenario.name]![kind];
      console.log(
        `  fan-out ${scenario.name}, ${kind}: p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms (p99 of each run: ${f.runP99s.map((x) => fmt(x)).join(', ')}), delivered ${f.delivered}/${f.expected}, server event loop busy ${fmt(f.serverBusy * 100, 0)}%, longest loop delay ${fmt(f.loopDelayMaxMs)} ms, GC ${fmt(f.gcTotalMs)} ms (longest ${fmt(f.gcMaxMs)})`,
      );
    }
  }
  results.fanout = fan;

  const big = roomState(10_000);
  const cold = {} as Record<Kind, ColdResult>;
  for (const kind of KINDS) {
    cold[kind] = await coldLoad(kind, big, Math.max(5, RUNS));
    console.log(
      `  cold load 10k, ${kind}: answer ${fmt(cold[kind].answerMs)} ms, applied ${fmt(cold[kind].appliedMs)} ms`,
    );
  }
  results.coldLoad = { stateBytes: big.byteLength, ...cold };

  const small = roomState(100);
  const memory = {} as Record<Kind, MemoryResult>;
  for (const kind of KINDS) {
    const runs: MemoryResult[] = [];
    for (let r = 0; r < RUNS; r++) runs.push(await memoryPerRoom(kind, small, 200));
    memory[kind] = { readKb: median(runs.map((x) => x.readKb)), writtenKb: median(runs.map((x) => x.writtenKb)) };
    console.log(
      `  memory per 100-annotation room, ${kind}: ${fmt(memory[kind].readKb)} KB read-only, ${fmt(memory[kind].writtenKb)} KB after a write`,
    );
  }
  results.memory = { roomStateBytes: small.byteLength, ...memory };

  const lines: string[] = [];
  lines.push(
    '',
    '| figure | Pizhu | Hocuspocus 4.7.0 | @y/websocket-server 0.1.1 | Pizhu / Hocuspocus | Pizhu / y-ws-server |',
  );
  lines.push('|---|---|---|---|---|---|');
  for (const scenario of scenarios) {
    const f = fan[scenario.name]!;
    for (const p of ['p50', 'p99'] as const) lines.push(peerRow(`fan-out ${scenario.name}, ${p} (ms)`, f, p));
    lines.push(
      `| fan-out ${scenario.name}, delivered / expected | ${f.pizhu.delivered}/${f.pizhu.expected} | ${f.hocuspocus.delivered}/${f.hocuspocus.expected} | ${f['y-websocket-server'].delivered}/${f['y-websocket-server'].expected} | | |`,
    );
  }
  lines.push(peerRow('cold load 10k annotations, until the answer arrives (ms)', cold, 'answerMs'));
  lines.push(peerRow('cold load 10k annotations, until applied by the client (ms)', cold, 'appliedMs'));
  lines.push(peerRow('heap per open 100-annotation room, read (KB)', memory, 'readKb'));
  lines.push(peerRow('heap per open 100-annotation room, after a write (KB)', memory, 'writtenKb'));
  lines.push(
    '',
    `10k-annotation state: ${big.byteLength} bytes; 100-annotation state: ${small.byteLength} bytes. Took ${Math.round((Date.now() - started) / 1000)} s.`,
  );
  console.log(lines.join('\n'));
  writeFileSync(path.join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

if (process.env.BENCH_ONLY_FANOUT) {
  // <kind>[+<kind>...],<subscribers>,<rate>,<seconds>: BENCH_RUNS interleaved runs of those servers, combined.
  const { kinds, numbers } = onlySpec(process.env.BENCH_ONLY_FANOUT);
  const [subscribers, rate, seconds] = numbers;
  console.log(await interleaved(kinds, runnerOf({ name: 'one room', shape: 'one room', subscribers, rate, seconds })));
} else if (process.env.BENCH_ONLY_ROOMS) {
  // <kind>[+<kind>...],<rooms>,<updates per second per room>,<seconds>
  const { kinds, numbers } = onlySpec(process.env.BENCH_ONLY_ROOMS);
  const [rooms, ratePerRoom, seconds] = numbers;
  console.log(
    await interleaved(kinds, runnerOf({ name: 'many rooms', shape: 'many rooms', rooms, ratePerRoom, seconds })),
  );
} else if (process.env.BENCH_ONLY_COLD) {
  console.log(await coldLoad(process.env.BENCH_ONLY_COLD as Kind, roomState(10_000), 2));
} else if (process.env.BENCH_ONLY_MEMORY) {
  console.log(await memoryPerRoom(process.env.BENCH_ONLY_MEMORY as Kind, roomState(100), 200));
} else {
  await main();
}
