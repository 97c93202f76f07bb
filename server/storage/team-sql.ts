/**
 * The team store's statements (teams, members, tokens, invites, tickets), written once for both databases with
 * `?` placeholders bound in order: SQLite runs them as they are, PostgreSQL numbers them `$1..$n`
 * (pg/pool.ts). A `?` stands nowhere in this SQL but as a placeholder.
 */
import type { Role } from '../../shared/protocol/api.ts';
import type { Invite, Member, MemberUnit, Team, Ticket } from './types.ts';

/** One statement with its values, in the order of its placeholders. */
export type SqlStatement = { sql: string; params: unknown[] };

/** Runs statements on one database (or one transaction): rows as it returns them, a write's changed rows. */
export interface StatementRunner {
  get<R>(statement: SqlStatement): Promise<R | undefined>;
  all<R>(statement: SqlStatement): Promise<R[]>;
  run(statement: SqlStatement): Promise<number>;
}

const statement = (sql: string, ...params: unknown[]): SqlStatement => ({ sql, params });

export const insertTeam = (team: Team) =>
  statement('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)', team.id, team.name, team.createdAt);

export const team = (teamId: string) => statement('SELECT id, name, created_at FROM teams WHERE id = ?', teamId);

export const teamName = (teamId: string) => statement('SELECT name FROM teams WHERE id = ?', teamId);

export const teamSummaries = () =>
  statement(
    `SELECT t.id, t.name, t.created_at,
       (SELECT COUNT(*) FROM members m WHERE m.team_id = t.id AND m.removed_at IS NULL) AS members,
       (SELECT COUNT(*) FROM rooms r WHERE r.team_id = t.id) AS rooms
     FROM teams t ORDER BY t.created_at, t.id`,
  );

export const insertInvite = (invite: Invite & { codeHash: string; createdBy: string | null }) =>
  statement(
    `INSERT INTO invites (id, team_id, code_hash, role, max_uses, uses, expires_at, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
    invite.id,
    invite.teamId,
    invite.codeHash,
    invite.role,
    invite.maxUses,
    invite.expiresAt,
    invite.createdBy,
    invite.createdAt,
  );

export const teamInvites = (teamId: string) =>
  statement('SELECT * FROM invites WHERE team_id = ? ORDER BY created_at, id', teamId);

export const revokeInvite = (teamId: string, inviteId: string, now: number) =>
  statement(
    'UPDATE invites SET revoked_at = ? WHERE id = ? AND team_id = ? AND revoked_at IS NULL',
    now,
    inviteId,
    teamId,
  );

export const inviteByCode = (codeHash: string) => statement('SELECT * FROM invites WHERE code_hash = ?', codeHash);

export const countInviteUse = (inviteId: string) =>
  statement('UPDATE invites SET uses = uses + 1 WHERE id = ?', inviteId);

export const insertMember = (member: Member) =>
  statement(
    'INSERT INTO members (id, team_id, display_name, role, created_at) VALUES (?, ?, ?, ?, ?)',
    member.id,
    member.teamId,
    member.displayName,
    member.role,
    member.createdAt,
  );

export const member = (memberId: string) => statement('SELECT * FROM members WHERE id = ?', memberId);

export const liveMembers = (teamId: string) =>
  statement('SELECT * FROM members WHERE team_id = ? AND removed_at IS NULL ORDER BY created_at, id', teamId);

export const liveMemberCount = (teamId: string) =>
  statement('SELECT COUNT(*) AS n FROM members WHERE team_id = ? AND removed_at IS NULL', teamId);

export const ownerCount = (teamId: string) =>
  statement("SELECT COUNT(*) AS n FROM members WHERE team_id = ? AND role = 'owner' AND removed_at IS NULL", teamId);

export const setRole = (memberId: string, role: Role) =>
  statement('UPDATE members SET role = ? WHERE id = ?', role, memberId);

export const setUnit = (memberId: string, unit: MemberUnit | null) =>
  statement(
    'UPDATE members SET unit_id = ?, unit_name = ? WHERE id = ?',
    unit?.id ?? null,
    unit?.name ?? null,
    memberId,
  );

/** A live member's unit id (none once removed). */
export const memberUnit = (memberId: string) =>
  statement('SELECT unit_id FROM members WHERE id = ? AND removed_at IS NULL', memberId);

export const revokeMemberTokens = (memberId: string, now: number) =>
  statement('UPDATE tokens SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL', now, memberId);

/** Removing a member: gone from the team, their tokens and the invites they made revoked (one transaction). */
export const removeMember = (memberId: string, now: number) => [
  statement('UPDATE members SET removed_at = ? WHERE id = ? AND removed_at IS NULL', now, memberId),
  revokeMemberTokens(memberId, now),
  statement('UPDATE invites SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL', now, memberId),
];

export const insertToken = (tokenHash: string, owner: Member) =>
  statement(
    'INSERT INTO tokens (hash, member_id, team_id, created_at) VALUES (?, ?, ?, ?)',
    tokenHash,
    owner.id,
    owner.teamId,
    owner.createdAt,
  );

/** Who holds a live token of a live member. */
export const principal = (tokenHash: string) =>
  statement(
    `SELECT t.member_id, t.team_id, teams.name AS team_name, m.display_name, m.role
     FROM tokens t JOIN members m ON m.id = t.member_id JOIN teams ON teams.id = t.team_id
     WHERE t.hash = ? AND t.revoked_at IS NULL AND m.removed_at IS NULL`,
    tokenHash,
  );

export const revokeToken = (tokenHash: string, now: number) =>
  statement('UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL', now, tokenHash);

/**
 * The roles behind live tokens. `hashIs` tests `t.hash` against `hashes`: SQLite asks one hash at a time
 * (`= ?`), PostgreSQL a list at once (`= ANY(?::text[])`).
 */
export const liveTokenRoles = (hashIs: string, hashes: string | string[]) =>
  statement(
    `SELECT t.hash, m.role FROM tokens t JOIN members m ON m.id = t.member_id
     WHERE t.hash ${hashIs} AND t.revoked_at IS NULL AND m.removed_at IS NULL`,
    hashes,
  );

export const insertTicket = (ticket: Ticket) =>
  statement(
    'INSERT INTO tickets (hash, token_hash, member_id, team_id, room, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ticket.hash,
    ticket.tokenHash,
    ticket.memberId,
    ticket.teamId,
    ticket.room,
    ticket.expiresAt,
  );

/** Takes a ticket out as it is read: a ticket opens one connection. */
export const takeTicket = (hash: string) => statement('DELETE FROM tickets WHERE hash = ? RETURNING *', hash);

export const deleteExpiredTickets = (now: number) => statement('DELETE FROM tickets WHERE expires_at <= ?', now);
