/**
 * The query index in PostgreSQL: the SQLite index's tables and queries, written in chunks off the update path.
 * The text filter is LIKE over the folded quote and note, served by a pg_trgm trigram index (migration 2), the
 * counterpart of SQLite's FTS5 trigram table. Tags are stored as their authors wrote them and read through the
 * team's renames (team_tag_renames), as on SQLite. Tasks and progress share the SQLite index's statements
 * (tasks-index.ts) in PostgreSQL's dialect; the write rules read units from memory (storage/pg/pg-units.ts).
 */
import type { Annotation, RoomReadResult, TagResolver, TeamVocabulary, Units } from '../../shared/model/index.ts';
import { notifyTeamUnits, type PgUnitCache } from '../storage/pg/pg-units.ts';
import { inTransaction, type PgClient, type PgPool } from '../storage/pg/pool.ts';
import { BatchedIndex } from './index-batcher.ts';
import {
  annotationColumns,
  annotationPage,
  CREDITED,
  type CreditedRow,
  type DocumentRow,
  documentSummary,
  likeLiteral,
  type RenameRow,
  rebuildChange,
  resolverOf,
  teamAnnotationsOf,
  unitsOf,
  vocabularyRows,
} from './index-rows.ts';
import { type ListDialect, listStatement } from './list-query.ts';
import {
  type SqlStatement,
  SqlTaskIndex,
  type TaskDialect,
  type TaskIndexChange,
  taskClears,
  taskWrites,
} from './tasks-index.ts';
import type {
  AnnotationFilter,
  AnnotationPage,
  AnnotationQueries,
  DocumentSummary,
  IndexSink,
  RoomIndexChange,
  StaleChange,
  TagCount,
  TeamAnnotations,
} from './types.ts';

const PG_DIALECT: ListDialect & TaskDialect = {
  placeholder: (n) => `$${n}`,
  oneOf: (values, bind) => `= ANY(${bind(values)}::text[])`,
  contains: (text, bind) => `a.search_text LIKE ${bind(`%${likeLiteral(text)}%`)}`,
  hasPart: (text, part) => `strpos(${text}, ${part}) > 0`,
};

export class PgAnnotationIndex extends BatchedIndex implements IndexSink, AnnotationQueries {
  /** Tasks and progress, written in the same transactions; the write rules' units come from `unitCache`. */
  readonly tasks: SqlTaskIndex;

  constructor(
    private readonly pool: PgPool,
    unitCache: PgUnitCache,
    onError: (error: unknown) => void = () => {},
  ) {
    super(onError);
    const reader = {
      all: async <R>(s: SqlStatement) => (await pool.query(s.sql, s.params)).rows as R[],
    };
    this.tasks = new SqlTaskIndex(PG_DIALECT, reader, {
      units: (teamId) => this.units(teamId),
      unitsNow: (teamId) => unitCache.teamUnitsNow(teamId),
      prepareUnits: (teamId) => unitCache.prepareTeam(teamId),
    });
  }

  /**
   * Writes the changes whose room the index does not reflect through a later seq; returns the others. Rooms
   * are locked in one statement in a fixed order, so two instances writing batches of the same rooms never
   * deadlock. The rows go in a handful of statements per batch, whatever its size: every statement is a round
   * trip to PostgreSQL, and with several instances indexing every update they apply, round trips per
   * annotation were what loaded the machine (bench/README.md, "Scale out"). The statements are named, so each
   * connection parses and plans them once.
   */
  protected writeBatch(batch: RoomIndexChange[]): Promise<StaleChange[]> {
    return inTransaction(this.pool, async (client) => {
      const indexed = await lockRooms(client, batch);
      const stale: StaleChange[] = [];
      const accepted: RoomIndexChange[] = [];
      for (const change of batch) {
        const indexedThrough = indexed.get(change.roomId)!;
        if (change.throughSeq < indexedThrough) {
          stale.push({ change, indexedThrough });
          continue;
        }
        accepted.push(change);
        if (!change.partial) indexed.set(change.roomId, change.throughSeq);
      }
      await writeChanges(client, accepted);
      return stale;
    });
  }

  // --- IndexSink ---

