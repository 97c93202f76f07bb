/**
 * Members' units and the teams' units in memory, for the write rules, which ask while checking an update and
 * cannot wait for PostgreSQL (UnitMembership). Every instance keeps them fresh through LISTEN/NOTIFY: whoever
 * changes a member's unit, removes a member or rewrites a team's units notifies in the same transaction, and
 * each listener reloads what the note names after the change committed. A note takes milliseconds; the cache
 * trusts nothing while its listening connection is down (members answer "no unit", so a viewer's progress is
 * refused, never wrongly accepted) and reloads everything once it listens again, since notes sent meanwhile
 * are lost.
 *
 * Members: every live member with a unit (a few per team: the viewers who report progress), loaded at start.
 * Teams: the units of teams whose rooms this instance loaded (`prepareTeam`), at most MAX_TEAMS of them.
 */
import pg from 'pg';
import { unitsOf } from '../../index-db/index-rows.ts';
import type { Units } from '../../../shared/model/index.ts';
import type { Logger } from '../../log.ts';
import { memberUnit } from '../team-sql.ts';
import { PgRunner } from './pg-statements.ts';
import type { PgPool, Queryable } from './pool.ts';

const CHANNEL = 'pizhu_units';
/**
 * Teams whose units are kept; past it the longest-held team is dropped and reloads when one of its rooms loads
 * (until then its merges are not followed: a viewer of a merged unit is refused, never wrongly allowed).
 */
const MAX_TEAMS = 10_000;
/** The wait before listening again after the connection dropped. */
const RELISTEN_MS = 1_000;

/** Tells every instance a member's unit changed (or the member left): send inside the changing transaction. */
export async function notifyMemberUnit(db: Queryable, memberId: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [CHANNEL, `m:${memberId}`]);
}

/** Tells every instance a team's units changed: send inside the transaction that rewrote them. */
export async function notifyTeamUnits(db: Queryable, teamId: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [CHANNEL, `t:${teamId}`]);
}

export class PgUnitCache {
  private readonly members = new Map<string, string>();
  private readonly teams = new Map<string, Units>();
  private listener: pg.Client | null = null;
  /** True while listening and loaded: only then are the members' units trusted. */
  private fresh = false;
  private closed = false;
  /** Loads run one after another, so a later one always answers with newer data than an earlier one. */
  private loads: Promise<void> = Promise.resolve();
  private relisten: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: PgPool,
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  /** Listens, then loads every member's unit: a change committed after the load began is noted, not lost. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'pizhu-units' });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (note) => {
      if (note.channel === CHANNEL && note.payload) this.noted(note.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.listener = client;
    await this.queue(async () => {
      const { rows } = await this.pool.query<{ id: string; unit_id: string }>(
        'SELECT id, unit_id FROM members WHERE unit_id IS NOT NULL AND removed_at IS NULL',
      );
      this.members.clear();
      for (const row of rows) this.members.set(row.id, row.unit_id);
      await this.reloadTeams();
      if (this.listener === client) this.fresh = true;
    });
  }

  memberUnitNow(memberId: string): string | null {
    return this.fresh ? (this.members.get(memberId) ?? null) : null;
  }

  /**
   * Reads a member's unit again after this instance changed it, so its own next check sees the change without
   * waiting for the note (which every other instance waits for).
   */
  refreshMember(memberId: string): Promise<void> {
    return this.listener ? this.queue(() => this.loadMember(memberId)) : Promise.resolve();
  }

  /** The team's units if held (merges are then followed); empty until `prepareTeam` loaded them. */
  teamUnitsNow(teamId: string): Units {
    return this.teams.get(teamId) ?? {};
  }

  /** Holds the team's units (a room of the team was loaded: its writes may ask). */
  prepareTeam(teamId: string): Promise<void> {
    if (this.teams.has(teamId)) return Promise.resolve();
    return this.queue(() => this.loadTeam(teamId));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fresh = false;
    if (this.relisten) clearTimeout(this.relisten);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
  }

  private noted(payload: string): void {
    const id = payload.slice(2);
    if (payload.startsWith('m:')) void this.queue(() => this.loadMember(id));
    else if (payload.startsWith('t:') && this.teams.has(id)) void this.queue(() => this.loadTeam(id));
  }

  private async loadMember(memberId: string): Promise<void> {
    const unit = (await new PgRunner(this.pool).get<{ unit_id: string | null }>(memberUnit(memberId)))?.unit_id;
    if (unit) this.members.set(memberId, unit);
    else this.members.delete(memberId);
  }

  private async loadTeam(teamId: string): Promise<void> {
    const { rows } = await this.pool.query<{ id: string; data: string }>(
      'SELECT id, data FROM team_units WHERE team_id = $1',
      [teamId],
    );
    this.teams.delete(teamId);
    if (this.teams.size >= MAX_TEAMS) this.teams.delete(this.teams.keys().next().value!);
    this.teams.set(teamId, unitsOf(rows));
  }

  /** The held teams' units, read again after notes may have been lost. */
  private async reloadTeams(): Promise<void> {
    if (this.teams.size === 0) return;
    const { rows } = await this.pool.query<{ team_id: string; id: string; data: string }>(
      'SELECT team_id, id, data FROM team_units WHERE team_id = ANY($1::text[])',
      [[...this.teams.keys()]],
    );
    const byTeam = new Map<string, { id: string; data: string }[]>([...this.teams.keys()].map((id) => [id, []]));
    for (const row of rows) byTeam.get(row.team_id)?.push(row);
    for (const [teamId, teamRows] of byTeam) this.teams.set(teamId, unitsOf(teamRows));
  }

  private queue(load: () => Promise<void>): Promise<void> {
    const next = this.loads.then(load);
    // A failed load leaves the cache untrusted until the next listen reloads it.
    this.loads = next.catch((error) => {
      this.fresh = false;
      this.log.error('storage', 'reading units failed', error);
      this.listener?.end().catch(() => {});
    });
    return this.loads;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.listener !== client) return;
    this.listener = null;
    // Notes sent while nobody listened are lost: nothing held is trusted until it is read again (members
    // answer "no unit" meanwhile, so the teams' units are not asked).
    this.fresh = false;
    client.end().catch(() => {});
    this.retry(error);
  }

  private retry(error: unknown): void {
    if (this.closed) return;
    this.log.warn('storage', `listening for unit changes stopped (${(error as Error).message}); retrying`);
    this.relisten = setTimeout(() => {
      this.relisten = null;
      if (!this.closed) this.start().catch((e) => this.retry(e));
    }, RELISTEN_MS);
  }
}
