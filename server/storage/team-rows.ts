/**
 * Rows of the team tables as both stores read them (same columns in SQLite and PostgreSQL), what they mean, and
 * the rules of redeeming an invite that both stores apply between their statements (team-sql.ts).
 */
import type { Role } from '../../shared/protocol/api.ts';
import type { Invite, InviteRedemption, Member, Principal, RedeemResult, Team, TeamSummary, Ticket } from './types.ts';

export type TeamRow = { id: string; name: string; created_at: number };

export type TeamSummaryRow = TeamRow & { members: number; rooms: number };

export type MemberRow = {
  id: string;
  team_id: string;
  display_name: string;
  role: Role;
  created_at: number;
  removed_at: number | null;
  /** The member's unit. */
  unit_id: string | null;
  unit_name: string | null;
};

export type InviteRow = {
  id: string;
  team_id: string;
  role: Role;
  max_uses: number | null;
  uses: number;
  expires_at: number | null;
  created_at: number;
  revoked_at: number | null;
};

export type PrincipalRow = { member_id: string; team_id: string; team_name: string; display_name: string; role: Role };

export type TicketRow = {
  hash: string;
  token_hash: string;
  member_id: string;
  team_id: string;
  room: string;
  expires_at: number;
};

/** What a COUNT(*) AS n answers. */
export type CountRow = { n: number };

export const toTeam = (row: TeamRow): Team => ({ id: row.id, name: row.name, createdAt: row.created_at });

export const toTeamSummary = (row: TeamSummaryRow): TeamSummary => ({
  ...toTeam(row),
  members: row.members,
  rooms: row.rooms,
});

export const toMember = (row: MemberRow): Member => ({
  id: row.id,
  teamId: row.team_id,
  displayName: row.display_name,
  role: row.role,
  createdAt: row.created_at,
  removedAt: row.removed_at,
  unit: row.unit_id ? { id: row.unit_id, name: row.unit_name ?? '' } : null,
});

export const toInvite = (row: InviteRow): Invite => ({
  id: row.id,
  teamId: row.team_id,
  role: row.role,
  maxUses: row.max_uses,
  uses: row.uses,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export const toPrincipal = (row: PrincipalRow, tokenHash: string): Principal => ({
  memberId: row.member_id,
  teamId: row.team_id,
  teamName: row.team_name,
  displayName: row.display_name,
  role: row.role,
  tokenHash,
});

export const toTicket = (row: TicketRow): Ticket => ({
  hash: row.hash,
  tokenHash: row.token_hash,
  memberId: row.member_id,
  teamId: row.team_id,
  room: row.room,
  expiresAt: row.expires_at,
});

type Refusal = Extract<RedeemResult, { ok: false }>;

/** Why a found invite admits nobody now, if it does not. */
export function inviteRefusal(invite: InviteRow, now: number): Refusal | null {
  if (invite.revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (invite.expires_at !== null && invite.expires_at <= now) return { ok: false, reason: 'expired' };
  if (invite.max_uses !== null && invite.uses >= invite.max_uses) return { ok: false, reason: 'used_up' };
  return null;
}

/**
 * The member an invite admits. The first person to join a team without an owner becomes its owner, whatever
 * role the invite gives.
 */
export function joiningMember(join: InviteRedemption, invite: InviteRow, owners: number): Member {
  return {
    id: join.memberId,
    teamId: invite.team_id,
    displayName: join.displayName,
    role: owners === 0 ? 'owner' : invite.role,
    createdAt: join.now,
    removedAt: null,
    unit: null,
  };
}
