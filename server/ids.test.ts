import { describe, expect, it } from 'vitest';
import { idSchema } from '../shared/model/index.ts';
import { newId, newInviteCode, newTicket, newToken, normaliseInviteCode, sha256Hex } from './ids.ts';

describe('ids and secrets', () => {
  it('makes URL-safe ids that fit room ids, and unguessable tokens', () => {
    for (let i = 0; i < 100; i++) expect(idSchema.safeParse(newId('t', 12)).success).toBe(true);
    expect(newToken()).toMatch(/^pz_[A-Za-z0-9_-]{43}$/);
    expect(newTicket()).toMatch(/^tk_[A-Za-z0-9_-]{32}$/);
    expect(new Set(Array.from({ length: 1000 }, () => newToken())).size).toBe(1000);
  });

  it('makes readable invite codes that match however they are typed', () => {
    const code = newInviteCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(normaliseInviteCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(normaliseInviteCode(code));
    expect(normaliseInviteCode('ABOI-L000-0000')).toBe(normaliseInviteCode('AB01-1000-0000'));
    expect(sha256Hex('x')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
  });
});
