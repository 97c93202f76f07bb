/** Teams, members, hashed tokens, invites and single-use tickets in SQLite. */
import type { Role } from '../../shared/protocol/api.ts';
import type Database from 'better-sqlite3';
import type { SqliteHandle } from './sqlite-db.ts';
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
} from './types.ts';
import { type InviteRow, type MemberRow, toInvite, toMember } from './team-rows.ts';

export class SqliteTeamStore implements TeamStore {
  private readonly redeemTx;
  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared once per SQL text (preparing costs more than running these small statements). */
  private sql<P extends unknown[] = unknown[], R = unknown>(text: string): Database.Statement<P, R> {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  constructor(private readonly db: SqliteHandle) {
    this.redeemTx = db.transaction((codeHash: string, join: InviteRedemption): RedeemResult => {
      const invite = this.sql<[string], InviteRow>('SELECT * FROM invites WHERE code_hash = ?').get(codeHash);
      if (!invite) return { ok: false, reason: 'unknown' };
      if (invite.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (invite.expires_at !== null && invite.expires_at <= join.now) return { ok: false, reason: 'expired' };
      if (invite.max_uses !== null && invite.uses >= invite.max_uses) return { ok: false, reason: 'used_up' };
      const members = this.sql<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM members WHERE team_id = ? AND removed_at IS NULL',
      ).get(invite.team_id)!.n;
      if (members >= join.maxMembers) return { ok: false, reason: 'team_full' };
      this.sql('UPDATE invites SET uses = uses + 1 WHERE id = ?').run(invite.id);
      // The first person to join a team without an owner becomes its owner.
      const owners = this.countOwnersSync(invite.team_id);
      const role: Role = owners === 0 ? 'owner' : invite.role;
      this.sql('INSERT INTO members (id, team_id, display_name, role, created_at) VALUES (?, ?, ?, ?, ?)').run(
        join.memberId,
        invite.team_id,
        join.displayName,
        role,
        join.now,
      );
      this.sql('INSERT INTO tokens (hash, member_id, team_id, created_at) VALUES (?, ?, ?, ?)').run(
        join.tokenHash,
        join.memberId,
        invite.team_id,
        join.now,
      );
      const team = this.sql<[string], { name: string }>('SELECT name FROM teams WHERE id = ?').get(invite.team_id)!;
      return {
        ok: true,
        teamName: team.name,
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

  private countOwnersSync(teamId: string): number {
    return this.sql<[string], { n: number }>(
      "SELECT COUNT(*) AS n FROM members WHERE team_id = ? AND role = 'owner' AND removed_at IS NULL",
    ).get(teamId)!.n;
  }

  async createTeam(team: Team): Promise<void> {
    this.sql('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)').run(team.id, team.name, team.createdAt);
  }

  async getTeam(teamId: string): Promise<Team | null> {
    const row = this.sql<[string], { id: string; name: string; created_at: number }>(
      'SELECT * FROM teams WHERE id = ?',
    ).get(teamId);
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : null;
  }

  async listTeams(): Promise<TeamSummary[]> {
    return this.sql<[], { id: string; name: string; created_at: number; members: number; rooms: number }>(
      `SELECT t.id, t.name, t.created_at,
           (SELECT COUNT(*) FROM members m WHERE m.team_id = t.id AND m.removed_at IS NULL) AS members,
           (SELECT COUNT(*) FROM rooms r WHERE r.team_id = t.id) AS rooms
         FROM teams t ORDER BY t.created_at, t.id`,
    )
      .all()
      .map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, members: r.members, rooms: r.rooms }));
  }

  async addInvite(invite: Invite & { codeHash: string; createdBy: string | null }): Promise<void> {
    this.sql(
      `INSERT INTO invites (id, team_id, code_hash, role, max_uses, uses, expires_at, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
    ).run(
      invite.id,
      invite.teamId,
      invite.codeHash,
      invite.role,
      invite.maxUses,
      invite.expiresAt,
      invite.createdBy,
      invite.createdAt,
    );
  }

  async listInvites(teamId: string): Promise<Invite[]> {
    return this.sql<[string], InviteRow>('SELECT * FROM invites WHERE team_id = ? ORDER BY created_at, id')
      .all(teamId)
      .map(toInvite);
  }

  async revokeInvite(teamId: string, inviteId: string, now: number): Promise<boolean> {
    const result = this.sql(
      'UPDATE invites SET revoked_at = ? WHERE id = ? AND team_id = ? AND revoked_at IS NULL',
    ).run(now, inviteId, teamId);
    return result.changes > 0;
  }

  async redeemInvite(codeHash: string, join: InviteRedemption): Promise<RedeemResult> {
    return this.redeemTx.immediate(codeHash, join);
  }

  async getMember(memberId: string): Promise<Member | null> {
    const row = this.sql<[string], MemberRow>('SELECT * FROM members WHERE id = ?').get(memberId);
    return row ? toMember(row) : null;
  }

  async listMembers(teamId: string): Promise<Member[]> {
    return this.sql<[string], MemberRow>(
      'SELECT * FROM members WHERE team_id = ? AND removed_at IS NULL ORDER BY created_at, id',
    )
      .all(teamId)
      .map(toMember);
  }

  async setRole(memberId: string, role: Role): Promise<void> {
    this.sql('UPDATE members SET role = ? WHERE id = ?').run(role, memberId);
  }

  async setUnit(memberId: string, unit: MemberUnit | null): Promise<void> {
    this.sql('UPDATE members SET unit_id = ?, unit_name = ? WHERE id = ?').run(
      unit?.id ?? null,
      unit?.name ?? null,
      memberId,
    );
  }

  memberUnitNow(memberId: string): string | null {
    const row = this.sql<[string], { unit_id: string | null }>(
      'SELECT unit_id FROM members WHERE id = ? AND removed_at IS NULL',
    ).get(memberId);
    return row?.unit_id ?? null;
  }

  async removeMember(memberId: string, now: number): Promise<void> {
    this.db
      .transaction(() => {
        this.sql('UPDATE members SET removed_at = ? WHERE id = ? AND removed_at IS NULL').run(now, memberId);
        this.sql('UPDATE tokens SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL').run(now, memberId);
        this.sql('UPDATE invites SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL').run(now, memberId);
      })
      .immediate();
  }

  async countOwners(teamId: string): Promise<number> {
    return this.countOwnersSync(teamId);
  }

  async findToken(tokenHash: string): Promise<Principal | null> {
    const row = this.sql<
      [string],
      { member_id: string; team_id: string; team_name: string; display_name: string; role: Role }
    >(
      `SELECT t.member_id, t.team_id, teams.name AS team_name, m.display_name, m.role
         FROM tokens t JOIN members m ON m.id = t.member_id JOIN teams ON teams.id = t.team_id
         WHERE t.hash = ? AND t.revoked_at IS NULL AND m.removed_at IS NULL`,
    ).get(tokenHash);
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
    return (
      this.sql('UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL').run(now, tokenHash).changes > 0
    );
  }

  async revokeMemberTokens(memberId: string, now: number): Promise<number> {
    return this.sql('UPDATE tokens SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL').run(now, memberId)
      .changes;
  }

  async liveTokens(tokenHashes: string[]): Promise<Map<string, Role>> {
    const live = new Map<string, Role>();
    const query = this.sql<[string], { role: Role }>(
      `SELECT m.role FROM tokens t JOIN members m ON m.id = t.member_id
       WHERE t.hash = ? AND t.revoked_at IS NULL AND m.removed_at IS NULL`,
    );
    for (const hash of tokenHashes) {
      const row = query.get(hash);
      if (row) live.set(hash, row.role);
    }
    return live;
  }

  async addTicket(ticket: Ticket): Promise<void> {
    this.sql(
      'INSERT INTO tickets (hash, token_hash, member_id, team_id, room, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(ticket.hash, ticket.tokenHash, ticket.memberId, ticket.teamId, ticket.room, ticket.expiresAt);
  }

  async consumeTicket(hash: string): Promise<Ticket | null> {
    const row = this.sql<
      [string],
      { hash: string; token_hash: string; member_id: string; team_id: string; room: string; expires_at: number }
    >('DELETE FROM tickets WHERE hash = ? RETURNING *').get(hash);
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
    return this.sql('DELETE FROM tickets WHERE expires_at <= ?').run(now).changes;
  }
}
