/** Statements written for both databases (storage/team-sql.ts) run on PostgreSQL. */
import type { SqlStatement, StatementRunner } from '../team-sql.ts';
import type { Queryable } from './pool.ts';

/** The `?` placeholders numbered `$1..$n` in order, as PostgreSQL spells them. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The rows the statement reads stay locked until the transaction ends. */
export const forUpdate = (statement: SqlStatement): SqlStatement => ({
  ...statement,
  sql: `${statement.sql} FOR UPDATE`,
});

/** Runs statements on the pool, or on one client inside a transaction. */
export class PgRunner implements StatementRunner {
  constructor(private readonly db: Queryable) {}

  async get<R>(statement: SqlStatement): Promise<R | undefined> {
    return (await this.all<R>(statement))[0];
  }

  async all<R>(statement: SqlStatement): Promise<R[]> {
    return (await this.query(statement)).rows as R[];
  }

  async run(statement: SqlStatement): Promise<number> {
    return (await this.query(statement)).rowCount ?? 0;
  }

  private query(statement: SqlStatement) {
    return this.db.query(numbered(statement.sql), statement.params);
  }
}
