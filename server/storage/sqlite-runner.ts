/**
 * Statements built for either database (team-sql.ts, index-db/tasks-index.ts) run on SQLite: values bound in
 * order, booleans as 0/1 (better-sqlite3 binds no booleans), each fixed SQL text prepared once. `…Now` run in
 * the call, for synchronous transactions; the promise forms serve the stores' async interfaces.
 */
import type Database from 'better-sqlite3';
import type { SqliteHandle } from './sqlite-db.ts';
import type { SqlStatement, StatementRunner } from './team-sql.ts';

const bindable = (params: readonly unknown[]) => params.map((v) => (typeof v === 'boolean' ? Number(v) : v));

export class SqliteRunner implements StatementRunner {
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(private readonly handle: SqliteHandle) {}

  /** Preparing costs more than running these small statements. */
  private prepare(statement: SqlStatement): Database.Statement {
    let prepared = this.prepared.get(statement.sql);
    if (!prepared) {
      prepared = this.handle.prepare(statement.sql);
      this.prepared.set(statement.sql, prepared);
    }
    return prepared;
  }

  getNow<R>(statement: SqlStatement): R | undefined {
    return this.prepare(statement).get(...bindable(statement.params)) as R | undefined;
  }

  runNow(statement: SqlStatement): number {
    return this.prepare(statement).run(...bindable(statement.params)).changes;
  }

  async get<R>(statement: SqlStatement): Promise<R | undefined> {
    return this.getNow<R>(statement);
  }

  async all<R>(statement: SqlStatement): Promise<R[]> {
    return this.prepare(statement).all(...bindable(statement.params)) as R[];
  }

  /** A query whose text varies with its filters: prepared for this call, not kept. */
  async allOnce<R>(statement: SqlStatement): Promise<R[]> {
    return this.handle.prepare(statement.sql).all(...bindable(statement.params)) as R[];
  }

  async run(statement: SqlStatement): Promise<number> {
    return this.runNow(statement);
  }
}
