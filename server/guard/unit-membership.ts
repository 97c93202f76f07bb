/**
 * Whether a member belongs to one of a task's units: the unit the owner gave the member (team store) against the
 * task's unit ids, both followed through the team's merges (the `units` of the team room, from the query index),
 * so a member of a unit merged into another counts for the tasks of either.
 */
import { resolveUnit, type Units } from '../../shared/tasks/index.ts';

export type MembershipSources = {
  /** The unit id the owner gave the member, or null. */
  memberUnit(memberId: string): string | null;
  /** The team's units as its team room holds them. */
  teamUnits(teamId: string): Units;
  /** Makes `teamUnits` answer for this team (a store that holds them in memory loads them). */
  prepareTeam(teamId: string): Promise<void>;
};

export class UnitMembership {
  constructor(private readonly sources: MembershipSources) {}

  /** A room of the team was loaded: what its writes are checked against is read now. */
  prepare(teamId: string): Promise<void> {
    return this.sources.prepareTeam(teamId);
  }

  hasUnit(memberId: string): boolean {
    return this.sources.memberUnit(memberId) !== null;
  }

  belongsToAny(teamId: string, memberId: string, unitIds: readonly string[]): boolean {
    const own = this.sources.memberUnit(memberId);
    if (!own || unitIds.length === 0) return false;
    const units = this.sources.teamUnits(teamId);
    const target = (id: string) => resolveUnit(units, id)?.id ?? id;
    const mine = target(own);
    return unitIds.some((id) => target(id) === mine);
  }
}
