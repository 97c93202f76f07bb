/**
 * Benchmark clients and server processes. One socket type speaks both wire formats: the y-websocket protocol
 * (Pizhu, @y/websocket-server: one document per socket) and Hocuspocus's (every message prefixed with the
 * document name, an auth message first). The same code drives all three servers.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { SERVER_DIST } from '../../scripts/build-server.mjs';
import { type Annotation, idsOfMemberKeys, notesMap } from '../../shared/model/index.ts';

export type Kind = 'pizhu' | 'hocuspocus' | 'y-websocket-server';
export const KINDS: Kind[] = ['pizhu', 'hocuspocus', 'y-websocket-server'];

export type Running = {
  kind: Kind;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Pizhu only: a member token for tickets, and the team rooms belong to. */
  token?: string;
  teamId?: string;
  /** Pizhu only: the member behind the token, who writes the benchmark's annotations (room layout v2). */
  memberId?: string;
};

/**
 * Every server process runs plain JavaScript under plain `node` with Node's defaults: child.ts bundled here, and
 * Pizhu as users run it, from its build in dist/server (`npm run bench:server` builds it first).
 */
const CHILD = path.join(SERVER_DIST, '../bench/server-child.mjs');
buildSync({
  entryPoints: [path.join(import.meta.dirname, 'child.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: CHILD,
  logLevel: 'warning',
});

export function newDataDir(kind: Kind): string {
  return mkdtempSync(path.join(tmpdir(), `bench-${kind}-`));
}

export async function startServerProcess(kind: Kind, dataDir: string, token?: string): Promise<Running> {
  const child = fork(CHILD, [kind, dataDir], {
    // BENCH_PIZHU_MODULE runs another build of Pizhu instead (e.g. an earlier commit's dist/server/index.js).
    env: { ...process.env, PIZHU_SERVER_MODULE: process.env.BENCH_PIZHU_MODULE ?? path.join(SERVER_DIST, 'index.js') },
    execArgv: [
      ...(process.env.BENCH_PROFILE === kind
        ? [
            '--cpu-prof',
            '--cpu-prof-dir=/tmp/bench-prof',
            '--cpu-prof-interval',
            process.env.BENCH_PROFILE_INTERVAL ?? '1000',
          ]
        : []),
      ...(process.env.BENCH_TRACE_GC === kind ? [process.env.BENCH_TRACE_GC_FLAG ?? '--trace-gc'] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; teamId?: string; inviteCode?: string }>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number; teamId?: string; inviteCode?: string }) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  const running: Running = { kind, port: ready.port, dataDir, child, teamId: ready.teamId, token };
  if (kind === 'pizhu' && !token) {
    const res = await fetch(`http://127.0.0.1:${ready.port}/api/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inviteCode: ready.inviteCode, displayName: 'bench' }),
    });
    const joined = (await res.json()) as { token: string; memberId: string };
    running.token = joined.token;
    running.memberId = joined.memberId;
  } else if (kind === 'pizhu') {
    // A restarted server with the seeding member's token: that member writes (room layout v2 refuses others).
    const res = await fetch(`http://127.0.0.1:${ready.port}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    running.memberId = ((await res.json()) as { memberId: string }).memberId;
  }
  return running;
}

export async function stopServerProcess(running: Running): Promise<void> {
  const exited = new Promise((r) => running.child.once('exit', r));
  running.child.send({ type: 'stop' });
  await exited;
}

export async function serverHeap(running: Running): Promise<number> {
  return new Promise((resolve) => {
    running.child.once('message', (m: { heapUsed: number }) => resolve(m.heapUsed));
    running.child.send({ type: 'memory' });
  });
}

/** The server process's event-loop utilisation since the previous call (0..1). */
export type ServerPauses = {
  utilization: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
};

export async function serverBusy(running: Running): Promise<ServerPauses> {
  return new Promise((resolve) => {
    running.child.once('message', (m: ServerPauses) => resolve(m));
    running.child.send({ type: 'elu' });
  });
}

/** Room names valid on every server (Pizhu wants "<teamId>.<key>"). */
export function roomName(running: Running, key: string): string {
  return `${running.teamId ?? 'bench'}.${key}`;
}

export type SyncHandler = (step: 0 | 1 | 2, payload: Uint8Array) => void;

export class BenchSocket {
  frames = 0;
  private handler: SyncHandler = () => {};

  private constructor(
    readonly ws: WebSocket,
    private readonly kind: Kind,
    private readonly room: string,
  ) {}

  /** The socket URL (for Pizhu this fetches a ticket: done before any clock starts). */
  static async urlFor(running: Running, room: string): Promise<string> {
    let url: string;
    if (running.kind === 'pizhu') {
      const res = await fetch(`http://127.0.0.1:${running.port}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${running.token}` },
        body: JSON.stringify({ room }),
      });
      const { ticket } = (await res.json()) as { ticket: string };
      url = `ws://127.0.0.1:${running.port}/sync/${room}?ticket=${ticket}`;
    } else if (running.kind === 'y-websocket-server') {
      url = `ws://127.0.0.1:${running.port}/${room}`;
    } else {
      url = `ws://127.0.0.1:${running.port}`;
    }
    return url;
  }

  static async open(running: Running, room: string, onSync?: SyncHandler, preparedUrl?: string): Promise<BenchSocket> {
    const url = preparedUrl ?? (await BenchSocket.urlFor(running, room));
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    const socket = new BenchSocket(ws, running.kind, room);
    if (onSync) socket.handler = onSync;
    ws.on('message', (data: Buffer) => socket.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    ws.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (running.kind === 'hocuspocus') {
      // Hocuspocus needs an auth message (any token without an onAuthenticate hook) before it syncs.
      const authenticated = new Promise<void>((resolve) => (socket.onAuthenticated = resolve));
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, room);
      encoding.writeVarUint(encoder, 2);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarString(encoder, 'token');
      ws.send(encoding.toUint8Array(encoder));
      await authenticated;
    }
    return socket;
  }

  private onAuthenticated: () => void = () => {};

  setHandler(handler: SyncHandler): void {
    this.handler = handler;
  }

  private receive(data: Uint8Array): void {
    this.frames++;
    const decoder = decoding.createDecoder(data);
    if (this.kind === 'hocuspocus') decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === 2 && this.kind === 'hocuspocus') {
      this.onAuthenticated();
      return;
    }
    if (type !== 0) return; // awareness and others are not measured
    const step = decoding.readVarUint(decoder) as 0 | 1 | 2;
    this.handler(step, decoding.readVarUint8Array(decoder));
  }

  send(step: 0 | 1 | 2, payload: Uint8Array): void {
    const encoder = encoding.createEncoder();
    if (this.kind === 'hocuspocus') encoding.writeVarString(encoder, this.room);
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, step);
    encoding.writeVarUint8Array(encoder, payload);
    this.ws.send(encoding.toUint8Array(encoder));
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * The benchmarks' annotation number `i`, by `author` (on Pizhu the member writing it: the server refuses others'
 * records). The same shape in every server benchmark, so their figures compare.
 */
export function benchAnnotation(id: string, i: number, author = 'm1'): Annotation {
  return {
    id,
    documentKey: 'bench',
    teamId: 'bench',
    selectors: [{ type: 'TextQuoteSelector', exact: `第${i}条 促进学生身心健康全面发展` }],
    clausePath: ['二、', `${(i % 20) + 1}.`],
    quote: `第${i}条 促进学生身心健康全面发展`,
    tags: ['体育', `标签${i % 7}`],
    note: `批注 ${i}`,
    color: 'yellow',
    author: { id: author, name: '张三' },
    visibility: 'team',
    replyTo: null,
    createdAt: i,
    updatedAt: i,
    deleted: false,
  };
}

export const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A fan-out probe: a subscriber that applies what it receives and calls `arrived(key, now)` for every note key
 * an update brought, so the caller can time it against when the note was written.
 */
export async function openProbe(
  running: Running,
  room: string,
  arrived: (key: string, now: number) => void,
): Promise<BenchSocket> {
  const doc = new Y.Doc();
  notesMap(doc).observe((event) => {
    const now = performance.now();
    for (const key of idsOfMemberKeys(event.keysChanged)) arrived(key, now);
  });
  const socket = await BenchSocket.open(running, room, (step, payload) => {
    if (step !== 0) Y.applyUpdate(doc, payload);
  });
  socket.send(0, EMPTY_STATE_VECTOR);
  return socket;
}

/** A subscriber that only counts the update frames it receives (no decoding: a hundred of them stay cheap). */
export async function openSink(running: Running, room: string, counted: () => void): Promise<BenchSocket> {
  const socket = await BenchSocket.open(running, room, (step) => {
    if (step === 2) counted();
  });
  socket.send(0, EMPTY_STATE_VECTOR);
  return socket;
}

/** A room, the server its writer sends to and the one its subscriber listens on (the same one, or another). */
export type RoomRoute = { room: string; writer: Running; subscriber: Running };

/**
 * Many rooms written at a steady rate, a writer and a subscriber for each: every write is timed from sending it to
 * its room's subscriber receiving the frame (counted from the warm-up on). The updates are computed before any
 * clock starts, so the driver only sends bytes and times frames.
 */
export class TimedRooms {
  readonly latencies: number[] = [];
  delivered = 0;
  private measuring = false;
  private readonly sentAt: number[][];
  private readonly writers: BenchSocket[] = [];
  private readonly sockets: BenchSocket[] = [];

  private constructor(rooms: number) {
    this.sentAt = Array.from({ length: rooms }, () => []);
  }

  /** Opens every room's subscriber and writer, one room after the other, each synced before the next. */
  static async open(routes: readonly RoomRoute[]): Promise<TimedRooms> {
    const rooms = new TimedRooms(routes.length);
    try {
      for (const [r, route] of routes.entries()) await rooms.openRoom(r, route);
    } catch (error) {
      rooms.close();
      throw error;
    }
    return rooms;
  }

  /**
   * Sends `total` writes, `perSecond` of them a second spread evenly, to the rooms in turn (the k-th round sends
   * `updates[k]` to every room). Before write number `warmup` it starts timing and runs `warm` (a server probe).
   */
  async pace(
    updates: readonly Uint8Array[],
    total: number,
    perSecond: number,
    warmup: number,
    warm?: () => Promise<unknown>,
  ): Promise<void> {
    const rooms = this.writers.length;
    const interval = 1000 / perSecond;
    const start = performance.now();
    for (let n = 0; n < total; ) {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; n < due; n++) {
        if (n === warmup) {
          this.measuring = true;
          if (warm) await warm();
        }
        const r = n % rooms;
        this.sentAt[r]!.push(performance.now());
        this.writers[r]!.send(2, updates[Math.floor(n / rooms)]!);
      }
      await sleep(1);
    }
  }

  /** Waits until `expected` frames arrived or `timeoutMs` passed; timing stops then. */
  async drain(expected: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.delivered < expected && performance.now() < deadline) await sleep(50);
    this.measuring = false;
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }

  private async openRoom(r: number, { room, writer: writerAt, subscriber: subscriberAt }: RoomRoute): Promise<void> {
    let synced!: () => void;
    const ready = new Promise<void>((resolve) => (synced = resolve));
    const subscriber = await BenchSocket.open(subscriberAt, room, (step) => {
      if (step === 1) synced();
      if (step !== 2) return;
      this.delivered++;
      const at = this.sentAt[r]!.shift();
      if (at !== undefined && this.measuring) this.latencies.push(performance.now() - at);
    });
    this.sockets.push(subscriber);
    subscriber.send(0, EMPTY_STATE_VECTOR);
    const writer = await BenchSocket.open(writerAt, room);
    this.sockets.push(writer);
    writer.send(0, EMPTY_STATE_VECTOR);
    await ready;
    this.writers.push(writer);
  }
}
