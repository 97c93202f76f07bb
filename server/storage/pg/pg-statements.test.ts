import { describe, expect, it } from 'vitest';
import { liveTokenRoles, revokeInvite } from '../team-sql.ts';
import { forUpdate, numbered } from './pg-statements.ts';

describe('numbered', () => {
  it('numbers the placeholders in the order their values are bound', () => {
    const statement = revokeInvite('team', 'invite', 5);
    expect(numbered(statement.sql)).toBe(
      'UPDATE invites SET revoked_at = $1 WHERE id = $2 AND team_id = $3 AND revoked_at IS NULL',
    );
    expect(statement.params).toEqual([5, 'invite', 'team']);
  });

  it('numbers a placeholder inside a cast', () => {
    expect(numbered(liveTokenRoles('= ANY(?::text[])', ['a', 'b']).sql)).toContain('t.hash = ANY($1::text[])');
  });
});

describe('forUpdate', () => {
  it('locks what the statement reads and keeps its values', () => {
    const locked = forUpdate({ sql: 'SELECT * FROM invites WHERE code_hash = ?', params: ['h'] });
    expect(locked).toEqual({ sql: 'SELECT * FROM invites WHERE code_hash = ? FOR UPDATE', params: ['h'] });
  });
});
