/** Rows of the member and invite tables as both stores read them (same columns in SQLite and PostgreSQL). */
import type { Role } from '../../shared/protocol/api.ts';
import type { Invite, Member } from './types.ts';

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
