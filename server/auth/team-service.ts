/**
 * Teams and people: creating teams and invites, joining, bearer tokens, WebSocket tickets, roles and
 * revocation. Used by the HTTP API and the CLI alike; every secret is stored only as its SHA-256 hash.
 */
import { parseRoomId } from '../../shared/model/index.ts';
import type { Role } from '../../shared/protocol/api.ts';
import { ApiError, badRequest, forbidden, notFound, unauthorized } from '../http/errors.ts';
import { newId, newInviteCode, newTicket, newToken, normaliseInviteCode, sha256Hex } from '../ids.ts';
import type { Invite, Member, MemberUnit, Principal, TeamStore, TeamSummary } from '../storage/types.ts';

export type CreatedInvite = Invite & { inviteCode: string };

export type InviteOptions = {
  role?: Role;
  /** Unset or null: one use for owner invites, `InviteDefaults.maxUses` for the others. */
  maxUses?: number | null;
  /** Unset or null: `InviteDefaults.ttlMs` from now. */
  expiresAt?: number | null;
  createdBy?: string | null;
};

export type TeamServiceSettings = {
  ticketTtlMs: number;
  /** Every invite expires and has a use limit; these apply when its creator sets none. */
  inviteTtlMs: number;
  inviteMaxUses: number;
  /** Joining a team that has this many members answers 403 team_full. */
  maxMembersPerTeam?: number;
};

export class TeamService {
  constructor(
    readonly store: TeamStore,
    private readonly settings: TeamServiceSettings,
    private readonly now: () => number = Date.now,
  ) {}

  private get maxMembersPerTeam(): number {
    return this.settings.maxMembersPerTeam ?? Number.POSITIVE_INFINITY;
  }

  async createTeam(
    name: string,
  ): Promise<{ teamId: string; teamName: string; invite: CreatedInvite; inviteCode: string }> {
    const teamName = name.trim();
    if (!teamName || teamName.length > 100)
      throw badRequest('A team name has 1 to 100 characters', 'invalid_team_name');
    const teamId = newId('t', 12);
    await this.store.createTeam({ id: teamId, name: teamName, createdAt: this.now() });
    const invite = await this.createInvite(teamId, { role: 'editor' });
    return { teamId, teamName, invite, inviteCode: invite.inviteCode };
  }

  listTeams(): Promise<TeamSummary[]> {
    return this.store.listTeams();
  }

  async createInvite(teamId: string, options: InviteOptions = {}): Promise<CreatedInvite> {
    if (!(await this.store.getTeam(teamId))) throw notFound(`No team "${teamId}"`, 'team_not_found', { teamId });
    const role = options.role ?? 'editor';
    const inviteCode = newInviteCode();
    const invite: Invite = {
      id: newId('i', 12),
      teamId,
      role,
      maxUses: options.maxUses ?? (role === 'owner' ? 1 : this.settings.inviteMaxUses),
      uses: 0,
      expiresAt: options.expiresAt ?? this.now() + this.settings.inviteTtlMs,
      createdAt: this.now(),
      revokedAt: null,
    };
    await this.store.addInvite({
      ...invite,
      codeHash: sha256Hex(normaliseInviteCode(inviteCode)),
      createdBy: options.createdBy ?? null,
    });
    return { ...invite, inviteCode };
  }

  async join(inviteCode: string, displayName: string) {
    const token = newToken();
    const result = await this.store.redeemInvite(sha256Hex(normaliseInviteCode(inviteCode)), {
      memberId: newId('m', 12),
      displayName: displayName.trim(),
      tokenHash: sha256Hex(token),
      now: this.now(),
      maxMembers: this.maxMembersPerTeam,
    });
    if (!result.ok) {
      if (result.reason === 'team_full') {
        throw new ApiError(403, 'team_full', `This team has reached its limit of ${this.maxMembersPerTeam} members`, {
          max: this.maxMembersPerTeam,
        });
      }
      const messages = {
        unknown: 'This invite code is not valid',
        expired: 'This invite code has expired',
        used_up: 'This invite code has been used up',
        revoked: 'This invite code was revoked',
      } as const;
      throw new ApiError(
        result.reason === 'unknown' ? 404 : 410,
        `invite_${result.reason}` as const,
        messages[result.reason],
      );
    }
    return {
      token,
      teamId: result.member.teamId,
      teamName: result.teamName,
      memberId: result.member.id,
      role: result.member.role,
    };
  }

  /** The principal of an `Authorization: Bearer` header, or null. */
  async authenticate(authorization: string | undefined | null): Promise<Principal | null> {
    const match = /^Bearer\s+(\S{16,200})\s*$/i.exec(authorization ?? '');
    if (!match) return null;
    return this.store.findToken(sha256Hex(match[1]!));
  }

