/**
 * Fuzz: more than 10,000 malformed messages (random bytes, truncated sync messages, updates with missing
 * dependencies, huge varints, bit-flipped updates, broken or hijacked presence) on their own sockets while three real
 * clients keep editing. The clients keep syncing and converge, every edit they made is stored, the stored rows
 * decode to a state without pending structs, and the server stays up.
 */
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { notesMap, roomIdFor } from '../../../shared/model/index.ts';
import { CLOSE_CODES } from '../../../shared/protocol/api.ts';
import {
  decodeClientMessage,
  encodeAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
} from '../../../server/sync/protocol.ts';
import { openDatabase } from '../../../server/storage/sqlite-db.ts';
import { SqliteUpdateStore } from '../../../server/storage/sqlite-updates.ts';
import { putNote } from './fixtures.ts';
import { api, connectProvider, createTeamWithOwner, startTestServer, type TestServer, waitFor } from './helpers.ts';

/** The real clients' notes (a bit flip accepted as content may add others). */
const legitNotes = (doc: Y.Doc) => [...notesMap(doc).keys()].filter((key) => key.includes('/legit-')).length;

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601);
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 10_200);
const QUIET_PER_SOCKET = 4;
const CONCURRENCY = 16;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Valid material to break: updates of a document only the fuzzer writes to (the member's own notes). */
function fuzzerUpdates(random: () => number, member: { memberId: string }): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < 6; i++)
    putNote(doc, member, `fz${Math.floor(random() * 4)}`, 'x'.repeat(Math.floor(random() * 40)));
  notesMap(doc).delete(`${member.memberId}/fz${Math.floor(random() * 4)}`);
  return updates;
}

/**
 * Refused by closing the socket (4400 malformed; a bit flip that still decodes may break the write rules, 4403,
 * or a bound, 4422), or, for a bit flip that still decodes to valid content, accepted.
 */
type FinalKind = 'random' | 'truncated' | 'huge-varint' | 'garbage-payload' | 'bit-flip' | 'awareness';
const FINAL_KINDS: FinalKind[] = ['random', 'truncated', 'huge-varint', 'garbage-payload', 'bit-flip', 'awareness'];
/** Refused without closing: held back (never stored or sent) or ignored. */
type QuietKind = 'missing-deps' | 'presence-hijack';
type Kind = FinalKind | QuietKind;

function malformed(kind: Kind, random: () => number, victims: number[], member: { memberId: string }): Uint8Array {
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  switch (kind) {
    case 'random':
      return bytes(1 + Math.floor(random() * 200));
    case 'truncated': {
      const updates = fuzzerUpdates(random, member);
      const whole =
        random() < 0.5 ? encodeSyncStep2(Y.mergeUpdates(updates)) : encodeSyncStep1(new Uint8Array([2, 5, 9, 7, 3]));
      return whole.subarray(0, 1 + Math.floor(random() * (whole.length - 1)));
    }
    case 'missing-deps': {
      // Later updates without the first: their structs build on items the server never gets.
      const updates = fuzzerUpdates(random, member);
      return encodeUpdate(Y.mergeUpdates(updates.slice(1 + Math.floor(random() * (updates.length - 1)))));
    }
    case 'presence-hijack': {
      // Presence for a client id that belongs to another socket.
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint(encoder, victims[Math.floor(random() * victims.length)]!);
      encoding.writeVarUint(encoder, 1_000 + Math.floor(random() * 1_000));
      encoding.writeVarString(encoder, random() < 0.3 ? 'null' : '{"user":{"name":"impostor"}}');
      return encodeAwareness(encoding.toUint8Array(encoder));
    }
    case 'huge-varint': {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, Math.floor(random() * 3));
      encoding.writeVarUint(encoder, Math.floor(random() * 3));
      for (let i = 0; i < 8 + Math.floor(random() * 4); i++) encoding.writeUint8(encoder, 0xff);
      encoding.writeUint8(encoder, 0x7f);
      encoding.writeUint8Array(encoder, bytes(Math.floor(random() * 20)));
      return encoding.toUint8Array(encoder);
    }
    case 'garbage-payload':
      return encodeUpdate(bytes(1 + Math.floor(random() * 120)));
    case 'bit-flip': {
      const message = encodeUpdate(Y.mergeUpdates(fuzzerUpdates(random, member)));
      const copy = message.slice();
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
        const at = 3 + Math.floor(random() * (copy.length - 3));
        copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
      }
      return copy;
    }
    case 'awareness': {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1 + Math.floor(random() * 3));
      encoding.writeVarUint(encoder, Math.floor(random() * 1e9));
      encoding.writeVarUint(encoder, Math.floor(random() * 10));
      encoding.writeVarString(encoder, random() < 0.5 ? '{"user":' : String.fromCharCode(...bytes(10)));
      return encodeAwareness(encoding.toUint8Array(encoder));
    }
  }
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    // One member sends every malformed message here; its time budget is not what this test is about.
    limits: { connectionsPerMember: 100_000, memberCpuBudgetMs: 600_000 },
    timings: { pendingTimeoutMs: 200 },
  });
});
afterAll(async () => {
  await server.cleanup();
});

