/**
 * Restarts on the same data folder: compacted rooms are served from their stored bytes without decoding,
 * a room whose stored state is corrupt is refused and left untouched, a lagging query index is rebuilt,
 * and two server instances sharing a fan-out and a database serve one room together.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { annotationIdsOf, roomIdFor } from '../../../shared/model/index.ts';
import { CLOSE_CODES } from '../../../shared/protocol/api.ts';
import { LocalFanout } from '../../../server/fanout/local.ts';
import { openDatabase } from '../../../server/storage/sqlite-db.ts';
import { annotation, authorOf, holds, writeOwn } from './fixtures.ts';
import {
  api,
  connectProvider,
  createTeamWithOwner,
  eventually,
  openRaw,
  startTestServer,
  tempDir,
  type TestServer,
  ticketFor,
  waitFor,
} from './helpers.ts';

const running: TestServer[] = [];
let dataDir: string;
afterEach(async () => {
  for (const s of running.splice(0)) await s.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer({ dataDir, ...options });
  running.push(server);
  return server;
}

async function seed(count: number) {
  dataDir = tempDir('pizhu-restart-');
  const first = await start();
  const team = await createTeamWithOwner(first, 'Restart');
  const room = roomIdFor(team.teamId, 'doc');
  const doc = new Y.Doc();
  const provider = await connectProvider(first, team.owner.token, room, doc);
  for (let i = 0; i < count; i++) {
    writeOwn(doc, annotation(`a${i}`, team.teamId, 'doc', { note: `n${i}`, author: authorOf(team.owner) }));
  }
  await eventually(
    () =>
      api<{ annotations: unknown[] }>(first, 'GET', `/api/teams/${team.teamId}/annotations?limit=500`, {
        token: team.owner.token,
      }),
    (res) => res.body.annotations.length === count,
  );
  provider.destroy();
  await first.close();
  running.splice(running.indexOf(first), 1);
  return { team, room };
}

const decoded = async (server: TestServer) =>
  Number(/pizhu_rooms_decoded (\d+)/.exec(await (await fetch(`${server.url}/metrics`)).text())![1]);

describe('restarts', () => {
  it('serves a compacted room from its stored bytes, decoding it only on the first write', async () => {
    const { team, room } = await seed(50);
    const db = openDatabase(dataDir);
    expect((db.prepare('SELECT COUNT(*) AS n FROM updates WHERE room = ?').get(room) as { n: number }).n).toBe(1);
    db.close();
    const server = await start();
    const reader = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, room, reader);
    expect(annotationIdsOf(reader)).toHaveLength(50);
    expect(await decoded(server)).toBe(0);
    writeOwn(reader, annotation('new', team.teamId, 'doc', { author: authorOf(team.owner) }));
    await waitFor(async () => (await server.metrics.value('pizhu_updates_total')) === 1);
    expect(await decoded(server)).toBe(1);
    provider.destroy();
  });

  it('refuses a room whose stored state is corrupt (4503) and leaves the stored bytes untouched', async () => {
    const { team, room } = await seed(20);
    const db = openDatabase(dataDir);
    const row = db.prepare('SELECT id, data FROM updates WHERE room = ?').get(room) as { id: number; data: Buffer };
    const corrupt = Buffer.from(row.data);
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
    db.prepare('UPDATE updates SET data = ? WHERE id = ?').run(corrupt, row.id);
    db.close();

    const server = await start();
    const client = openRaw(server, room, await ticketFor(server, team.owner.token, room));
    expect((await client.closed).code).toBe(CLOSE_CODES.unavailable);
    await server.close();
    running.splice(running.indexOf(server), 1);
    const after = openDatabase(dataDir);
    const rows = after.prepare('SELECT data FROM updates WHERE room = ?').all(room) as { data: Buffer }[];
    after.close();
    expect(rows).toHaveLength(1);
    expect(Buffer.compare(rows[0]!.data, corrupt)).toBe(0);
  });

  it('rebuilds a query index that lags behind the stored rooms at startup', async () => {
    const { team } = await seed(30);
    const db = openDatabase(dataDir);
    db.exec('DELETE FROM annotations; DELETE FROM annotation_tags; UPDATE index_rooms SET through = 0;');
    db.close();
    const server = await start();
    const listed = await eventually(
      () =>
        api<{ annotations: unknown[] }>(server, 'GET', `/api/teams/${team.teamId}/annotations?limit=500`, {
          token: team.owner.token,
        }),
      (res) => res.body.annotations.length === 30,
    );
    expect(listed.status).toBe(200);
  });

  it('lets two instances on one database and one fan-out serve a room together', async () => {
    dataDir = tempDir('pizhu-two-');
    const fanout = new LocalFanout();
    const one = await start({ fanout });
    const two = await start({ fanout });
    const team = await createTeamWithOwner(one, 'Two');
    const room = roomIdFor(team.teamId, 'shared');
    const a = new Y.Doc();
    const b = new Y.Doc();
    const pa = await connectProvider(one, team.owner.token, room, a);
    const pb = await connectProvider(two, team.owner.token, room, b);
    writeOwn(a, annotation('fromOne', team.teamId, 'shared', { author: authorOf(team.owner) }));
    writeOwn(b, annotation('fromTwo', team.teamId, 'shared', { author: authorOf(team.owner) }));
    await waitFor(() => holds(a, 'fromTwo') && holds(b, 'fromOne'));
    pa.awareness.setLocalStateField('user', { name: 'one' });
    await waitFor(() => [...pb.awareness.getStates().values()].some((s) => s.user?.name === 'one'));
    pa.destroy();
    pb.destroy();
  });
});
