/**
 * Statements built for any database (tasks-index.ts) run on SQLite: named placeholders bound from the values
 * in order, booleans as 0/1 (better-sqlite3 binds no booleans), each SQL text prepared once.
 */
import type Database from 'better-sqlite3';
import type { SqliteHandle } from '../storage/sqlite-db.ts';
import type { SqlDialect, SqlReader, SqlStatement } from './tasks-index.ts';

export const SQLITE_DIALECT: SqlDialect = {
  placeholder: (n) => `@p${n}`,
  contains: (text, part) => `instr(${text}, ${part}) > 0`,
};

function bindings(values: readonly unknown[]): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  values.forEach((value, i) => {
    named[`p${i + 1}`] = typeof value === 'boolean' ? Number(value) : value;
  });
  return named;
}

export class SqliteStatements implements SqlReader {
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(private readonly db: SqliteHandle) {}

  /** Writes run in the caller's transaction, in the call. */
  run(statement: SqlStatement): void {
    this.statement(statement.sql).run(bindings(statement.values));
  }

  async all<R>(statement: SqlStatement): Promise<R[]> {
    // Queries vary with their filters: prepared each time rather than kept.
    return this.db.prepare(statement.sql).all(bindings(statement.values)) as R[];
  }

  private statement(sql: string): Database.Statement {
    let prepared = this.prepared.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.prepared.set(sql, prepared);
    }
    return prepared;
  }
}
