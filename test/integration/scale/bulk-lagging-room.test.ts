/**
 * Bulk catch-up on an instance whose loaded copy of a room has not yet received an update another instance
 * stored (the fan-out is late or lost it): the answer comes from the store, so the cursor never moves past an
 * update the client did not get. Two instances in one process over one SQLite file, each with a fan-out of
 * its own, so neither hears the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { annotationIdsOf, roomIdFor } from '../../../shared/model/index.ts';
import { type BulkSyncResponse, base64ToBytes, bytesToBase64 } from '../../../shared/protocol/api.ts';
import { LocalFanout } from '../../../server/fanout/local.ts';
import { annotation, authorOf, writeOwn } from '../server/fixtures.ts';
import { api, connectProvider, join, startTestServer, type TestServer, tempDir, waitFor } from '../server/helpers.ts';

let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  const dataDir = tempDir();
  a = await startTestServer({ dataDir, fanout: new LocalFanout() });
  b = await startTestServer({ dataDir, fanout: new LocalFanout() });
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe('bulk catch-up with several instances', () => {
  it('answers from the store when the loaded room lags behind it', async () => {
    const team = await a.teams.createTeam('Bulk');
    const owner = await join(a, team.inviteCode, 'Owner');
    const room = roomIdFor(team.teamId, 'lagging');
    const onB = new Y.Doc();
    const readerOnB = await connectProvider(b, owner.token, room, onB);
    writeOwn(onB, annotation('first', team.teamId, 'lagging', { author: authorOf(owner) }));
    const start = await api<BulkSyncResponse>(b, 'POST', `/api/teams/${team.teamId}/sync`, {
      token: owner.token,
      body: { since: null, rooms: {} },
    });
    expect(start.status).toBe(200);

    const onA = new Y.Doc();
    const writerOnA = await connectProvider(a, owner.token, room, onA);
    writeOwn(onA, annotation('second', team.teamId, 'lagging', { author: authorOf(owner) }));
    await waitFor(() => annotationIdsOf(onA).includes('second'));
    await new Promise((r) => setTimeout(r, 200)); // stored on A; B's loaded copy never hears of it

    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(onB));
    const caughtUp = await api<BulkSyncResponse>(b, 'POST', `/api/teams/${team.teamId}/sync`, {
      token: owner.token,
      body: { since: start.body.cursor, rooms: { [room]: bytesToBase64(Y.encodeStateVector(client)) } },
    });
    expect(caughtUp.status).toBe(200);
    for (const answer of caughtUp.body.rooms) Y.applyUpdate(client, base64ToBytes(answer.update));
    expect(annotationIdsOf(client).sort()).toEqual(['first', 'second']);
    readerOnB.destroy();
    writerOnA.destroy();
  });
});