  async through(roomId: string): Promise<number> {
    const { rows } = await this.pool.query<{ through: number }>('SELECT through FROM index_rooms WHERE room = $1', [
      roomId,
    ]);
    return rows[0]?.through ?? 0;
  }

  async replaceRoom(
    roomId: string,
    read: RoomReadResult,
    throughSeq: number,
    vocabulary?: TeamVocabulary,
    tasks?: TaskIndexChange,
  ): Promise<number | null> {
    const change = rebuildChange(roomId, read, throughSeq, vocabulary, tasks);
    return inTransaction(this.pool, async (client) => {
      const indexedThrough = (await lockRooms(client, [change])).get(roomId)!;
      if (throughSeq < indexedThrough) return indexedThrough;
      await client.query('DELETE FROM annotations WHERE room = $1', [roomId]);
      await client.query('DELETE FROM annotation_tags WHERE room = $1', [roomId]);
      for (const clear of taskClears(PG_DIALECT, roomId)) await client.query(clear.sql, clear.params);
      // Also moves `through` to throughSeq: the change is whole, and no later seq is indexed (checked above).
      await writeChanges(client, [change]);
      return null;
    });
  }

  // --- AnnotationQueries ---

  async list(teamId: string, filter: AnnotationFilter): Promise<AnnotationPage> {
    const renames = await this.renames(teamId);
    const { sql, params } = listStatement(teamId, filter, renames, PG_DIALECT);
    const { rows } = await this.pool.query<CreditedRow>(sql, params);
    return annotationPage(rows, filter.limit, resolverOf(renames));
  }

  /** Live annotations per tag as the team reads it; one carrying two tags merged into one counts once. */
  async tags(teamId: string): Promise<TagCount[]> {
    const { rows } = await this.pool.query<TagCount>(
      `SELECT COALESCE(r.resolved, t.tag) AS tag, COUNT(DISTINCT (t.room, t.annotation_id)) AS count
       FROM annotation_tags t
       LEFT JOIN team_tag_renames r ON r.team_id = t.team_id AND r.tag = t.tag
       WHERE t.team_id = $1 AND NOT t.deleted
       GROUP BY 1 ORDER BY count DESC, COALESCE(r.resolved, t.tag) COLLATE "C"`,
      [teamId],
    );
    return rows;
  }

  async tagResolver(teamId: string): Promise<TagResolver> {
    return resolverOf(await this.renames(teamId));
  }

  async units(teamId: string): Promise<Units> {
    const { rows } = await this.pool.query<{ id: string; data: string }>(
      'SELECT id, data FROM team_units WHERE team_id = $1',
      [teamId],
    );
    return unitsOf(rows);
  }

  /** The team's renames that change a tag. */
  private async renames(teamId: string): Promise<RenameRow[]> {
    const { rows } = await this.pool.query<RenameRow>(
      'SELECT tag, resolved FROM team_tag_renames WHERE team_id = $1 AND resolved <> tag',
      [teamId],
    );
    return rows;
  }

  async documents(teamId: string): Promise<DocumentSummary[]> {
    const { rows } = await this.pool.query<DocumentRow>(
      `SELECT r.room, r.document_key, d.data,
         (SELECT COUNT(*) FROM annotations a WHERE a.room = r.room AND NOT a.deleted) AS n
       FROM (SELECT room, document_key FROM documents WHERE team_id = $1
             UNION SELECT DISTINCT room, document_key FROM annotations WHERE team_id = $1) r
       LEFT JOIN documents d ON d.room = r.room
       ORDER BY r.room COLLATE "C"`,
      [teamId],
    );
    return rows.map(documentSummary);
  }

  async teamAnnotations(
    teamId: string,
    options: { documentKeys?: string[]; tags?: string[] } = {},
  ): Promise<TeamAnnotations> {
    const { rows } = await this.pool.query<CreditedRow>(
      `${CREDITED} WHERE a.team_id = $1 AND NOT a.deleted
       ORDER BY a.document_key COLLATE "C", a.created_at, a.id COLLATE "C"`,
      [teamId],
    );
    const documents = await this.pool.query<{ document_key: string; data: string }>(
      'SELECT document_key, data FROM documents WHERE team_id = $1 ORDER BY document_key COLLATE "C"',
      [teamId],
    );
    return teamAnnotationsOf(rows, documents.rows, options, await this.tagResolver(teamId));
  }
}

