/**
 * Offline catch-up over HTTP: a client that held the team's rooms goes offline, colleagues change a few of
 * them, and one request brings back exactly those changes; what it made offline goes back with one push.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { annotationIdsOf, roomIdFor } from '../../../shared/model/index.ts';
import {
  base64ToBytes,
  type BulkSyncResponse,
  bytesToBase64,
  CLOSE_CODES,
  type PushResponse,
} from '../../../shared/protocol/api.ts';
import type { StartOptions } from '../../../server/index.ts';
import { createLogger } from '../../../server/log.ts';
import { openDatabase } from '../../../server/storage/sqlite-db.ts';
import { annotation, authorOf, holds, writeOwn } from './fixtures.ts';
import {
  api,
  connectProvider,
  createTeamWithOwner,
  eventually,
  openRaw,
  startTestServer,
  type TestServer,
  tempDir,
  ticketFor,
  waitFor,
} from './helpers.ts';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.cleanup();
  server = null;
});

const ROOMS = 20;

/** A team with ROOMS rooms of 30 annotations each, written through a live client that stays online. */
async function populatedTeam(options: StartOptions = {}) {
  server = await startTestServer(options);
  const team = await createTeamWithOwner(server, 'Bulk');
  const online = new Map<string, { doc: Y.Doc; destroy: () => void }>();
  for (let r = 0; r < ROOMS; r++) {
    const room = roomIdFor(team.teamId, `doc${r}`);
    const doc = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, doc);
    for (let i = 0; i < 30; i++) {
      writeOwn(
        doc,
        annotation(`a${i}`, team.teamId, `doc${r}`, {
          note: `第${i}条的批注 `.repeat(5),
          author: authorOf(team.owner),
        }),
      );
    }
    online.set(room, { doc, destroy: () => provider.destroy() });
  }
  // Everything written is stored (the index reflects stored updates only).
  await eventually(
    () =>
      api<{ documents: { annotations: number }[] }>(server!, 'GET', `/api/teams/${team.teamId}/documents`, {
        token: team.owner.token,
      }),
    (res) => res.body.documents.length === ROOMS && res.body.documents.every((d) => d.annotations === 30),
  );
  return { server, team, online };
}

async function bulkSync(s: TestServer, token: string, teamId: string, since: string | null, docs: Map<string, Y.Doc>) {
  const rooms = Object.fromEntries([...docs].map(([room, doc]) => [room, bytesToBase64(Y.encodeStateVector(doc))]));
  const res = await api<BulkSyncResponse>(s, 'POST', `/api/teams/${teamId}/sync`, { token, body: { since, rooms } });
  expect(res.status).toBe(200);
  return res.body;
}

