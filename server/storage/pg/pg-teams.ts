/**
 * Teams, members, hashed tokens, invites and single-use tickets in PostgreSQL (the statements and rows are
 * sql-team-store.ts's). What differs from SQLite: transactions on one pooled client, row locks where
 * concurrent instances must wait in turn, and a note to every instance when a member's unit changes.
 */
import type { Role } from '../../../shared/protocol/api.ts';
import { SqlTeamStore } from '../sql-team-store.ts';
import * as sql from '../team-sql.ts';
import { type CountRow, type InviteRow, inviteRefusal, joiningMember } from '../team-rows.ts';
import type { InviteRedemption, MemberUnit, RedeemResult } from '../types.ts';
import { forUpdate, PgRunner } from './pg-statements.ts';
import { notifyMemberUnit, type PgUnitCache } from './pg-units.ts';
import { inTransaction, type PgPool } from './pool.ts';

export class PgTeamStore extends SqlTeamStore {
  constructor(
    private readonly pool: PgPool,
    /** Members' units as every instance keeps them (pg-units.ts). */
    private readonly units: PgUnitCache,
  ) {
    super(new PgRunner(pool));
  }

  async redeemInvite(codeHash: string, join: InviteRedemption): Promise<RedeemResult> {
    return inTransaction(this.pool, async (client) => {
      const tx = new PgRunner(client);
      // Locked until commit: two people redeeming the last use wait in turn.
      const invite = await tx.get<InviteRow>(forUpdate(sql.inviteByCode(codeHash)));
      if (!invite) return { ok: false, reason: 'unknown' };
      const refusal = inviteRefusal(invite, join.now);
      if (refusal) return refusal;
      // The team row lock makes the member cap and the first member's ownership hold across invites and
      // instances.
      const team = (await tx.get<{ name: string }>(forUpdate(sql.teamName(invite.team_id))))!;
      const members = (await tx.get<CountRow>(sql.liveMemberCount(invite.team_id)))!.n;
      if (members >= join.maxMembers) return { ok: false, reason: 'team_full' };
      await tx.run(sql.countInviteUse(invite.id));
      const member = joiningMember(join, invite, (await tx.get<CountRow>(sql.ownerCount(invite.team_id)))!.n);
      await tx.run(sql.insertMember(member));
      await tx.run(sql.insertToken(join.tokenHash, member));
      return { ok: true, teamName: team.name, member };
    });
  }

  async setUnit(memberId: string, unit: MemberUnit | null): Promise<void> {
    await this.changeUnit(memberId, (tx) => tx.run(sql.setUnit(memberId, unit)));
  }

  memberUnitNow(memberId: string): string | null {
    return this.units.memberUnitNow(memberId);
  }

  async removeMember(memberId: string, now: number): Promise<void> {
    await this.changeUnit(memberId, async (tx) => {
      for (const statement of sql.removeMember(memberId, now)) await tx.run(statement);
    });
  }

  async liveTokens(tokenHashes: string[]): Promise<Map<string, Role>> {
    if (tokenHashes.length === 0) return new Map();
    const rows = await this.db.all<{ hash: string; role: Role }>(sql.liveTokenRoles('= ANY(?::text[])', tokenHashes));
    return new Map(rows.map((row) => [row.hash, row.role]));
  }

  /** Changes a member's unit (or removes the member) and tells every instance, this one first. */
  private async changeUnit(memberId: string, change: (tx: PgRunner) => Promise<unknown>) {
    await inTransaction(this.pool, async (client) => {
      await change(new PgRunner(client));
      await notifyMemberUnit(client, memberId);
    });
    await this.units.refreshMember(memberId);
  }
}
