/**
 * The y-websocket protocol and the per-socket limits, spoken by raw `ws` clients: what the server sends first,
 * updates whose dependencies arrive late or never, malformed frames, size, rate and connection limits,
 * presence. Each refusal closes only the offending socket.
 */
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { notesMap, roomIdFor } from '../../../shared/model/index.ts';
import { CLOSE_CODES } from '../../../shared/protocol/api.ts';
import type { StartOptions } from '../../../server/index.ts';
import {
  decodeClientMessage,
  encodeAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  MESSAGE_QUERY_AWARENESS,
} from '../../../server/sync/protocol.ts';
import {
  connectProvider,
  createTeamWithOwner,
  openRaw,
  type RawClient,
  startTestServer,
  type TestServer,
  ticketFor,
  waitFor,
  refusedCount,
} from './helpers.ts';
import { noteText, putNote } from './fixtures.ts';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.cleanup();
  server = null;
});

async function setup(options: StartOptions = {}) {
  server = await startTestServer(options);
  const team = await createTeamWithOwner(server, 'P');
  const room = roomIdFor(team.teamId, 'doc');
  const open = async (): Promise<RawClient> => {
    const client = openRaw(server!, room, await ticketFor(server!, team.owner.token, room));
    await client.opened;
    return client;
  };
  return { server, team, room, open };
}

/** Server messages decode with the same strict decoder as client ones (the formats are symmetric). */
const kinds = (client: RawClient) => client.messages.map((m) => decodeClientMessage(m).type);

function awarenessUpdate(client: number, clock: number, state: unknown): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarString(encoder, JSON.stringify(state));
  return encoding.toUint8Array(encoder);
}

/** Two updates of one client where the second builds on the first (it replaces the member's note k). */
function dependentUpdates(member: { memberId: string }): [Uint8Array, Uint8Array] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  putNote(doc, member, 'k', 'first');
  putNote(doc, member, 'k', 'second');
  return [updates[0]!, updates[1]!];
}

