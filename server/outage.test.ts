import { describe, expect, it } from 'vitest';
import { isOutage, OutageError } from './outage.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isOutage', () => {
  it('recognises a database or Redis that cannot be reached', () => {
    expect(isOutage(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isOutage(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isOutage(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isOutage(withCode('connection failure', '08006'))).toBe(true);
    expect(isOutage(withCode('sorry, too many clients already', '53300'))).toBe(true);
    expect(isOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isOutage(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(
      isOutage(
        Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      ),
    ).toBe(true);
    expect(isOutage(new Error('Connection is closed.'))).toBe(true);
    expect(isOutage(new OutageError('Redis cannot be reached'))).toBe(true);
    expect(isOutage(new Error('query failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }))).toBe(true);
  });

  it('leaves bugs and refusals alone', () => {
    expect(isOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isOutage(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isOutage(withCode('relation "rooms" does not exist', '42P01'))).toBe(false);
    expect(isOutage(withCode('SQLITE_CONSTRAINT', 'SQLITE_CONSTRAINT_UNIQUE'))).toBe(false);
    expect(isOutage('ECONNREFUSED')).toBe(false);
    expect(isOutage(null)).toBe(false);
  });
});
