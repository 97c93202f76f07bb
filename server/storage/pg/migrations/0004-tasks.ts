/**
 * Tasks and their progress in the query index, and each member's unit, as SQLite keeps them (common-tables.ts;
 * SQLite's migration 6). Never edit a released migration.
 */
import { PG_TYPES, taskTables } from '../../common-tables.ts';

export const name = 'tasks';

export const sql = taskTables(PG_TYPES);
