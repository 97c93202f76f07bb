/**
 * Issue 15, finding 2: per-team caps, so one team cannot take every room, member slot or socket of the server.
 * The real server (in this process), real sockets; caps scaled down: 3 members, 3 sockets, 2 rooms per team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomIdFor } from '../../../shared/model/index.ts';
import { CLOSE_CODES } from '../../../shared/protocol/api.ts';
import {
  addMember,
  api,
  createTeamWithOwner,
  openRaw,
  startTestServer,
  type TestServer,
  ticketFor,
  refusedCount,
} from '../server/helpers.ts';

let server: TestServer;
let logged: string[];

beforeAll(async () => {
  logged = [];
  server = await startTestServer({
    limits: { maxMembersPerTeam: 3, maxSocketsPerTeam: 3, maxRoomsPerTeam: 2 },
    logger: {
      info() {},
      warn: (kind, message) => logged.push(`${kind}: ${message}`),
      error: (kind, message) => logged.push(`${kind}: ${message}`),
    },
  });
});

afterAll(async () => {
  await server.cleanup();
});

describe('per-team caps', () => {
  it('refuses a member past the team’s limit (403), not another team’s', async () => {
    const team = await createTeamWithOwner(server, 'A');
    await addMember(server, team.teamId, 'editor', '甲');
    await addMember(server, team.teamId, 'editor', '乙');
    const invite = await server.teams.createInvite(team.teamId, { role: 'editor' });
    const refused = await api(server, 'POST', '/api/join', {
      body: { inviteCode: invite.inviteCode, displayName: '丙' },
    });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'team_full' } } });
    expect((await server.teams.listMembers(team.teamId)).length).toBe(3);
    // Checked before the invite is redeemed: no fourth member is ever written, so the invite's use is not spent.
    const invites = await server.teams.listInvites(team.teamId);
    expect(invites.find((i) => i.id === invite.id)?.uses).toBe(0);
    const other = await createTeamWithOwner(server, 'B');
    await addMember(server, other.teamId, 'editor', '丁');
    expect(await refusedCount(server, 'team_limit')).toBe(1);
    expect(logged).toContainEqual(expect.stringMatching(/^refused:team_limit: .*limit of 3 members/));
  });

  it('refuses a socket past the team’s limit (429) and a room past it (4503); other teams are not affected', async () => {
    const team = await createTeamWithOwner(server, 'C');
    const other = await createTeamWithOwner(server, 'D');
    const open = async (teamId: string, token: string, doc: string) => {
      const room = roomIdFor(teamId, doc);
      const client = openRaw(server, room, await ticketFor(server, token, room));
      return client;
    };
    const first = await open(team.teamId, team.owner.token, 'r1');
    const second = await open(team.teamId, team.owner.token, 'r2');
    await Promise.all([first.opened, second.opened]);
    // A third room while two are loaded (and in use): the socket opens, the room is refused.
    const third = await open(team.teamId, team.owner.token, 'r3');
    expect((await third.closed).code).toBe(CLOSE_CODES.unavailable);
    const fourth = await open(team.teamId, team.owner.token, 'r1');
    await fourth.opened;
    const fifth = await open(team.teamId, team.owner.token, 'r2');
    expect(await fifth.refused).toBe(429);
    // Another team opens its rooms as usual.
    const elsewhere = await open(other.teamId, other.owner.token, 'r3');
    await elsewhere.opened;
    await new Promise((r) => setTimeout(r, 100));
    expect(elsewhere.ws.readyState).toBe(elsewhere.ws.OPEN);
    expect(logged).toContainEqual(
      expect.stringMatching(/^refused:team_limit: room \S+\.r3 not loaded: team \S+ has 2 rooms open/),
    );
    expect(logged).toContainEqual(expect.stringMatching(/^refused:team_limit: team \S+ has 3 sockets open/));
    for (const client of [first, second, fourth, elsewhere]) client.ws.close();
  });
});