describe('bulk catch-up', () => {
  it('returns only the rooms that changed, with bytes proportional to the changes, and takes offline edits back', async () => {
    const { server, team, online } = await populatedTeam();
    // The offline client first catches up with everything.
    const held = new Map<string, Y.Doc>();
    const first = await bulkSync(server, team.owner.token, team.teamId, null, held);
    expect(first.rooms).toHaveLength(ROOMS);
    for (const { room, update } of first.rooms) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, base64ToBytes(update));
      held.set(room, doc);
    }
    const teamTotal = first.rooms.reduce((sum, r) => sum + base64ToBytes(r.update).byteLength, 0);

    // While it is offline, two rooms change a little and it edits a third itself.
    const changedRooms = [roomIdFor(team.teamId, 'doc3'), roomIdFor(team.teamId, 'doc11')];
    let changeBytes = 0;
    for (const room of changedRooms) {
      const doc = online.get(room)!.doc;
      const count = (u: Uint8Array) => (changeBytes += u.byteLength);
      doc.on('update', count);
      writeOwn(
        doc,
        annotation('new', team.teamId, room.split('.')[1]!, { note: '新增', author: authorOf(team.owner) }),
      );
      doc.off('update', count);
    }
    const offlineRoom = roomIdFor(team.teamId, 'doc7');
    writeOwn(
      held.get(offlineRoom)!,
      annotation('offline', team.teamId, 'doc7', { note: '离线时写的', author: authorOf(team.owner) }),
    );
    await new Promise((r) => setTimeout(r, 100));

    const second = await bulkSync(server, team.owner.token, team.teamId, first.cursor, held);
    const returned = new Set(second.rooms.map((r) => r.room));
    // The two changed rooms, plus the room where the client is ahead (so it learns the server's state vector).
    expect(returned).toEqual(new Set([...changedRooms, offlineRoom]));
    const updateBytes = second.rooms.reduce((sum, r) => sum + base64ToBytes(r.update).byteLength, 0);
    console.log(
      `bulk catch-up: ${updateBytes} bytes for ${changeBytes} bytes of changes; team total ${teamTotal} bytes`,
    );
    expect(updateBytes).toBeLessThanOrEqual(changeBytes + 3 * 32);
    expect(updateBytes * 50).toBeLessThan(teamTotal);

    for (const { room, update } of second.rooms) Y.applyUpdate(held.get(room)!, base64ToBytes(update));
    for (const room of changedRooms) expect(holds(held.get(room)!, 'new')).toBe(true);

    // Push what was made offline, computed against the server's state vector from the response.
    const serverVector = base64ToBytes(second.rooms.find((r) => r.room === offlineRoom)!.stateVector);
    const push = await api<PushResponse>(server, 'POST', `/api/teams/${team.teamId}/push`, {
      token: team.owner.token,
      body: {
        updates: [
          { room: offlineRoom, update: bytesToBase64(Y.encodeStateAsUpdate(held.get(offlineRoom)!, serverVector)) },
        ],
      },
    });
    expect(push.status).toBe(200);
    expect(push.body.results).toEqual([{ room: offlineRoom, ok: true }]);
    await waitFor(() => holds(online.get(offlineRoom)!.doc, 'offline'));

    // Caught up: nothing comes back but the client's own push.
    const third = await bulkSync(server, team.owner.token, team.teamId, second.cursor, held);
    expect(third.rooms.map((r) => r.room)).toEqual([offlineRoom]);
    expect(base64ToBytes(third.rooms[0]!.update).byteLength).toBeLessThanOrEqual(2);
    Y.applyUpdate(held.get(offlineRoom)!, base64ToBytes(third.rooms[0]!.update));
    const fourth = await bulkSync(server, team.owner.token, team.teamId, third.cursor, held);
    expect(fourth.rooms).toEqual([]);
    for (const { destroy } of online.values()) destroy();
  }, 60_000);

  it('pages a large catch-up with `more` and a cursor', async () => {
    const { server, team, online } = await populatedTeam({ limits: { maxBulkResponseBytes: 20_000 } });
    const held = new Map<string, Y.Doc>();
    let since: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await bulkSync(server, team.owner.token, team.teamId, since, held);
      pages++;
      for (const { room, update } of page.rooms) {
        const doc = held.get(room) ?? new Y.Doc();
        Y.applyUpdate(doc, base64ToBytes(update));
        held.set(room, doc);
      }
      since = page.cursor;
      if (!page.more) break;
      expect(pages).toBeLessThan(ROOMS + 1);
    }
    expect(pages).toBeGreaterThan(1);
    expect(held.size).toBe(ROOMS);
    for (const [room, doc] of held) expect(annotationIdsOf(doc).length, room).toBe(30);
    for (const { destroy } of online.values()) destroy();
  }, 60_000);

  it('treats a cursor from another database as a fresh start and refuses malformed input', async () => {
    const { server, team, online } = await populatedTeam();
    const fresh = await bulkSync(server, team.owner.token, team.teamId, 'deadbeef:999999', new Map());
    expect(fresh.rooms).toHaveLength(ROOMS);
    const bad = await api(server, 'POST', `/api/teams/${team.teamId}/sync`, {
      token: team.owner.token,
      body: { since: null, rooms: { [roomIdFor(team.teamId, 'doc1')]: '!!!' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request' } });
    const garbage = await api<PushResponse>(server, 'POST', `/api/teams/${team.teamId}/push`, {
      token: team.owner.token,
      body: {
        updates: [{ room: roomIdFor(team.teamId, 'doc1'), update: bytesToBase64(new Uint8Array([1, 2, 3, 4])) }],
      },
    });
    expect(garbage.status).toBe(200);
    expect(garbage.body.results[0]).toMatchObject({ ok: false, error: { code: 'malformed' } });
    // An update whose dependencies the server lacks is refused at once (never stored).
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getMap('annotations').set('k', 1);
    doc.getMap('annotations').set('k', 2);
    const pending = await api<PushResponse>(server, 'POST', `/api/teams/${team.teamId}/push`, {
      token: team.owner.token,
      body: { updates: [{ room: roomIdFor(team.teamId, 'doc1'), update: bytesToBase64(updates[1]!) }] },
    });
    expect(pending.body.results[0]).toMatchObject({ ok: false, error: { code: 'pending' } });
    for (const { destroy } of online.values()) destroy();
  }, 60_000);

  it('refuses a room whose compacted row fails its checksum: listed as unavailable, logged once, counted, never sent', async () => {
    const dataDir = tempDir('pizhu-bulk-corrupt-');
    const first = await startTestServer({ dataDir });
    const team = await createTeamWithOwner(first, 'Corrupt');
    const [damaged, healthy] = ['damaged', 'healthy'].map((key) => roomIdFor(team.teamId, key)) as [string, string];
    for (const room of [damaged, healthy]) {
      const doc = new Y.Doc();
      const provider = await connectProvider(first, team.owner.token, room, doc);
      writeOwn(doc, annotation('a1', team.teamId, room.split('.')[1]!, { note: '原文', author: authorOf(team.owner) }));
      await waitFor(async () => (await first.metrics.value('pizhu_updates_total')) >= (room === damaged ? 1 : 2));
      provider.destroy();
    }
    await first.close(); // compacts each room into one row with its checksum

    const db = openDatabase(dataDir);
    const row = db.prepare('SELECT id, data FROM updates WHERE room = ?').get(damaged) as { id: number; data: Buffer };
    row.data[Math.floor(row.data.length / 2)]! ^= 0x01;
    db.prepare('UPDATE updates SET data = ? WHERE id = ?').run(row.data, row.id);
    db.close();

    const lines: string[] = [];
    server = await startTestServer({
      dataDir,
      logger: createLogger({ level: 'warn', linesPerMinute: 30, write: (line) => lines.push(line) }),
    });
    const answer = await bulkSync(server, team.owner.token, team.teamId, null, new Map());
    expect(answer.rooms.map((r) => r.room)).toEqual([healthy]);
    expect(answer.unavailable).toEqual([{ room: damaged, code: 'corrupt', message: expect.any(String) }]);
    // One line (its first occurrence also prints the stack).
    expect(lines.filter((line) => line.includes('[error]') && line.includes(damaged))).toHaveLength(1);
    expect(await metric(server, 'pizhu_room_reads_refused_total')).toBe(1);

    // The cursor stays before the damaged room, so the next call asks for it again (and refuses it again).
    const again = await bulkSync(server, team.owner.token, team.teamId, answer.cursor, new Map());
    expect(again.unavailable?.map((r) => r.room)).toEqual([damaged]);
    // The socket path refuses it the same way.
    const client = openRaw(server, damaged, await ticketFor(server, team.owner.token, damaged));
    expect((await client.closed).code).toBe(CLOSE_CODES.unavailable);
    expect(await metric(server, 'pizhu_room_reads_refused_total')).toBe(3);
    await server.cleanup();
    server = null;
    rmSync(dataDir, { recursive: true, force: true });
  });
});

async function metric(s: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}