describe('fuzzing the sync endpoint', () => {
  it(`survives ${MESSAGES} malformed messages during normal sync (seed ${SEED})`, async () => {
    const random = mulberry32(SEED);
    const team = await createTeamWithOwner(server, 'Fuzz');
    const room = roomIdFor(team.teamId, 'fuzzed');
    const principal = (await server.teams.authenticate(`Bearer ${team.owner.token}`))!;

    // Three real clients edit throughout.
    const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
    const providers = await Promise.all(docs.map((d) => connectProvider(server, team.owner.token, room, d)));
    const written: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const key = `legit-${i}`;
        putNote(docs[i % docs.length]!, team.owner, key, String(i));
        written.push(key);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();

    const victims = providers.map((p) => p.awareness.clientID);
    const ACCEPTED = 0;
    const counts = new Map<Kind, number>();
    const closeCodes = new Map<number, number>();
    let processed = 0;
    let sockets = 0;
    const started = Date.now();
    const worker = async () => {
      while (processed < MESSAGES) {
        sockets++;
        if (sockets % 200 === 0 && process.env.FUZZ_PROGRESS) console.log(sockets, processed, Date.now() - started);
        // A few messages refused without closing, each followed by a probe, then one that closes the socket.
        const quiet: Kind[] = Array.from({ length: QUIET_PER_SOCKET }, () =>
          random() < 0.7 ? 'missing-deps' : 'presence-hijack',
        );
        const final = FINAL_KINDS[Math.floor(random() * FINAL_KINDS.length)]!;
        const messages = [...quiet, final].map((kind) => {
          counts.set(kind, (counts.get(kind) ?? 0) + 1);
          return malformed(kind, random, victims, team.owner);
        });
        const { ticket } = await server.teams.issueTicket(principal, room);
        const outcome = await new Promise<{ code: number; answered: number }>((resolve) => {
          const ws = new WebSocket(`${server.wsUrl}/${room}?ticket=${ticket}`);
          let answered = 0;
          ws.on('unexpected-response', (_req, res) => {
            resolve({ code: -(res.statusCode ?? 0), answered });
            ws.terminate();
          });
          ws.on('error', () => {});
          ws.on('message', (data: Buffer) => {
            const message = decodeClientMessage(new Uint8Array(data));
            if (message.type === 'sync-step-1') {
              // The server's step 1 (sent on open). Each malformed message is followed by a probe, a step 1
              // with the server's own state vector: its (tiny) answer shows the message before it was processed
              // without closing the socket.
              const probe = encodeSyncStep1(message.stateVector);
              for (const m of messages) {
                ws.send(m);
                ws.send(probe);
              }
            } else if (message.type === 'sync-step-2') {
              answered++;
              if (answered === messages.length) {
                resolve({ code: ACCEPTED, answered });
                ws.close();
              }
            }
          });
          ws.on('close', (code) => resolve({ code, answered }));
        });
        closeCodes.set(outcome.code, (closeCodes.get(outcome.code) ?? 0) + 1);
        processed += outcome.answered + (outcome.code > 4000 ? 1 : 0);
        // Every quiet message must have been processed without closing the socket.
        if (outcome.answered < QUIET_PER_SOCKET) throw new Error(`socket closed early: ${JSON.stringify(outcome)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    writing = false;
    await writer;

    console.log(
      `fuzz seed ${SEED}: ${processed} malformed messages processed on ${sockets} sockets`,
      Object.fromEntries(counts),
      'close codes (0 = the last message was accepted as content)',
      Object.fromEntries(closeCodes),
      'server rejections',
      await server.metrics.registry.getSingleMetricAsString('pizhu_rejected_messages_total'),
    );
    expect(processed).toBeGreaterThanOrEqual(MESSAGES);
    // Every socket ended refused (4400, or for a bit flip that still decodes 4403 or 4422) or, for a bit flip that
    // still decodes to valid content, with its message accepted.
    const refusals: number[] = [CLOSE_CODES.malformed, CLOSE_CODES.forbidden, CLOSE_CODES.tooCostly];
    expect([...closeCodes.keys()].every((code) => refusals.includes(code) || code === ACCEPTED)).toBe(true);
    expect(closeCodes.get(4400) ?? 0).toBeGreaterThan(sockets * 0.7);

    // The real clients converge and hold every edit any of them made.
    await waitFor(() => docs.every((d) => legitNotes(d) === written.length), 20_000, 'legit edits lost');
    expect((await api(server, 'GET', '/health')).body).toEqual({ status: 'ok' });
    await waitFor(
      async () => (await server.metrics.value('pizhu_connections')) === docs.length,
      5_000,
      'fuzz sockets still open',
    );
    for (const provider of providers) provider.destroy();

    // What is stored decodes without pending structs and holds every edit (read after a graceful stop, which
    // compacts the room).
    await waitFor(async () => (await server.metrics.value('pizhu_connections')) === 0, 5_000);
    await server.close();
    const db = openDatabase(server.dataDir);
    try {
      const stored = await new SqliteUpdateStore(db).load(room);
      const doc = new Y.Doc();
      for (const row of stored!.rows) Y.applyUpdate(doc, row.update);
      expect(doc.store.pendingStructs).toBeNull();
      expect(doc.store.pendingDs).toBeNull();
      expect(legitNotes(doc)).toBe(written.length);
    } finally {
      db.close();
    }
  }, 300_000);
});