/**
 * Locks the `index_rooms` rows of the changes' rooms until the transaction ends and returns the seq the index
 * reflects each room through. Several instances index one room, each from its own document, and the index never
 * moves backwards: a change reflecting an earlier seq than the index is refused (its room reads it again once
 * caught up), so older rows never land over newer ones (why that converges: Room.takeIndexChange). Rows are
 * added and locked in the order of their ids, the same in every instance.
 */
async function lockRooms(client: PgClient, changes: readonly RoomIndexChange[]): Promise<Map<string, number>> {
  const teams = new Map(changes.map((change) => [change.roomId, change.teamId]));
  const rooms = [...teams.keys()];
  await client.query({
    name: 'pizhu_index_ensure',
    // Inserted in the order the rows are then locked: two instances adding the same new rooms wait on each
    // other's inserts, and in different orders they would deadlock.
    text: `INSERT INTO index_rooms (room, team_id, through) SELECT room, team_id, 0 FROM unnest($1::text[], $2::text[])
       AS r(room, team_id) ORDER BY room ON CONFLICT (room) DO NOTHING`,
    values: [rooms, [...teams.values()]],
  });
  const { rows } = await client.query<{ room: string; through: number }>({
    name: 'pizhu_index_lock',
    text: 'SELECT room, through FROM index_rooms WHERE room = ANY($1::text[]) ORDER BY room FOR UPDATE',
    values: [rooms],
  });
  return new Map(rows.map((row) => [row.room, row.through]));
}

/** What a run of changes leaves of each annotation they touch: the last change to touch it decides. */
type AnnotationWrite = { change: RoomIndexChange; id: string; annotation: Annotation | null };

/** Writes changes the index accepted, in their order, as a few set-wide statements. */
async function writeChanges(client: PgClient, changes: readonly RoomIndexChange[]): Promise<void> {
  const annotations = new Map<string, AnnotationWrite>();
  const through = new Map<string, { teamId: string; seq: number }>();
  for (const change of changes) {
    const key = (id: string) => JSON.stringify([change.roomId, id]);
    for (const id of change.removedIds) annotations.set(key(id), { change, id, annotation: null });
    for (const annotation of change.upserts)
      annotations.set(key(annotation.id), { change, id: annotation.id, annotation });
    // A chunk of a larger change does not advance `through`: a crash before the last chunk leaves it behind.
    if (!change.partial) {
      const seq = Math.max(through.get(change.roomId)?.seq ?? 0, change.throughSeq);
      through.set(change.roomId, { teamId: change.teamId, seq });
    }
  }
  const writes = [...annotations.values()];
  await removeAnnotations(
    client,
    writes.filter((write) => write.annotation === null),
  );
  const upserts = writes.filter((write) => write.annotation !== null);
  await upsertAnnotations(client, upserts);
  await insertTags(client, upserts);
  for (const change of changes) await writeRoomExtras(client, change);
  if (through.size > 0) {
    await client.query({
      name: 'pizhu_index_through',
      text: `INSERT INTO index_rooms (room, team_id, through)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (room) DO UPDATE SET through = GREATEST(index_rooms.through, EXCLUDED.through)`,
      values: [
        [...through.keys()],
        [...through.values()].map((t) => t.teamId),
        [...through.values()].map((t) => t.seq),
      ],
    });
  }
}

async function removeAnnotations(client: PgClient, removals: readonly AnnotationWrite[]): Promise<void> {
  if (removals.length === 0) return;
  await client.query({
    name: 'pizhu_index_remove',
    text: `WITH gone AS (SELECT * FROM unnest($1::text[], $2::text[]) AS g(room, id)),
       tags AS (DELETE FROM annotation_tags t USING gone WHERE t.room = gone.room AND t.annotation_id = gone.id)
     DELETE FROM annotations a USING gone WHERE a.room = gone.room AND a.id = gone.id`,
    values: [removals.map((r) => r.change.roomId), removals.map((r) => r.id)],
  });
}

