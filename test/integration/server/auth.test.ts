/** The auth matrix: every way in without the right to be there is refused, and nothing leaks across teams. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomIdFor } from '../../../shared/model/index.ts';
import { bytesToBase64, CLOSE_CODES } from '../../../shared/protocol/api.ts';
import { annotation, authorOf, holds, writeOwn } from './fixtures.ts';
import {
  addMember,
  api,
  connectProvider,
  createTeamWithOwner,
  eventually,
  type Member,
  openRaw,
  startTestServer,
  type TestServer,
  ticketFor,
  waitFor,
} from './helpers.ts';

let server: TestServer;
let teamA: Awaited<ReturnType<typeof createTeamWithOwner>>;
let teamB: Awaited<ReturnType<typeof createTeamWithOwner>>;
let viewerA: Member;
let editorA: Member;
let roomA: string;
let roomB: string;

beforeAll(async () => {
  server = await startTestServer({ timings: { ticketTtlMs: 300, revocationCheckMs: 100 } });
  teamA = await createTeamWithOwner(server, 'A');
  teamB = await createTeamWithOwner(server, 'B');
  viewerA = await addMember(server, teamA.teamId, 'viewer', 'viewer of A');
  editorA = await addMember(server, teamA.teamId, 'editor', 'editor of A');
  roomA = roomIdFor(teamA.teamId, 'docA');
  roomB = roomIdFor(teamB.teamId, 'docB');
  // Team B holds a secret annotation that must never reach team A.
  const doc = new Y.Doc();
  const provider = await connectProvider(server, teamB.owner.token, roomB, doc);
  writeOwn(doc, annotation('secretB', teamB.teamId, 'docB', { note: 'B only', author: authorOf(teamB.owner) }));
  await eventually(
    async () =>
      (
        await api<{ annotations: unknown[] }>(server, 'GET', `/api/teams/${teamB.teamId}/annotations`, {
          token: teamB.owner.token,
        })
      ).body.annotations.length,
    (n) => n === 1,
  );
  provider.destroy();
});

afterAll(async () => {
  await server.cleanup();
});

describe('WebSocket upgrade', () => {
  it('refuses a socket without a ticket (401)', async () => {
    expect(await openRaw(server, roomA, null).refused).toBe(401);
  });

  it('refuses an unknown ticket (401)', async () => {
    expect(await openRaw(server, roomA, 'tk_not-a-real-ticket-at-all').refused).toBe(401);
  });

  it('refuses a replayed ticket (401)', async () => {
    const ticket = await ticketFor(server, editorA.token, roomA);
    const first = openRaw(server, roomA, ticket);
    expect(await first.refused).toBeNull();
    expect(await openRaw(server, roomA, ticket).refused).toBe(401);
    first.ws.close();
  });

  it('refuses an expired ticket (401)', async () => {
    const ticket = await ticketFor(server, editorA.token, roomA);
    await new Promise((r) => setTimeout(r, 400));
    expect(await openRaw(server, roomA, ticket).refused).toBe(401);
  });

  it('refuses a ticket used on another room (403) and a ticket for another team (403)', async () => {
    const ticket = await ticketFor(server, editorA.token, roomA);
    expect(await openRaw(server, roomB, ticket).refused).toBe(403);
    const res = await api(server, 'POST', '/api/tickets', { token: editorA.token, body: { room: roomB } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'room_other_team', params: { room: roomB } } });
  });

  it('refuses a foreign browser origin (403) and accepts extension origins and no origin', async () => {
    const foreign = openRaw(server, roomA, await ticketFor(server, editorA.token, roomA), {
      origin: 'https://evil.example',
    });
    expect(await foreign.refused).toBe(403);
    for (const origin of ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'moz-extension://0b5f3b2e-1234']) {
      const ok = openRaw(server, roomA, await ticketFor(server, editorA.token, roomA), { origin });
      expect(await ok.refused).toBeNull();
      ok.ws.close();
    }
  });

  it('refuses a malformed room id (404)', async () => {
    expect(await openRaw(server, 'no-dot-here', 'tk_whatever-whatever').refused).toBe(404);
  });

  it('closes a socket whose token is revoked (4401) and refuses its next ticket (401)', async () => {
    const member = await addMember(server, teamA.teamId, 'editor', 'to be revoked');
    const client = openRaw(server, roomA, await ticketFor(server, member.token, roomA));
    await client.opened;
    expect((await api(server, 'DELETE', '/api/me/token', { token: member.token })).status).toBe(204);
    expect((await client.closed).code).toBe(CLOSE_CODES.badTicket);
    expect((await api(server, 'POST', '/api/tickets', { token: member.token, body: { room: roomA } })).status).toBe(
      401,
    );
    expect((await api(server, 'GET', '/api/me', { token: member.token })).status).toBe(401);
  });
});

describe('viewers', () => {
  it('reads and announces presence, but a write closes the socket with 4403 and is not stored', async () => {
    const writer = new Y.Doc();
    const pw = await connectProvider(server, editorA.token, roomA, writer);
    writeOwn(writer, annotation('fromEditor', teamA.teamId, 'docA', { author: authorOf(editorA) }));
    const viewerDoc = new Y.Doc();
    const pv = await connectProvider(server, viewerA.token, roomA, viewerDoc);
    await waitFor(() => holds(viewerDoc, 'fromEditor'));
    pv.awareness.setLocalStateField('user', { name: 'viewer' });
    await waitFor(() => [...pw.awareness.getStates().values()].some((s) => s.user?.name === 'viewer'));

    const closed = new Promise<number>((resolve) => pv.on('connection-close', (e) => resolve(e?.code ?? 0)));
    writeOwn(viewerDoc, annotation('fromViewer', teamA.teamId, 'docA', { author: authorOf(viewerA) }));
    expect(await closed).toBe(CLOSE_CODES.forbidden);
    await new Promise((r) => setTimeout(r, 100));
    expect(holds(writer, 'fromViewer')).toBe(false);
    const listed = await api<{ annotations: { id: string }[] }>(
      server,
      'GET',
      `/api/teams/${teamA.teamId}/annotations`,
      { token: editorA.token },
    );
    expect(listed.body.annotations.map((a) => a.id)).not.toContain('fromViewer');
    pv.destroy();
    pw.destroy();
  });

  it('cannot push, rename tags or invite', async () => {
    const doc = new Y.Doc();
    writeOwn(doc, annotation('pushed', teamA.teamId, 'docA', { author: authorOf(viewerA) }));
    const push = await api(server, 'POST', `/api/teams/${teamA.teamId}/push`, {
      token: viewerA.token,
      body: { updates: [{ room: roomA, update: bytesToBase64(Y.encodeStateAsUpdate(doc)) }] },
    });
    expect(push.status).toBe(403);
    const rename = await api(server, 'POST', `/api/teams/${teamA.teamId}/tags/rename`, {
      token: viewerA.token,
      body: { from: '体育', to: '运动' },
    });
    expect(rename.status).toBe(403);
    const invite = await api(server, 'POST', `/api/teams/${teamA.teamId}/invites`, { token: viewerA.token, body: {} });
    expect(invite.status).toBe(403);
    const editorInvite = await api(server, 'POST', `/api/teams/${teamA.teamId}/invites`, {
      token: editorA.token,
      body: {},
    });
    expect(editorInvite.status).toBe(403);
  });
});

describe('REST across teams', () => {
  const paths = (teamId: string) =>
    [
      ['GET', `/api/teams/${teamId}/annotations`],
      ['GET', `/api/teams/${teamId}/annotations?q=B`],
      ['GET', `/api/teams/${teamId}/documents`],
      ['GET', `/api/teams/${teamId}/tags`],
      ['GET', `/api/teams/${teamId}/units`],
      ['GET', `/api/teams/${teamId}/members`],
      ['GET', `/api/teams/${teamId}/invites`],
      ['POST', `/api/teams/${teamId}/sync`],
      ['POST', `/api/teams/${teamId}/push`],
      ['POST', `/api/teams/${teamId}/tags/rename`],
    ] as const;

  it('refuses every team endpoint of another team with 403 and leaks nothing', async () => {
    for (const [method, path] of paths(teamB.teamId)) {
      const body = method === 'POST' ? { since: null, rooms: {}, updates: [], from: 'x', to: 'y' } : undefined;
      const res = await api(server, method, path, { token: teamA.owner.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('secretB');
      expect(JSON.stringify(res.body)).not.toContain('B only');
    }
  });

  it('refuses without a token (401) and with a foreign Origin (403)', async () => {
    for (const [method, path] of paths(teamA.teamId)) {
      const body = method === 'POST' ? {} : undefined;
      expect((await api(server, method, path, { body })).status, `${method} ${path}`).toBe(401);
    }
    const foreign = await api(server, 'GET', `/api/teams/${teamA.teamId}/annotations`, {
      token: teamA.owner.token,
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });

  it('refuses a bulk sync or push naming another team’s room within one’s own team (403)', async () => {
    const sync = await api(server, 'POST', `/api/teams/${teamA.teamId}/sync`, {
      token: teamA.owner.token,
      body: { since: null, rooms: { [roomB]: bytesToBase64(Y.encodeStateVector(new Y.Doc())) } },
    });
    expect(sync.status).toBe(403);
    expect(JSON.stringify(sync.body)).not.toContain('secretB');
    const push = await api(server, 'POST', `/api/teams/${teamA.teamId}/push`, {
      token: teamA.owner.token,
      body: { updates: [{ room: roomB, update: bytesToBase64(Y.encodeStateAsUpdate(new Y.Doc())) }] },
    });
    expect(push.status).toBe(403);
  });

  it('answers CORS preflights for extension origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/me`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    expect(ok.headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const bad = await preflight('https://evil.example');
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('joins only with a valid invite code and limits guessing', async () => {
    const wrong = await api(server, 'POST', '/api/join', { body: { inviteCode: 'ZZZZ-ZZZZ-ZZZZ', displayName: 'x' } });
    expect(wrong.status).toBe(404);
    expect(wrong.body).toMatchObject({ error: { code: 'invite_unknown' } });
    const invalid = await api(server, 'POST', '/api/join', { body: { displayName: 'x' } });
    expect(invalid.status).toBe(400);
    const notJson = await fetch(`${server.url}/api/join`, {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
  });
});
