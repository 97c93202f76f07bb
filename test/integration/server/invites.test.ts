/**
 * Invite codes on the real server: each expires and has a use limit, the first team's too (defaults 14 days
 * and 50 uses, from the server's settings), and removing a member revokes their token and the invites they made.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StartOptions } from '../../../server/index.ts';
import { api, createTeamWithOwner, join, startTestServer, type TestServer } from './helpers.ts';

const DAY = 24 * 3_600_000;
let server: TestServer | null = null;
afterEach(async () => {
  await server?.cleanup();
  server = null;
});

async function start(options: StartOptions = {}) {
  server = await startTestServer(options);
  return server;
}

type InviteBody = { id: string; inviteCode: string; maxUses: number | null; expiresAt: number | null };
const joinStatus = async (s: TestServer, inviteCode: string) =>
  api<{ error: { code: string } }>(s, 'POST', '/api/join', { body: { inviteCode, displayName: 'x' } });

describe('invite codes', () => {
  it('expire after 14 days and allow 50 uses unless set otherwise, the first team invite too', async () => {
    const s = await start();
    const before = Date.now();
    const team = await createTeamWithOwner(s, 'Defaults');
    expect(team.invite).toMatchObject({ maxUses: 50 });
    expect(team.invite.expiresAt).toBeGreaterThanOrEqual(before + 14 * DAY);
    expect(team.invite.expiresAt).toBeLessThanOrEqual(Date.now() + 14 * DAY);

    const viaApi = await api<InviteBody>(s, 'POST', `/api/teams/${team.teamId}/invites`, {
      token: team.owner.token,
      body: { role: 'viewer', maxUses: null, expiresInHours: null },
    });
    expect(viaApi.status).toBe(201);
    expect(viaApi.body.maxUses).toBe(50);
    expect(viaApi.body.expiresAt).toBeGreaterThan(Date.now() + 13 * DAY);
    const chosen = await api<InviteBody>(s, 'POST', `/api/teams/${team.teamId}/invites`, {
      token: team.owner.token,
      body: { maxUses: 2, expiresInHours: 1 },
    });
    expect(chosen.body.maxUses).toBe(2);
    expect(chosen.body.expiresAt! - Date.now()).toBeLessThanOrEqual(3_600_000);

    // The owner used the first invite once; 49 more joins, then it is used up.
    for (let i = 0; i < 49; i++) await join(s, team.inviteCode, `member ${i}`);
    const refused = await joinStatus(s, team.inviteCode);
    expect([refused.status, refused.body.error.code]).toEqual([410, 'invite_used_up']);
  });

  it('refuses an expired invite (410 invite_expired)', async () => {
    const s = await start({ timings: { inviteTtlMs: 300 } });
    const team = await createTeamWithOwner(s, 'Expiring');
    const invite = await s.teams.createInvite(team.teamId, { role: 'editor' });
    await new Promise((r) => setTimeout(r, 400));
    const refused = await joinStatus(s, invite.inviteCode);
    expect([refused.status, refused.body.error.code]).toEqual([410, 'invite_expired']);
  });

  it("revokes a removed member's token and the invites they created, and no one else's", async () => {
    const s = await start();
    const team = await createTeamWithOwner(s, 'Removal');
    const second = await join(s, (await s.teams.createInvite(team.teamId, { role: 'owner' })).inviteCode, '副组长');
    const create = (token: string) =>
      api<InviteBody>(s, 'POST', `/api/teams/${team.teamId}/invites`, { token, body: { role: 'editor' } });
    const theirs = (await create(second.token)).body;
    const ours = (await create(team.owner.token)).body;

    const removed = await api(s, 'DELETE', `/api/teams/${team.teamId}/members/${second.memberId}`, {
      token: team.owner.token,
    });
    expect(removed.status).toBe(204);
    expect((await api(s, 'GET', '/api/me', { token: second.token })).status).toBe(401);
    const refused = await joinStatus(s, theirs.inviteCode);
    expect([refused.status, refused.body.error.code]).toEqual([410, 'invite_revoked']);
    expect((await joinStatus(s, ours.inviteCode)).status).toBe(201);
  });
});
