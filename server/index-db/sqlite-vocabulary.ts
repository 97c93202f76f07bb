/**
 * The team room's vocabulary in the query index: each team's tag renames, stored with the tag each reads as
 * (resolved once, when the renames change: readers then look a tag up instead of walking chains), and its units.
 * Written with the rest of the index (sqlite-index.ts) when the team room changes; read by every query that
 * shows, filters or counts tags, and by the units route.
 */
import type { TagResolver, TeamVocabulary, Units } from '../../shared/model/index.ts';
import type { SqliteHandle } from '../storage/sqlite-db.ts';
import { type RenameRow, resolverOf, unitsOf, vocabularyRows } from './index-rows.ts';

export class SqliteVocabulary {
  private readonly statements;

  constructor(db: SqliteHandle) {
    this.statements = {
      clearRenames: db.prepare<[string]>('DELETE FROM team_tag_renames WHERE team_id = ?'),
      insertRename: db.prepare<[string, string, string, string]>(
        'INSERT INTO team_tag_renames (team_id, tag, to_tag, resolved) VALUES (?, ?, ?, ?)',
      ),
      renames: db.prepare<[string], RenameRow>(
        'SELECT tag, resolved FROM team_tag_renames WHERE team_id = ? AND resolved <> tag',
      ),
      clearUnits: db.prepare<[string]>('DELETE FROM team_units WHERE team_id = ?'),
      insertUnit: db.prepare<[string, string, string]>('INSERT INTO team_units (team_id, id, data) VALUES (?, ?, ?)'),
      units: db.prepare<[string], { id: string; data: string }>('SELECT id, data FROM team_units WHERE team_id = ?'),
    };
  }

  /** Replaces a team's vocabulary with what its room holds (inside the index's write transaction). */
  replace(teamId: string, vocabulary: TeamVocabulary): void {
    const s = this.statements;
    const rows = vocabularyRows(vocabulary);
    s.clearRenames.run(teamId);
    for (const rename of rows.renames) s.insertRename.run(teamId, rename.tag, rename.to, rename.resolved);
    s.clearUnits.run(teamId);
    for (const unit of rows.units) s.insertUnit.run(teamId, unit.id, unit.data);
  }

  /** How the team reads each tag now. */
  resolver(teamId: string): TagResolver {
    return resolverOf(this.statements.renames.all(teamId));
  }

  /** The team's renames that change a tag. */
  renames(teamId: string): RenameRow[] {
    return this.statements.renames.all(teamId);
  }

  /** The team's units, validated on the way out. */
  units(teamId: string): Units {
    return unitsOf(this.statements.units.all(teamId));
  }
}
