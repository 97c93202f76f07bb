/** Teams, members, hashed tokens, invites and single-use tickets in PostgreSQL (the SQLite store's queries). */
import type { Role } from '../../../shared/protocol/api.ts';
import type {
  Invite,
  InviteRedemption,
  Member,
  MemberUnit,
  Principal,
  RedeemResult,
  Team,
  TeamStore,
  TeamSummary,
  Ticket,
} from '../types.ts';
import { type InviteRow, type MemberRow, toInvite, toMember } from '../team-rows.ts';
import { inTransaction, type PgPool } from './pool.ts';
import { notifyMemberUnit, type PgUnitCache } from './pg-units.ts';

type TicketRow = {
  hash: string;
  token_hash: string;
  member_id: string;
  team_id: string;
  room: string;
  expires_at: number;
};

const COUNT_OWNERS = "SELECT COUNT(*) AS n FROM members WHERE team_id = $1 AND role = 'owner' AND removed_at IS NULL";

export class PgTeamStore implements TeamStore {
  constructor(
    private readonly pool: PgPool,
    /** Members' units as every instance keeps them (pg-units.ts). */
    private readonly units: PgUnitCache,
  ) {}

  async createTeam(team: Team): Promise<void> {
    await this.pool.query('INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)', [
      team.id,
      team.name,
      team.createdAt,
    ]);
  }

  async getTeam(teamId: string): Promise<Team | null> {
    const { rows } = await this.pool.query<{ id: string; name: string; created_at: number }>(
      'SELECT id, name, created_at FROM teams WHERE id = $1',
      [teamId],
    );
    const row = rows[0];
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : null;
  }

