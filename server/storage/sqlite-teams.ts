/**
 * Teams, members, hashed tokens, invites and single-use tickets in SQLite (the statements and rows are
 * sql-team-store.ts's). Transactions stay synchronous (`.immediate()`): nothing else on the one connection runs
 * between their statements.
 */
import type { Role } from '../../shared/protocol/api.ts';
import type { SqliteHandle } from './sqlite-db.ts';
import { SqliteRunner } from './sqlite-runner.ts';
import { SqlTeamStore } from './sql-team-store.ts';
import * as sql from './team-sql.ts';
import { type CountRow, type InviteRow, inviteRefusal, joiningMember } from './team-rows.ts';
import type { InviteRedemption, MemberUnit, RedeemResult } from './types.ts';

export class SqliteTeamStore extends SqlTeamStore<SqliteRunner> {
  private readonly redeemTx;
  private readonly removeTx;

  constructor(handle: SqliteHandle) {
    super(new SqliteRunner(handle));
    this.redeemTx = handle.transaction((codeHash: string, join: InviteRedemption) => this.redeemNow(codeHash, join));
    this.removeTx = handle.transaction((memberId: string, now: number) => {
      for (const statement of sql.removeMember(memberId, now)) this.db.runNow(statement);
    });
  }

  async redeemInvite(codeHash: string, join: InviteRedemption): Promise<RedeemResult> {
    return this.redeemTx.immediate(codeHash, join);
  }

  async setUnit(memberId: string, unit: MemberUnit | null): Promise<void> {
    await this.db.run(sql.setUnit(memberId, unit));
  }

  memberUnitNow(memberId: string): string | null {
    return this.db.getNow<{ unit_id: string | null }>(sql.memberUnit(memberId))?.unit_id ?? null;
  }

  async removeMember(memberId: string, now: number): Promise<void> {
    this.removeTx.immediate(memberId, now);
  }

  async liveTokens(tokenHashes: string[]): Promise<Map<string, Role>> {
    const live = new Map<string, Role>();
    for (const hash of tokenHashes) {
      const row = this.db.getNow<{ role: Role }>(sql.liveTokenRoles('= ?', hash));
      if (row) live.set(hash, row.role);
    }
    return live;
  }

  /** Inside the redeeming transaction. */
  private redeemNow(codeHash: string, join: InviteRedemption): RedeemResult {
    const invite = this.db.getNow<InviteRow>(sql.inviteByCode(codeHash));
    if (!invite) return { ok: false, reason: 'unknown' };
    const refusal = inviteRefusal(invite, join.now);
    if (refusal) return refusal;
    const members = this.db.getNow<CountRow>(sql.liveMemberCount(invite.team_id))!.n;
    if (members >= join.maxMembers) return { ok: false, reason: 'team_full' };
    this.db.runNow(sql.countInviteUse(invite.id));
    const member = joiningMember(join, invite, this.db.getNow<CountRow>(sql.ownerCount(invite.team_id))!.n);
    this.db.runNow(sql.insertMember(member));
    this.db.runNow(sql.insertToken(join.tokenHash, member));
    const team = this.db.getNow<{ name: string }>(sql.teamName(invite.team_id))!;
    return { ok: true, teamName: team.name, member };
  }
}
