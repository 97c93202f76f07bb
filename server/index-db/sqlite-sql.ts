/**
 * Statements built for any database (tasks-index.ts) run on SQLite: values bound in order, booleans as 0/1
 * (better-sqlite3 binds no booleans), each write's SQL text prepared once.
 */
import type Database from 'better-sqlite3';
import type { SqliteHandle } from '../storage/sqlite-db.ts';
import type { SqlReader, SqlStatement } from './tasks-index.ts';

const bindable = (params: readonly unknown[]) => params.map((v) => (typeof v === 'boolean' ? Number(v) : v));

export class SqliteStatements implements SqlReader {
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(private readonly db: SqliteHandle) {}

  /** Writes run in the caller's transaction, in the call. */
  run(statement: SqlStatement): void {
    let prepared = this.prepared.get(statement.sql);
    if (!prepared) {
      prepared = this.db.prepare(statement.sql);
      this.prepared.set(statement.sql, prepared);
    }
    prepared.run(bindable(statement.params));
  }

  async all<R>(statement: SqlStatement): Promise<R[]> {
    // Queries vary with their filters: prepared each time rather than kept.
    return this.db.prepare(statement.sql).all(bindable(statement.params)) as R[];
  }
}
