/**
 * The team room's vocabulary in the query index: each team's tag renames, stored with the tag each reads as
 * (resolved once, when the renames change: readers then look a tag up instead of walking chains), and its units.
 * Written with the rest of the index (sqlite-index.ts) when the team room changes; read by every query that
 * shows, filters or counts tags, and by the units route.
 */
import {
  idSchema,
  resolveTags,
  type TagResolver,
  type TeamVocabulary,
  tagResolver,
  type Unit,
  type Units,
  unitSchema,
} from '../../shared/model/index.ts';
import type { SqliteHandle } from '../storage/sqlite-db.ts';

export class SqliteVocabulary {
  private readonly statements;

  constructor(db: SqliteHandle) {
    this.statements = {
      clearRenames: db.prepare<[string]>('DELETE FROM team_tag_renames WHERE team_id = ?'),
      insertRename: db.prepare<[string, string, string, string]>(
        'INSERT INTO team_tag_renames (team_id, tag, to_tag, resolved) VALUES (?, ?, ?, ?)',
      ),
      renames: db.prepare<[string], { tag: string; resolved: string }>(
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
    s.clearRenames.run(teamId);
    const resolve = tagResolver(vocabulary.tagRenames);
    for (const [tag, rename] of vocabulary.tagRenames) s.insertRename.run(teamId, tag, rename.to, resolve(tag));
    s.clearUnits.run(teamId);
    for (const [id, unit] of Object.entries(vocabulary.units)) s.insertUnit.run(teamId, id, JSON.stringify(unit));
  }

  /** How the team reads each tag now. */
  resolver(teamId: string): TagResolver {
    const renamed = new Map(this.statements.renames.all(teamId).map((row) => [row.tag, row.resolved]));
    return renamed.size ? (tag) => renamed.get(tag) ?? tag : (tag) => tag;
  }

  /** Every tag (as written) that reads as `tag` reads now: what a filter by `tag` looks for in the index. */
  sourcesOf(teamId: string, tag: string): { reads: string; sources: string[] } {
    const rows = this.statements.renames.all(teamId);
    const renamed = new Map(rows.map((row) => [row.tag, row.resolved]));
    const reads = renamed.get(tag) ?? tag;
    const sources = rows.filter((row) => row.resolved === reads).map((row) => row.tag);
    if (!renamed.has(reads)) sources.push(reads);
    return { reads, sources };
  }

  /** The team's units, validated on the way out. */
  units(teamId: string): Units {
    const units: Record<string, Unit> = Object.create(null);
    for (const row of this.statements.units.all(teamId)) {
      if (!idSchema.safeParse(row.id).success) continue;
      const parsed = unitSchema.safeParse(JSON.parse(row.data));
      if (parsed.success) units[row.id] = parsed.data;
    }
    return units;
  }
}

/** An annotation-like record with its tags as the team reads them. */
export function withTeamTags<T extends { tags: string[] }>(record: T, resolve: TagResolver): T {
  return { ...record, tags: resolveTags(record.tags, resolve) };
}