describe('y-websocket protocol', () => {
  it('sends sync step 1 as soon as the socket opens and answers step 1 with step 2', async () => {
    const { open } = await setup();
    const client = await open();
    await waitFor(() => client.messages.length >= 1);
    expect(kinds(client)[0]).toBe('sync-step-1');
    client.ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
    await waitFor(() => kinds(client).includes('sync-step-2'));
    client.ws.close();
  });

  it('holds an update whose dependency comes next, then stores and relays both', async () => {
    const { open, server, team, room } = await setup();
    const observer = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, observer);
    const client = await open();
    const [first, second] = dependentUpdates(team.owner);
    client.ws.send(encodeUpdate(second));
    await new Promise((r) => setTimeout(r, 100));
    expect(noteText(observer, team.owner, 'k')).toBeUndefined();
    client.ws.send(encodeUpdate(first));
    await waitFor(() => noteText(observer, team.owner, 'k') === 'second');
    expect(await refusedCount(server, 'pending')).toBe(0);
    client.ws.close();
    provider.destroy();
  });

  it('closes with 4400 when a dependency never arrives, and never stores or relays the update', async () => {
    const { open, server, team, room } = await setup({ timings: { pendingTimeoutMs: 300 } });
    const observer = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, observer);
    const client = await open();
    const [, second] = dependentUpdates(team.owner);
    client.ws.send(encodeUpdate(second));
    expect((await client.closed).code).toBe(CLOSE_CODES.malformed);
    expect(await refusedCount(server, 'pending')).toBe(1);
    const late = new Y.Doc();
    const lateProvider = await connectProvider(server, team.owner.token, room, late);
    expect(notesMap(late).size).toBe(0);
    expect(late.store.pendingStructs).toBeNull();
    expect(notesMap(observer).size).toBe(0);
    provider.destroy();
    lateProvider.destroy();
  });

  it('closes with 4400 on garbage, text frames and server-only messages; other sockets keep syncing', async () => {
    const { open, server, team, room } = await setup();
    const a = new Y.Doc();
    const b = new Y.Doc();
    const pa = await connectProvider(server, team.owner.token, room, a);
    const pb = await connectProvider(server, team.owner.token, room, b);
    const frames: (Uint8Array | string)[] = [
      new Uint8Array([0, 2, 200, 1, 2, 3]), // truncated update
      new Uint8Array([7]), // unknown type
      new Uint8Array([2, 0]), // auth: server only
      new Uint8Array([0, 1, 3, 255, 255, 255]), // step 2 with garbage update
      new Uint8Array([0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]), // huge varint
      'hello', // text frame
    ];
    for (const frame of frames) {
      const client = await open();
      client.ws.send(frame);
      expect((await client.closed).code, String(frame)).toBe(CLOSE_CODES.malformed);
    }
    putNote(a, team.owner, 'still', 'works');
    await waitFor(() => noteText(b, team.owner, 'still') === 'works');
    pa.destroy();
    pb.destroy();
  });

  it('closes a frame over maxMessageBytes with 1009 (ws maxPayload)', async () => {
    const { open } = await setup({ limits: { maxMessageBytes: 64 * 1024 } });
    const client = await open();
    client.ws.send(new Uint8Array(100 * 1024));
    expect((await client.closed).code).toBe(CLOSE_CODES.tooLarge);
  });

  it('closes a socket that sends too fast with 4529', async () => {
    const { open, server } = await setup({ limits: { messagesPerSecond: 10, messageBurst: 20 } });
    const client = await open();
    for (let i = 0; i < 60; i++) client.ws.send(new Uint8Array([MESSAGE_QUERY_AWARENESS]));
    expect((await client.closed).code).toBe(CLOSE_CODES.rateLimited);
    expect(await refusedCount(server, 'rate_limited')).toBe(1);
  });

  it('refuses more connections per member than allowed (429)', async () => {
    const { open, server, team, room } = await setup({ limits: { connectionsPerMember: 2 } });
    const first = await open();
    const second = await open();
    const third = openRaw(server, room, await ticketFor(server, team.owner.token, room));
    expect(await third.refused).toBe(429);
    first.ws.close();
    await first.closed;
    await waitFor(async () => (await server.metrics.value('pizhu_connections')) === 1);
    const fourth = await open();
    second.ws.close();
    fourth.ws.close();
  });

  it('refuses an update that would make the room too large (4413) and stores none of it', async () => {
    const { open, server, team, room } = await setup({ limits: { maxRoomBytes: 20_000 } });
    const client = await open();
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    putNote(doc, team.owner, 'big', 'x'.repeat(19_000));
    putNote(doc, team.owner, 'big2', 'x'.repeat(19_000));
    client.ws.send(encodeUpdate(Y.mergeUpdates(updates)));
    expect((await client.closed).code).toBe(CLOSE_CODES.roomFull);
    const reader = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, reader);
    expect(noteText(reader, team.owner, 'big')).toBeUndefined();
    provider.destroy();
  });

  it('keeps a busy room with a small state open: the size limit counts the compacted state, not appended bytes', async () => {
    // Five notes of about 40 KB rewritten 20 times a second (a 200 KB room) append 800 KB/s: four times the limit.
    const limit = 1024 * 1024;
    const { server, team, room } = await setup({ limits: { maxRoomBytes: limit } });
    const writer = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, writer);
    const closes: number[] = [];
    provider.on('connection-close', (event) => closes.push(event?.code ?? 0));
    const text = (round: number) => `${round}`.padEnd(13_000, '批'); // 3 bytes a character
    for (let round = 0; round < 100; round++) {
      putNote(writer, team.owner, `note${round % 5}`, text(round));
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(
      async () => (await server.metrics.value('pizhu_updates_total')) === 100,
      10_000,
      'not every rewrite was accepted',
    );
    expect(closes).toEqual([]);
    expect(await refusedCount(server, 'room_full')).toBe(0);
    // Compaction did not wait for a pause in the writing: what is stored is about the live state.
    const storedBytes = async () =>
      Number(/^pizhu_bytes_stored (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
    expect(await storedBytes()).toBeLessThan(limit);
    const reader = new Y.Doc();
    const readerProvider = await connectProvider(server, team.owner.token, room, reader);
    expect(noteText(reader, team.owner, 'note4')).toBe(text(99));
    readerProvider.destroy();
    provider.destroy();

    // A state that really outgrows the limit is still refused.
    const client = openRaw(server, room, await ticketFor(server, team.owner.token, room));
    await client.opened;
    const big = new Y.Doc();
    const updates: Uint8Array[] = [];
    big.on('update', (u: Uint8Array) => updates.push(u));
    for (let k = 0; k < 20; k++) putNote(big, team.owner, `big${k}`, '批'.repeat(20_000));
    client.ws.send(encodeUpdate(Y.mergeUpdates(updates)));
    expect((await client.closed).code).toBe(CLOSE_CODES.roomFull);
  });

  it('closes a subscriber that stops reading once its backlog passes maxBufferedBytes (4508)', async () => {
    const { open, server, team, room } = await setup({
      limits: {
        maxBufferedBytes: 256 * 1024,
        maxRoomBytes: 256 * 1024 * 1024,
        messagesPerSecond: 10_000,
        messageBurst: 10_000,
      },
    });
    const slow = await open();
    // Stop reading: the server's sends pile up in its socket buffer.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const writer = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, writer);
    const chunk = 'y'.repeat(19_000);
    for (let i = 0; i < 1000 && (await refusedCount(server, 'slow_consumer')) === 0; i++) {
      putNote(writer, team.owner, `k${i}`, chunk);
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(async () => (await refusedCount(server, 'slow_consumer')) === 1, 20_000);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.closed).code).toBe(CLOSE_CODES.slowConsumer);
    provider.destroy();
  });
});