  async issueTicket(principal: Principal, room: string): Promise<{ ticket: string; expiresAt: number }> {
    const parsed = parseRoomId(room);
    if (!parsed) throw badRequest('room must be "<teamId>.<documentKey>"', 'invalid_room');
    if (parsed.teamId !== principal.teamId)
      throw forbidden('This room belongs to another team', 'room_other_team', { room });
    const ticket = newTicket();
    const expiresAt = this.now() + this.settings.ticketTtlMs;
    await this.store.addTicket({
      hash: sha256Hex(ticket),
      tokenHash: principal.tokenHash,
      memberId: principal.memberId,
      teamId: principal.teamId,
      room,
      expiresAt,
    });
    return { ticket, expiresAt };
  }

  /** Uses up a ticket for a room; the principal is read fresh, so a role change or revocation applies. */
  async redeemTicket(ticket: string | undefined, room: string): Promise<Principal> {
    if (!ticket || ticket.length > 200)
      throw unauthorized('A ticket is required (POST /api/tickets)', 'ticket_required');
    const stored = await this.store.consumeTicket(sha256Hex(ticket));
    if (!stored) throw unauthorized('This ticket is not valid or was already used', 'ticket_invalid');
    if (stored.expiresAt <= this.now()) throw unauthorized('This ticket has expired', 'ticket_expired');
    if (stored.room !== room) throw forbidden('This ticket is for another room', 'ticket_other_room');
    const principal = await this.store.findToken(stored.tokenHash);
    if (!principal) throw unauthorized('The token behind this ticket was revoked', 'token_revoked');
    return principal;
  }

  listMembers(teamId: string): Promise<Member[]> {
    return this.store.listMembers(teamId);
  }

  listInvites(teamId: string): Promise<Invite[]> {
    return this.store.listInvites(teamId);
  }

  async revokeInvite(teamId: string, inviteId: string): Promise<void> {
    if (!(await this.store.revokeInvite(teamId, inviteId, this.now())))
      throw notFound('No such active invite', 'invite_not_found');
  }

  /** Changes a member's role; a team always keeps at least one owner. */
  async setRole(teamId: string, memberId: string, role: Role): Promise<Member> {
    const member = await this.memberOf(teamId, memberId);
    if (member.role === 'owner' && role !== 'owner' && (await this.store.countOwners(teamId)) <= 1) {
      throw new ApiError(409, 'last_owner', 'A team needs at least one owner; make someone else owner first');
    }
    await this.store.setRole(memberId, role);
    return { ...member, role };
  }

  /** Gives a member a unit (resolved by the caller against the team's units), or takes it away. */
  async setUnit(teamId: string, memberId: string, unit: MemberUnit | null): Promise<Member> {
    const member = await this.memberOf(teamId, memberId);
    await this.store.setUnit(memberId, unit);
    return { ...member, unit };
  }

  async removeMember(teamId: string, memberId: string): Promise<void> {
    const member = await this.memberOf(teamId, memberId);
    if (member.role === 'owner' && (await this.store.countOwners(teamId)) <= 1) {
      throw new ApiError(409, 'last_owner', 'A team needs at least one owner; make someone else owner first');
    }
    await this.store.removeMember(memberId, this.now());
  }

  async revokeMemberTokens(teamId: string, memberId: string): Promise<number> {
    await this.memberOf(teamId, memberId);
    return this.store.revokeMemberTokens(memberId, this.now());
  }

  revokeToken(tokenHash: string): Promise<boolean> {
    return this.store.revokeToken(tokenHash, this.now());
  }

  /**
   * CLI `revoke <token-or-member>`: a bearer token (pz_...), a member id (all of the member's tokens) or an
   * invite id. Returns what was revoked.
   */
  async revokeAnything(value: string): Promise<string> {
    const text = value.trim();
    if (text.startsWith('pz_')) {
      if (await this.store.revokeToken(sha256Hex(text), this.now())) return 'Revoked the token.';
      throw notFound('No live token matches', 'token_not_found');
    }
    const member = await this.store.getMember(text);
    if (member) {
      const n = await this.store.revokeMemberTokens(member.id, this.now());
      return `Revoked ${n} token(s) of ${member.displayName} (${member.id}); they must join again with an invite.`;
    }
    for (const team of await this.store.listTeams()) {
      if (await this.store.revokeInvite(team.id, text, this.now())) return `Revoked invite ${text}.`;
    }
    throw notFound(`"${text.slice(0, 80)}" is not a token, member id or active invite id`, 'revoke_target_not_found', {
      value: text.slice(0, 80),
    });
  }

  liveTokens(hashes: string[]): Promise<Map<string, Role>> {
    return this.store.liveTokens(hashes);
  }

  deleteExpiredTickets(): Promise<number> {
    return this.store.deleteExpiredTickets(this.now());
  }

  async memberOf(teamId: string, memberId: string): Promise<Member> {
    const member = await this.store.getMember(memberId);
    if (!member || member.teamId !== teamId || member.removedAt !== null)
      throw notFound('No such member in this team', 'member_not_found');
    return member;
  }
}
