/**
 * Durability: the server runs as its own process (`node dist/server/main.js`, as users run it) on a real data
 * folder; it is killed with SIGKILL in the middle of a stream of updates and restarted. Every update any client
 * received from it must be there after the restart, and the query index must catch up with the stored rooms.
 * Then a graceful SIGTERM compacts every room to one row and loses nothing either.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { annotationIdsOf, idsOfMemberKeys, notesMap, roomIdFor } from '../../../shared/model/index.ts';
import type { JoinResponse } from '../../../shared/protocol/api.ts';
import { openDatabase } from '../../../server/storage/sqlite-db.ts';
import { exited, type ServerProcess, startServerProcess } from '../../server-process.ts';
import { annotation, authorOf, writeOwn } from './fixtures.ts';
import { api, connectProvider, eventually, tempDir } from './helpers.ts';

const dataDir = tempDir('pizhu-durability-');
const running: ServerProcess[] = [];

afterAll(() => {
  for (const server of running) server.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function startProcess(): Promise<ServerProcess> {
  const server = await startServerProcess({ DATA_DIR: dataDir });
  running.push(server);
  return server;
}

describe('durability across process crashes', () => {
  let owner: JoinResponse;
  let room: string;
  const received = new Set<string>();

  it('keeps every update that any client received when the process is killed with SIGKILL', async () => {
    const first = await startProcess();
    const invite = /Invite code: (\S+)/.exec(first.output())![1]!;
    owner = (
      await api<JoinResponse>(first, 'POST', '/api/join', { body: { inviteCode: invite, displayName: 'Owner' } })
    ).body;
    room = roomIdFor(owner.teamId, 'stream');

    const writers = [new Y.Doc(), new Y.Doc()];
    const observer = new Y.Doc();
    const providers = await Promise.all(
      [...writers, observer].map((doc) => connectProvider(first, owner.token, room, doc)),
    );
    providers.forEach((provider, i) => {
      const doc = [...writers, observer][i]!;
      notesMap(doc).observe((event) => {
        // Only what came from the server counts as received.
        if (event.transaction.origin !== provider) return;
        for (const id of idsOfMemberKeys(event.keysChanged)) received.add(id);
      });
    });
    let writing = true;
    const streams = writers.map(async (doc, w) => {
      for (let i = 0; writing; i++) {
        writeOwn(
          doc,
          annotation(`w${w}-${i}`, owner.teamId, 'stream', { note: `update ${i}`, author: authorOf(owner) }),
        );
        await new Promise((r) => setTimeout(r, 3));
      }
    });
    await eventually(
      async () => received.size,
      (n) => n > 300,
      20_000,
    );
    first.child.kill('SIGKILL');
    await exited(first.child);
    writing = false;
    await Promise.all(streams);
    for (const provider of providers) provider.destroy();
    const receivedAtCrash = new Set(received);
    console.log(`SIGKILL after ${receivedAtCrash.size} annotations had reached clients`);

    const second = await startProcess();
    const reader = new Y.Doc();
    const provider = await connectProvider(second, owner.token, room, reader);
    const stored = new Set(annotationIdsOf(reader));
    const lost = [...receivedAtCrash].filter((key) => !stored.has(key));
    expect(lost).toEqual([]);
    provider.destroy();

    // The query index caught up with the stored rows.
    const listed = await eventually(
      () =>
        api<{ annotations: unknown[]; nextCursor: string | null }>(
          second,
          'GET',
          `/api/teams/${owner.teamId}/annotations?limit=500`,
          { token: owner.token },
        ),
      (res) => res.body.annotations.length === Math.min(500, stored.size),
    );
    expect(listed.status).toBe(200);

    // A graceful stop compacts the room into one row and exits 0.
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    const db = openDatabase(dataDir);
    const rows = db
      .prepare('SELECT COUNT(*) AS n, MAX(state_vector IS NOT NULL) AS compacted FROM updates WHERE room = ?')
      .get(room) as { n: number; compacted: number };
    db.close();
    expect(rows).toEqual({ n: 1, compacted: 1 });

    const third = await startProcess();
    const again = new Y.Doc();
    const provider3 = await connectProvider(third, owner.token, room, again);
    expect(new Set(annotationIdsOf(again))).toEqual(stored);
    provider3.destroy();
    third.child.kill('SIGTERM');
    expect(await exited(third.child)).toBe(0);
  }, 120_000);
});