  async listTeams(): Promise<TeamSummary[]> {
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      created_at: number;
      members: number;
      rooms: number;
    }>(
      `SELECT t.id, t.name, t.created_at,
         (SELECT COUNT(*) FROM members m WHERE m.team_id = t.id AND m.removed_at IS NULL) AS members,
         (SELECT COUNT(*) FROM rooms r WHERE r.team_id = t.id) AS rooms
       FROM teams t ORDER BY t.created_at, t.id`,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, members: r.members, rooms: r.rooms }));
  }

  async addInvite(invite: Invite & { codeHash: string; createdBy: string | null }): Promise<void> {
    await this.pool.query(
      `INSERT INTO invites (id, team_id, code_hash, role, max_uses, uses, expires_at, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)`,
      [
        invite.id,
        invite.teamId,
        invite.codeHash,
        invite.role,
        invite.maxUses,
        invite.expiresAt,
        invite.createdBy,
        invite.createdAt,
      ],
    );
  }

  async listInvites(teamId: string): Promise<Invite[]> {
    const { rows } = await this.pool.query<InviteRow>(
      'SELECT * FROM invites WHERE team_id = $1 ORDER BY created_at, id',
      [teamId],
    );
    return rows.map(toInvite);
  }

  async revokeInvite(teamId: string, inviteId: string, now: number): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE invites SET revoked_at = $1 WHERE id = $2 AND team_id = $3 AND revoked_at IS NULL',
      [now, inviteId, teamId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async redeemInvite(codeHash: string, join: InviteRedemption): Promise<RedeemResult> {
    return inTransaction(this.pool, async (client) => {
      // Locked until commit: two people redeeming the last use wait in turn.
      const { rows } = await client.query<InviteRow>('SELECT * FROM invites WHERE code_hash = $1 FOR UPDATE', [
        codeHash,
      ]);
      const invite = rows[0];
      if (!invite) return { ok: false, reason: 'unknown' };
      if (invite.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (invite.expires_at !== null && invite.expires_at <= join.now) return { ok: false, reason: 'expired' };
      if (invite.max_uses !== null && invite.uses >= invite.max_uses) return { ok: false, reason: 'used_up' };
      // The team row lock makes the member cap and "the first person to join a team without an owner becomes
      // its owner" hold across invites and instances.
      const team = await client.query<{ name: string }>('SELECT name FROM teams WHERE id = $1 FOR UPDATE', [
        invite.team_id,
      ]);
      const members = await client.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM members WHERE team_id = $1 AND removed_at IS NULL',
        [invite.team_id],
      );
      if (members.rows[0]!.n >= join.maxMembers) return { ok: false, reason: 'team_full' };
      await client.query('UPDATE invites SET uses = uses + 1 WHERE id = $1', [invite.id]);
      const owners = (await client.query<{ n: number }>(COUNT_OWNERS, [invite.team_id])).rows[0]!.n;
      const role: Role = owners === 0 ? 'owner' : invite.role;
      await client.query(
        'INSERT INTO members (id, team_id, display_name, role, created_at) VALUES ($1, $2, $3, $4, $5)',
        [join.memberId, invite.team_id, join.displayName, role, join.now],
      );
      await client.query('INSERT INTO tokens (hash, member_id, team_id, created_at) VALUES ($1, $2, $3, $4)', [
        join.tokenHash,
        join.memberId,
        invite.team_id,
        join.now,
      ]);
      return {
        ok: true,
        teamName: team.rows[0]!.name,
        member: {
          id: join.memberId,
          teamId: invite.team_id,
          displayName: join.displayName,
          role,
          createdAt: join.now,
          removedAt: null,
          unit: null,
        },
      };
    });
  }

  async getMember(memberId: string): Promise<Member | null> {
    const { rows } = await this.pool.query<MemberRow>('SELECT * FROM members WHERE id = $1', [memberId]);
    return rows[0] ? toMember(rows[0]) : null;
  }

  async listMembers(teamId: string): Promise<Member[]> {
    const { rows } = await this.pool.query<MemberRow>(
      'SELECT * FROM members WHERE team_id = $1 AND removed_at IS NULL ORDER BY created_at, id',
      [teamId],
    );
    return rows.map(toMember);
  }

  async setRole(memberId: string, role: Role): Promise<void> {
    await this.pool.query('UPDATE members SET role = $1 WHERE id = $2', [role, memberId]);
  }

  async setUnit(memberId: string, unit: MemberUnit | null): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('UPDATE members SET unit_id = $1, unit_name = $2 WHERE id = $3', [
        unit?.id ?? null,
        unit?.name ?? null,
        memberId,
      ]);
      await notifyMemberUnit(client, memberId);
    });
    await this.units.refreshMember(memberId);
  }

  memberUnitNow(memberId: string): string | null {
    return this.units.memberUnitNow(memberId);
  }

  async removeMember(memberId: string, now: number): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('UPDATE members SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL', [now, memberId]);
      await client.query('UPDATE tokens SET revoked_at = $1 WHERE member_id = $2 AND revoked_at IS NULL', [
        now,
        memberId,
      ]);
      await client.query('UPDATE invites SET revoked_at = $1 WHERE created_by = $2 AND revoked_at IS NULL', [
        now,
        memberId,
      ]);
      await notifyMemberUnit(client, memberId);
    });
    await this.units.refreshMember(memberId);
  }

  async countOwners(teamId: string): Promise<number> {
    return (await this.pool.query<{ n: number }>(COUNT_OWNERS, [teamId])).rows[0]!.n;
  }

  async findToken(tokenHash: string): Promise<Principal | null> {
    const { rows } = await this.pool.query<{
      member_id: string;
      team_id: string;
      team_name: string;
      display_name: string;
      role: Role;
    }>(
      `SELECT t.member_id, t.team_id, teams.name AS team_name, m.display_name, m.role
       FROM tokens t JOIN members m ON m.id = t.member_id JOIN teams ON teams.id = t.team_id
       WHERE t.hash = $1 AND t.revoked_at IS NULL AND m.removed_at IS NULL`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      memberId: row.member_id,
      teamId: row.team_id,
      teamName: row.team_name,
      displayName: row.display_name,
      role: row.role,
      tokenHash,
    };
  }

  async revokeToken(tokenHash: string, now: number): Promise<boolean> {
    const result = await this.pool.query('UPDATE tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL', [
      now,
      tokenHash,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async revokeMemberTokens(memberId: string, now: number): Promise<number> {
    const result = await this.pool.query(
      'UPDATE tokens SET revoked_at = $1 WHERE member_id = $2 AND revoked_at IS NULL',
      [now, memberId],
    );
    return result.rowCount ?? 0;
  }

  async liveTokens(tokenHashes: string[]): Promise<Map<string, Role>> {
    if (tokenHashes.length === 0) return new Map();
    const { rows } = await this.pool.query<{ hash: string; role: Role }>(
      `SELECT t.hash, m.role FROM tokens t JOIN members m ON m.id = t.member_id
       WHERE t.hash = ANY($1::text[]) AND t.revoked_at IS NULL AND m.removed_at IS NULL`,
      [tokenHashes],
    );
    return new Map(rows.map((row) => [row.hash, row.role]));
  }

  async addTicket(ticket: Ticket): Promise<void> {
    await this.pool.query(
      'INSERT INTO tickets (hash, token_hash, member_id, team_id, room, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [ticket.hash, ticket.tokenHash, ticket.memberId, ticket.teamId, ticket.room, ticket.expiresAt],
    );
  }

  async consumeTicket(hash: string): Promise<Ticket | null> {
    const { rows } = await this.pool.query<TicketRow>('DELETE FROM tickets WHERE hash = $1 RETURNING *', [hash]);
    const row = rows[0];
    if (!row) return null;
    return {
      hash: row.hash,
      tokenHash: row.token_hash,
      memberId: row.member_id,
      teamId: row.team_id,
      room: row.room,
      expiresAt: row.expires_at,
    };
  }

  async deleteExpiredTickets(now: number): Promise<number> {
    return (await this.pool.query('DELETE FROM tickets WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }
}
