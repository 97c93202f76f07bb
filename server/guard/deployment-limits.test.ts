import { describe, expect, it } from 'vitest';
import { LocalLimits } from './deployment-limits.ts';

describe('LocalLimits', () => {
  it('refuses a socket past the member cap, then past the team cap, and frees slots on release', async () => {
    const limits = new LocalLimits({ perMember: 2, perTeam: 3 }, 5);
    const slot = (id: string, memberId: string) => ({ id, memberId, teamId: 't' });
    expect(await limits.takeSocket(slot('1', 'a'))).toBeNull();
    expect(await limits.takeSocket(slot('2', 'a'))).toBeNull();
    expect(await limits.takeSocket(slot('3', 'a'))).toBe('member');
    expect(await limits.takeSocket(slot('4', 'b'))).toBeNull();
    expect(await limits.takeSocket(slot('5', 'c'))).toBe('team');
    limits.releaseSocket(slot('1', 'a'));
    limits.releaseSocket(slot('1', 'a')); // twice: harmless
    expect(await limits.takeSocket(slot('6', 'c'))).toBeNull();
    expect(await limits.takeSocket(slot('7', 'a'))).toBe('team');
  });

  it('blocks an address after its failed joins of the minute', async () => {
    const limits = new LocalLimits({ perMember: 1, perTeam: 1 }, 2);
    await limits.joinFailed('1.2.3.4');
    expect(await limits.joinBlocked('1.2.3.4')).toBe(false);
    await limits.joinFailed('1.2.3.4');
    expect(await limits.joinBlocked('1.2.3.4')).toBe(true);
    expect(await limits.joinBlocked('5.6.7.8')).toBe(false);
  });
});
