/**
 * Socket and join limits counted in a real Redis by several instances: the caps hold across instances (also
 * when they race for the last slot), released slots are free again, and the slots of an instance that stopped
 * renewing them (killed) stop counting once they expire. While Redis cannot be reached an instance counts its
 * own sockets, and writes them into Redis once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killRedis, startRedisAgain } from '../../../scripts/services.mjs';
import { RedisLimits } from '../../../server/guard/deployment-limits.ts';
import { createLogger } from '../../../server/log.ts';
import { acquireServices, releaseServices, type Services } from '../../server/services.ts';

let services: Services;
const open: RedisLimits[] = [];
const log = createLogger({ level: 'silent', linesPerMinute: 10 });

beforeAll(async () => {
  services = await acquireServices();
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((limits) => limits.close()));
  await releaseServices();
});

function instance(perMember: number, perTeam: number, ttlMs?: number, url = services.redisUrl): RedisLimits {
  const limits = new RedisLimits(url, 'pizhu:limits-test', { perMember, perTeam }, 3, log, ttlMs);
  open.push(limits);
  return limits;
}

const unique = () => `${process.pid}-${Math.random().toString(36).slice(2)}`;

describe('RedisLimits', () => {
  it('holds the per-member and per-team caps across instances, even when they race for the last slot', async () => {
    const [a, b, c] = [instance(4, 6), instance(4, 6), instance(4, 6)];
    const team = unique();
    const member = unique();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        [a, b, c][i % 3]!.takeSocket({ id: `s${i}`, memberId: member, teamId: team }),
      ),
    );
    expect(results.filter((r) => r === null)).toHaveLength(4);
    expect(results.filter((r) => r === 'member')).toHaveLength(8);
    const other = unique();
    expect(await a.takeSocket({ id: 'o1', memberId: other, teamId: team })).toBeNull();
    expect(await b.takeSocket({ id: 'o2', memberId: other, teamId: team })).toBeNull();
    expect(await c.takeSocket({ id: 'o3', memberId: other, teamId: team })).toBe('team');
    b.releaseSocket({ id: 'o2', memberId: other, teamId: team });
    await new Promise((r) => setTimeout(r, 50));
    expect(await c.takeSocket({ id: 'o3', memberId: other, teamId: team })).toBeNull();
  });

  it('stops counting the slots of an instance that no longer renews them', async () => {
    const member = unique();
    const team = unique();
    const renewing = instance(2, 10, 600);
    const dead = instance(2, 10, 600);
    expect(await dead.takeSocket({ id: 'd1', memberId: member, teamId: team })).toBeNull();
    expect(await renewing.takeSocket({ id: 'r1', memberId: member, teamId: team })).toBeNull();
    // What kill -9 leaves: slots in Redis nobody renews.
    (dead as unknown as { renewer: NodeJS.Timeout }).renewer.close();
    expect(await renewing.takeSocket({ id: 'r2', memberId: member, teamId: team })).toBe('member');
    await new Promise((r) => setTimeout(r, 900));
    // The renewed slot still counts, the dead one expired.
    expect(await renewing.takeSocket({ id: 'r2', memberId: member, teamId: team })).toBeNull();
    expect(await renewing.takeSocket({ id: 'r3', memberId: member, teamId: team })).toBe('member');
  });

  it('keeps renewing every slot, whichever tick of the renewal period its keys fall in', async () => {
    const members = Array.from({ length: 20 }, () => unique());
    const teams = Array.from({ length: 4 }, () => unique());
    const limits = instance(2, 100, 600);
    for (const [i, member] of members.entries()) {
      for (const n of [1, 2]) {
        expect(await limits.takeSocket({ id: `${member}-${n}`, memberId: member, teamId: teams[i % 4]! })).toBeNull();
      }
    }
    // A released slot is no longer renewed, and frees its place.
    limits.releaseSocket({ id: `${members[0]}-1`, memberId: members[0]!, teamId: teams[0]! });
    await new Promise((r) => setTimeout(r, 1_800)); // three times the slots' lifetime
    const third = await Promise.all(
      members.map((member, i) => limits.takeSocket({ id: `${member}-3`, memberId: member, teamId: teams[i % 4]! })),
    );
    expect(third).toEqual([null, ...members.slice(1).map(() => 'member')]);
  });

  it('counts failed joins of an address across instances', async () => {
    const [a, b] = [instance(1, 1), instance(1, 1)];
    const address = unique();
    await a.joinFailed(address);
    await b.joinFailed(address);
    expect(await a.joinBlocked(address)).toBe(false);
    await a.joinFailed(address);
    expect(await b.joinBlocked(address)).toBe(true);
    expect(await b.joinBlocked(unique())).toBe(false);
  });

  it('counts its own sockets against the caps while Redis cannot be reached, and refuses joins', async () => {
    const limits = instance(2, 3, undefined, `redis://127.0.0.1:${await freePort()}`);
    const [member, other, third, team] = [unique(), unique(), unique(), unique()];
    // The first while the connection is still being made, the rest once it is known to be lost.
    expect(await limits.takeSocket({ id: 's1', memberId: member, teamId: team })).toBeNull();
    expect(await limits.takeSocket({ id: 's2', memberId: member, teamId: team })).toBeNull();
    expect(await limits.takeSocket({ id: 's3', memberId: member, teamId: team })).toBe('member');
    expect(await limits.takeSocket({ id: 's4', memberId: other, teamId: team })).toBeNull();
    expect(await limits.takeSocket({ id: 's5', memberId: third, teamId: team })).toBe('team');
    limits.releaseSocket({ id: 's1', memberId: member, teamId: team });
    expect(await limits.takeSocket({ id: 's6', memberId: third, teamId: team })).toBeNull();
    expect(await limits.takeSocket({ id: 's7', memberId: member, teamId: unique() })).toBeNull();
    // Failed joins cannot be counted: joining is refused, not left open to guessing.
    await expect(limits.joinBlocked('203.0.113.9')).rejects.toThrow();
  });

  it('writes the slots it holds into Redis once a restarted Redis is back', async () => {
    const member = unique();
    const team = unique();
    const holder = instance(2, 10, 600);
    const other = instance(2, 10, 600);
    expect(await holder.takeSocket({ id: 'before', memberId: member, teamId: team })).toBeNull();
    await killRedis(services.dir);
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(await holder.takeSocket({ id: 'during', memberId: member, teamId: team })).toBeNull();
    } finally {
      await startRedisAgain(services.dir);
    }
    // The restarted Redis is empty; within a renewal period it counts both slots again.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await other.takeSocket({ id: 'after', memberId: member, teamId: team })).toBe('member');
    holder.releaseSocket({ id: 'during', memberId: member, teamId: team });
    await new Promise((r) => setTimeout(r, 50));
    expect(await other.takeSocket({ id: 'after', memberId: member, teamId: team })).toBeNull();
  });
});
