/**
 * The team store over either database: each method runs team-sql.ts's statements through the store's runner
 * and reads the rows with team-rows.ts. The stores (sqlite-teams.ts, pg/pg-teams.ts) add only what differs:
 * their transactions, PostgreSQL's row locks and unit notes, SQLite's one-token-at-a-time lookups.
 */
import type { Role } from '../../shared/protocol/api.ts';
import * as sql from './team-sql.ts';
import type { StatementRunner } from './team-sql.ts';
import {
  type CountRow,
  type InviteRow,
  type MemberRow,
  type PrincipalRow,
  type TeamRow,
  type TeamSummaryRow,
  type TicketRow,
  toInvite,
  toMember,
  toPrincipal,
  toTeam,
  toTeamSummary,
  toTicket,
} from './team-rows.ts';
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

export abstract class SqlTeamStore<Runner extends StatementRunner = StatementRunner> implements TeamStore {
  constructor(protected readonly db: Runner) {}

  abstract redeemInvite(codeHash: string, join: InviteRedemption): Promise<RedeemResult>;
  abstract setUnit(memberId: string, unit: MemberUnit | null): Promise<void>;
  abstract memberUnitNow(memberId: string): string | null;
  abstract removeMember(memberId: string, now: number): Promise<void>;
  abstract liveTokens(tokenHashes: string[]): Promise<Map<string, Role>>;

  async createTeam(team: Team): Promise<void> {
    await this.db.run(sql.insertTeam(team));
  }

  async getTeam(teamId: string): Promise<Team | null> {
    const row = await this.db.get<TeamRow>(sql.team(teamId));
    return row ? toTeam(row) : null;
  }

  async listTeams(): Promise<TeamSummary[]> {
    return (await this.db.all<TeamSummaryRow>(sql.teamSummaries())).map(toTeamSummary);
  }

  async addInvite(invite: Invite & { codeHash: string; createdBy: string | null }): Promise<void> {
    await this.db.run(sql.insertInvite(invite));
  }

  async listInvites(teamId: string): Promise<Invite[]> {
    return (await this.db.all<InviteRow>(sql.teamInvites(teamId))).map(toInvite);
  }

  async revokeInvite(teamId: string, inviteId: string, now: number): Promise<boolean> {
    return (await this.db.run(sql.revokeInvite(teamId, inviteId, now))) > 0;
  }

  async getMember(memberId: string): Promise<Member | null> {
    const row = await this.db.get<MemberRow>(sql.member(memberId));
    return row ? toMember(row) : null;
  }

  async listMembers(teamId: string): Promise<Member[]> {
    return (await this.db.all<MemberRow>(sql.liveMembers(teamId))).map(toMember);
  }

  async setRole(memberId: string, role: Role): Promise<void> {
    await this.db.run(sql.setRole(memberId, role));
  }

  async countOwners(teamId: string): Promise<number> {
    return (await this.db.get<CountRow>(sql.ownerCount(teamId)))!.n;
  }

  async findToken(tokenHash: string): Promise<Principal | null> {
    const row = await this.db.get<PrincipalRow>(sql.principal(tokenHash));
    return row ? toPrincipal(row, tokenHash) : null;
  }

  async revokeToken(tokenHash: string, now: number): Promise<boolean> {
    return (await this.db.run(sql.revokeToken(tokenHash, now))) > 0;
  }

  async revokeMemberTokens(memberId: string, now: number): Promise<number> {
    return this.db.run(sql.revokeMemberTokens(memberId, now));
  }

  async addTicket(ticket: Ticket): Promise<void> {
    await this.db.run(sql.insertTicket(ticket));
  }

  async consumeTicket(hash: string): Promise<Ticket | null> {
    const row = await this.db.get<TicketRow>(sql.takeTicket(hash));
    return row ? toTicket(row) : null;
  }

  async deleteExpiredTickets(now: number): Promise<number> {
    return this.db.run(sql.deleteExpiredTickets(now));
  }
}
