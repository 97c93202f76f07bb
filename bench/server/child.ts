/**
 * One server of the benchmark in its own process (so its heap can be measured alone), bundled by clients.ts and
 * run with plain node and no flags: `node dist/bench/server-child.mjs <pizhu|hocuspocus|y-websocket-server> <dataDir>`.
 * Reports {port, ...} over IPC once listening; answers {type:'memory'} with the heap after GC; stops on
 * {type:'stop'} (gracefully, so Pizhu compacts its rooms). Pizhu is imported from its build (PIZHU_SERVER_MODULE).
 *
 * Peers get the persistence their users typically add, backed by the same SQLite engine: the whole document
 * state in a `docs` table, loaded when a document opens and stored after changes (Hocuspocus: its debounced
 * onStoreDocument, 2 s / 10 s max; @y/websocket-server: writeState when the last client leaves). Neither stores
 * per update; Pizhu appends every update before sending it on.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { WebSocket, WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { median } from '../stats.ts';

type Ready = { port: number; teamId?: string; inviteCode?: string };

const [kind, dataDir] = process.argv.slice(2) as [string, string];

function peerStore(): { load(name: string): Uint8Array | null; save(name: string, state: Uint8Array): void } {
  const db = new Database(path.join(dataDir, 'peer.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS docs (name TEXT PRIMARY KEY, state BLOB NOT NULL)');
  const select = db.prepare<[string], { state: Buffer }>('SELECT state FROM docs WHERE name = ?');
  const upsert = db.prepare<[string, Buffer]>(
    'INSERT INTO docs (name, state) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET state = excluded.state',
  );
  return {
    load: (name) => {
      const row = select.get(name);
      return row ? new Uint8Array(row.state) : null;
    },
    save: (name, state) => {
      upsert.run(name, Buffer.from(state));
    },
  };
}

async function startPizhu(): Promise<{ ready: Ready; stop: () => Promise<void> }> {
  const module = pathToFileURL(process.env.PIZHU_SERVER_MODULE!).href;
  const { startServer } = (await import(module)) as typeof import('../../server/index.ts');
  const server = await startServer({
    port: 0,
    dataDir,
    logLevel: (process.env.BENCH_LOG_LEVEL as 'warn' | undefined) ?? 'silent',
    // One member seeds and writes everything here, far past a member's share in production: the time budget and
    // the per-team caps are not what this benchmark measures.
    limits: {
      connectionsPerMember: 100_000,
      messagesPerSecond: 10_000,
      messageBurst: 10_000,
      maxLoadedRooms: 100_000,
      maxRoomsPerTeam: 100_000,
      maxSocketsPerTeam: 100_000,
      memberCpuBudgetMs: 1e9,
    },
  });
  const teams = await server.teams.listTeams();
  const team = teams[0] ? { teamId: teams[0].id } : await server.teams.createTeam('bench');
  const invite = await server.teams.createInvite(team.teamId, { role: 'editor' });
  return {
    ready: { port: server.port, teamId: team.teamId, inviteCode: invite.inviteCode },
    stop: () => server.close(),
  };
}

async function startHocuspocus(): Promise<{ ready: Ready; stop: () => Promise<void> }> {
  const { Server } = await import('@hocuspocus/server');
  const store = peerStore();
  const server = new Server({
    port: 0,
    address: '127.0.0.1',
    quiet: true,
    stopOnSignals: false,
    async onLoadDocument({ document, documentName }) {
      const state = store.load(documentName);
      if (state) Y.applyUpdate(document, state);
      return document;
    },
    async onStoreDocument({ document, documentName }) {
      store.save(documentName, Y.encodeStateAsUpdate(document));
    },
  });
  await server.listen();
  return { ready: { port: server.address.port }, stop: () => server.destroy() };
}

async function startYWebsocketServer(): Promise<{ ready: Ready; stop: () => Promise<void> }> {
  const utils = await import('@y/websocket-server/utils');
  const store = peerStore();
  utils.setPersistence({
    provider: null,
    bindState: async (name: string, doc: Y.Doc) => {
      const state = store.load(name);
      if (state) Y.applyUpdate(doc, state);
    },
    writeState: async (name: string, doc: Y.Doc) => {
      store.save(name, Y.encodeStateAsUpdate(doc));
    },
  });
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (conn, req) => utils.setupWSConnection(conn, req));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  return {
    ready: { port },
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const starters: Record<string, () => Promise<{ ready: Ready; stop: () => Promise<void> }>> = {
  pizhu: startPizhu,
  hocuspocus: startHocuspocus,
  'y-websocket-server': startYWebsocketServer,
};

// BENCH_TRACE_SENDS=<file>: per received message that is sent on, the time to its first send, the time each
// send takes and the time the whole message took; medians are appended to <file> with each 'elu' report.
const sendTrace = { firstSend: [] as number[], eachSend: [] as number[], handled: [] as number[] };
if (process.env.BENCH_TRACE_SENDS) traceSends();

function traceSends(): void {
  const proto = WebSocket.prototype as unknown as {
    emit: (...a: unknown[]) => boolean;
    send: (...a: unknown[]) => void;
  };
  const { emit, send } = proto;
  let received = -1;
  let sends = 0;
  proto.emit = function (this: unknown, event: unknown, ...rest: unknown[]) {
    if (event !== 'message') return emit.call(this, event, ...rest);
    received = performance.now();
    sends = 0;
    try {
      return emit.call(this, event, ...rest);
    } finally {
      if (sends > 1) sendTrace.handled.push(performance.now() - received);
      received = -1;
    }
  };
  proto.send = function (this: unknown, ...args: unknown[]) {
    if (received < 0) return send.apply(this, args);
    const start = performance.now();
    if (sends++ === 0) sendTrace.firstSend.push(start - received);
    try {
      return send.apply(this, args);
    } finally {
      sendTrace.eachSend.push(performance.now() - start);
    }
  };
}

function reportSends(file: string): void {
  const line = {
    kind,
    messages: sendTrace.handled.length,
    ...Object.fromEntries(Object.entries(sendTrace).map(([k, v]) => [`${k}Ms`, median(v)])),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
  for (const samples of Object.values(sendTrace)) samples.length = 0;
}

const started = await starters[kind]!();
/** A full collection before the heap is read; gc is exposed only then, so no server runs with it before. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
let lastElu = performance.eventLoopUtilization();
// Pauses the server's clients feel: event-loop delay and garbage-collection pauses since the previous 'elu'.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let gcPauses: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push(entry.duration);
}).observe({ entryTypes: ['gc'] });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'elu') {
    // Event-loop utilisation since the previous call: how busy the server process was.
    const now = performance.eventLoopUtilization();
    const sorted = [...gcPauses].sort((a, b) => a - b);
    process.send!({
      type: 'elu',
      utilization: performance.eventLoopUtilization(now, lastElu).utilization,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      gcCount: sorted.length,
      gcTotalMs: sorted.reduce((a, b) => a + b, 0),
      gcMaxMs: sorted.at(-1) ?? 0,
    });
    lastElu = now;
    if (process.env.BENCH_TRACE_SENDS) reportSends(process.env.BENCH_TRACE_SENDS);
    loopDelay.reset();
    gcPauses = [];
  } else if (message.type === 'memory') {
    for (let i = 0; i < 3; i++) collectGarbage();
    await new Promise((r) => setTimeout(r, 50));
    collectGarbage();
    process.send!({ type: 'memory', heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
  } else if (message.type === 'stop') {
    await started.stop();
    process.send!({ type: 'stopped' }, () => process.exit(0));
  }
});
process.send!({ type: 'ready', ...started.ready });