describe('presence', () => {
  it('relays presence, sends it to newcomers, and removes a closed socket’s presence', async () => {
    const { open } = await setup();
    const a = await open();
    a.ws.send(encodeAwareness(awarenessUpdate(111, 1, { user: { name: '张三' } })));
    const b = await open();
    await waitFor(() => kinds(b).includes('awareness'));
    const c = await open();
    await waitFor(() => kinds(c).includes('awareness'));
    const before = c.messages.length;
    a.ws.close();
    await waitFor(() => c.messages.slice(before).some((m) => decodeClientMessage(m).type === 'awareness'));
    b.ws.close();
    c.ws.close();
  });

  it('does not let a socket overwrite another socket’s presence', async () => {
    const { open, server } = await setup();
    const a = await open();
    a.ws.send(encodeAwareness(awarenessUpdate(222, 1, { user: { name: 'A' } })));
    const b = await open();
    await waitFor(() => kinds(b).includes('awareness'));
    b.ws.send(encodeAwareness(awarenessUpdate(222, 5, { user: { name: 'impostor' } })));
    await waitFor(async () => (await refusedCount(server, 'presence')) === 1);
    const c = await open();
    await waitFor(() => kinds(c).includes('awareness'));
    const text = Buffer.concat(c.messages.map((m) => Buffer.from(m))).toString('utf8');
    expect(text).toContain('"A"');
    expect(text).not.toContain('impostor');
    for (const client of [a, b, c]) client.ws.close();
  });

  it('closes with 4400 on malformed awareness', async () => {
    const { open } = await setup();
    const client = await open();
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, 5);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, '{not json');
    client.ws.send(encodeAwareness(encoding.toUint8Array(encoder)));
    expect((await client.closed).code).toBe(CLOSE_CODES.malformed);
  });
});

describe('sync step 2 from the client', () => {
  it('applies what a client had offline when it answers the server’s step 1', async () => {
    const { open, server, team, room } = await setup();
    const observer = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, observer);
    const offline = new Y.Doc();
    putNote(offline, team.owner, 'offline', 'edit');
    const client = await open();
    client.ws.send(encodeSyncStep2(Y.encodeStateAsUpdate(offline)));
    await waitFor(() => noteText(observer, team.owner, 'offline') === 'edit');
    client.ws.close();
    provider.destroy();
  });
});
