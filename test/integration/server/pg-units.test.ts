/**
 * The members' units each PostgreSQL instance keeps in memory for the write rules (storage/pg/pg-units.ts),
 * against a real PostgreSQL: a change made through another store is heard by its note; while the listening
 * connection is down nothing is trusted (no unit, so nothing is wrongly allowed), and a change made meanwhile is
 * read once it listens again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../server/log.ts';
import { PgTeamStore } from '../../../server/storage/pg/pg-teams.ts';
import { notifyTeamUnits, PgUnitCache } from '../../../server/storage/pg/pg-units.ts';
import { openPostgres } from '../../server/stores.ts';
import { eventually } from './helpers.ts';

let db: Awaited<ReturnType<typeof openPostgres>>;
let cache: PgUnitCache;
/** Another instance's store: it changes units, this one's cache must hear of it. */
let other: PgTeamStore;

beforeAll(async () => {
  db = await openPostgres();
  await db.pool.query("INSERT INTO teams (id, name, created_at) VALUES ('team-1', 'T', 0)");
  for (const id of ['m-1', 'm-2']) {
    await db.pool.query(
      "INSERT INTO members (id, team_id, display_name, role, created_at) VALUES ($1, 'team-1', $1, 'viewer', 0)",
      [id],
    );
  }
  await db.pool.query("UPDATE members SET unit_id = 'u-a', unit_name = 'A' WHERE id = 'm-1'");
  await setTeamUnit('u-a', { name: 'A' });
  cache = new PgUnitCache(db.pool, db.url, silentLogger);
  other = new PgTeamStore(db.pool, new PgUnitCache(db.pool, db.url, silentLogger));
});

afterAll(async () => {
  await cache?.close();
  await db?.close();
});

/** Writes one unit of team-1 as the query index does (a test of the cache, not of the index). */
async function setTeamUnit(id: string, unit: { name: string; mergedInto?: string }): Promise<void> {
  await db.pool.query(
    `INSERT INTO team_units (team_id, id, data) VALUES ('team-1', $1, $2)
     ON CONFLICT (team_id, id) DO UPDATE SET data = EXCLUDED.data`,
    [id, JSON.stringify({ ...unit, by: 'm-1', at: 0 })],
  );
}

const mergedInto = (id: string) => Promise.resolve(cache.teamUnitsNow('team-1')[id]?.mergedInto ?? null);
const unitNow = (memberId: string) => Promise.resolve(cache.memberUnitNow(memberId));

describe('members’ units in memory on PostgreSQL', () => {
  it('answers nothing before it listens, then what the database holds', async () => {
    expect(cache.memberUnitNow('m-1')).toBeNull();
    await cache.start();
    expect(cache.memberUnitNow('m-1')).toBe('u-a');
    expect(cache.memberUnitNow('m-2')).toBeNull();
    expect(cache.teamUnitsNow('team-1')).toEqual({});
    await cache.prepareTeam('team-1');
    expect(Object.keys(cache.teamUnitsNow('team-1'))).toEqual(['u-a']);
  });

  it('hears a unit set, changed and a member removed through another store', async () => {
    await other.setUnit('m-2', { id: 'u-b', name: 'B' });
    await eventually(
      () => unitNow('m-2'),
      (unit) => unit === 'u-b',
    );
    await other.setUnit('m-1', { id: 'u-c', name: 'C' });
    await eventually(
      () => unitNow('m-1'),
      (unit) => unit === 'u-c',
    );
    await other.removeMember('m-2', 1);
    await eventually(
      () => unitNow('m-2'),
      (unit) => unit === null,
    );
    await setTeamUnit('u-a', { name: 'A', mergedInto: 'u-b' });
    await notifyTeamUnits(db.pool, 'team-1');
    await eventually(
      () => mergedInto('u-a'),
      (target) => target === 'u-b',
    );
  });

  it('trusts nothing while its connection is down and reads what changed meanwhile once back', async () => {
    await db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pizhu-units'",
    );
    await eventually(
      () => unitNow('m-1'),
      (unit) => unit === null,
    );
    // Changed while nobody listened: the note is lost, the reload after listening again finds it.
    await db.pool.query("UPDATE members SET unit_id = 'u-d' WHERE id = 'm-1'");
    await setTeamUnit('u-a', { name: 'A', mergedInto: 'u-d' });
    await eventually(
      () => unitNow('m-1'),
      (unit) => unit === 'u-d',
      15_000,
    );
    expect(await mergedInto('u-a')).toBe('u-d');
  });
});