/** Upserts the annotations and clears their tags (insertTags writes them again). */
async function upsertAnnotations(client: PgClient, upserts: readonly AnnotationWrite[]): Promise<void> {
  if (upserts.length === 0) return;
  const rows = upserts.map(({ change, annotation }) => ({ change, a: annotationColumns(annotation!) }));
  await client.query({
    name: 'pizhu_index_upsert',
    text: `WITH r AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::bigint[], $9::bigint[], $10::boolean[], $11::text[])
         AS r(room, id, team_id, document_key, author_id, clause_key, search_text, created_at, updated_at, deleted,
           data)),
       cleared AS (DELETE FROM annotation_tags t USING r WHERE t.room = r.room AND t.annotation_id = r.id)
     INSERT INTO annotations (room, id, team_id, document_key, author_id, clause_key, search_text, created_at,
       updated_at, deleted, data)
     SELECT * FROM r
     ON CONFLICT (room, id) DO UPDATE SET author_id = EXCLUDED.author_id, clause_key = EXCLUDED.clause_key,
       search_text = EXCLUDED.search_text, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
       deleted = EXCLUDED.deleted, data = EXCLUDED.data`,
    values: [
      rows.map((r) => r.change.roomId),
      rows.map((r) => r.a.id),
      rows.map((r) => r.change.teamId),
      rows.map((r) => r.change.documentKey),
      rows.map((r) => r.a.authorId),
      rows.map((r) => r.a.clauseKey),
      rows.map((r) => r.a.searchText),
      rows.map((r) => r.a.createdAt),
      rows.map((r) => r.a.updatedAt),
      rows.map((r) => r.a.deleted),
      rows.map((r) => r.a.data),
    ],
  });
}

async function insertTags(client: PgClient, upserts: readonly AnnotationWrite[]): Promise<void> {
  const tagged = upserts.flatMap(({ change, annotation }) =>
    annotation!.tags.map((tag) => ({ change, annotation: annotation!, tag })),
  );
  if (tagged.length === 0) return;
  await client.query({
    name: 'pizhu_index_tags',
    text: `INSERT INTO annotation_tags (room, annotation_id, team_id, tag, deleted)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[]) ON CONFLICT DO NOTHING`,
    values: [
      tagged.map((t) => t.change.roomId),
      tagged.map((t) => t.annotation.id),
      tagged.map((t) => t.change.teamId),
      tagged.map((t) => t.tag),
      tagged.map((t) => t.annotation.deleted),
    ],
  });
}

/** The page's metadata, the team's vocabulary and the tasks a change carries: rarer, written one by one. */
async function writeRoomExtras(client: PgClient, change: RoomIndexChange): Promise<void> {
  if (change.document === null) await client.query('DELETE FROM documents WHERE room = $1', [change.roomId]);
  else if (change.document) {
    await client.query(
      `INSERT INTO documents (room, team_id, document_key, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (room) DO UPDATE SET data = EXCLUDED.data`,
      [change.roomId, change.teamId, change.documentKey, JSON.stringify(change.document)],
    );
  }
  if (change.vocabulary) await replaceVocabulary(client, change.teamId, change.vocabulary);
  if (change.tasks) {
    for (const write of taskWrites(PG_DIALECT, change, change.tasks)) await client.query(write.sql, write.params);
  }
}

/** Replaces a team's vocabulary with what its room holds (inside the index's write transaction). */
async function replaceVocabulary(client: PgClient, teamId: string, vocabulary: TeamVocabulary): Promise<void> {
  const rows = vocabularyRows(vocabulary);
  await client.query('DELETE FROM team_tag_renames WHERE team_id = $1', [teamId]);
  if (rows.renames.length > 0) {
    await client.query(
      `INSERT INTO team_tag_renames (team_id, tag, to_tag, resolved)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`,
      [teamId, rows.renames.map((r) => r.tag), rows.renames.map((r) => r.to), rows.renames.map((r) => r.resolved)],
    );
  }
  await client.query('DELETE FROM team_units WHERE team_id = $1', [teamId]);
  if (rows.units.length > 0) {
    await client.query('INSERT INTO team_units (team_id, id, data) SELECT $1, * FROM unnest($2::text[], $3::text[])', [
      teamId,
      rows.units.map((u) => u.id),
      rows.units.map((u) => u.data),
    ]);
  }
  await notifyTeamUnits(client, teamId);
}
