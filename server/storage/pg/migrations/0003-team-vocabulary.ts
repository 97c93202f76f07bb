/**
 * The team room's vocabulary in the query index: tag renames and units, as SQLite keeps them (the same text as
 * its second migration). Never edit a released migration.
 */
import { TEAM_VOCABULARY_TABLES } from '../../common-tables.ts';

export const name = 'team-vocabulary';

export const sql = TEAM_VOCABULARY_TABLES;
