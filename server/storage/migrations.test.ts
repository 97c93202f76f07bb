/**
 * Released schema migrations never change: deployments already ran them, and some are built from texts shared
 * by both stores (common-tables.ts), where an edit meant for one table would silently rewrite history.
 * Append a digest here when a migration is released; a new schema change is a new migration.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from './pg/migrate.ts';
import { MIGRATIONS } from './sqlite-db.ts';

const digest = (sql: string) => createHash('sha256').update(sql).digest('hex').slice(0, 16);

const RELEASED_SQLITE = [
  '75a0ee16b6b38d03',
  '43a5e5e9907a6d25',
  '77b83ac89bc107ff',
  '7144c988ba5a5770',
  '660b229bb1cbab55',
  '0c93704576e8b547',
];
const RELEASED_PG = ['cd602875808018c4', '9fef52f9269eeb10', '43a5e5e9907a6d25', '2e1c2fb9d36eec8e'];

describe('released schema migrations', () => {
  it('keep their SQLite text', () => {
    expect(MIGRATIONS.slice(0, RELEASED_SQLITE.length).map(digest)).toEqual(RELEASED_SQLITE);
  });

  it('keep their PostgreSQL text', () => {
    expect(PG_MIGRATIONS.slice(0, RELEASED_PG.length).map((m) => digest(m.sql))).toEqual(RELEASED_PG);
  });
});
