/**
 * The query index in SQLite (same file as the rooms), written in batches off the update path. Tags are stored
 * as their authors wrote them and read through the team's renames (sqlite-vocabulary.ts), so a rename applies
 * at once to every annotation, later ones included, without rewriting a row.
 */
import {
  type DocumentInfo,
  normaliseTag,
  parseRoomId,
  type RoomReadResult,
  type TagResolver,
  type TeamVocabulary,
  type Units,
} from '../../shared/model/index.ts';
import type { SqliteHandle } from '../storage/sqlite-db.ts';
import { SQLITE_DIALECT, SqliteStatements } from './sqlite-sql.ts';
import { SqlTaskIndex, type TaskIndexChange, taskClears, taskWrites } from './tasks-index.ts';
import { IndexBatcher } from './index-batcher.ts';
import {
  annotationColumns,
  annotationPage,
  CREDITED,
  type CreditedRow,
  clauseKey,
  decodeCursor,
  likeLiteral,
  searchable,
  teamAnnotationsOf,
} from './index-rows.ts';
import type {
  AnnotationFilter,
  AnnotationPage,
  AnnotationQueries,
  DocumentSummary,
  IndexSink,
  IndexSource,
  RoomIndexChange,
  TagCount,
  TeamAnnotations,
} from './types.ts';
import { SqliteVocabulary } from './sqlite-vocabulary.ts';

/** Queries shorter than a trigram (Chinese 税, 预算) have no trigram to look up: they LIKE-scan the FTS text. */
const TRIGRAM = 3;

/** One FTS5 phrase: double quotes inside are doubled, so nothing in the query is read as FTS syntax. */
function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

export class SqliteAnnotationIndex implements IndexSink, AnnotationQueries {
  private readonly statements;
  private readonly replaceTx;
  private readonly vocabulary: SqliteVocabulary;
  /** Tasks and progress, written in the same transactions (tasks-index.ts); their units are the vocabulary's. */
  readonly tasks: SqlTaskIndex;
  private readonly taskStatements: SqliteStatements;
  private readonly batcher: IndexBatcher;

  constructor(
    private readonly db: SqliteHandle,
    onError: (error: unknown) => void = () => {},
  ) {
    this.vocabulary = new SqliteVocabulary(db);
    this.statements = {
      through: db.prepare<[string], { through: number }>('SELECT through FROM index_rooms WHERE room = ?'),
      setThrough: db.prepare<[string, string, number]>(
        `INSERT INTO index_rooms (room, team_id, through) VALUES (?, ?, ?)
         ON CONFLICT (room) DO UPDATE SET through = MAX(through, excluded.through)`,
      ),
      upsert: db.prepare(
        `INSERT INTO annotations (room, id, team_id, document_key, author_id, clause_key, search_text, created_at,
           updated_at, deleted, data)
         VALUES (@room, @id, @teamId, @documentKey, @authorId, @clauseKey, @searchText, @createdAt, @updatedAt,
           @deleted, @data)
         ON CONFLICT (room, id) DO UPDATE SET author_id = excluded.author_id, clause_key = excluded.clause_key,
           search_text = excluded.search_text, created_at = excluded.created_at, updated_at = excluded.updated_at,
           deleted = excluded.deleted, data = excluded.data`,
      ),
      removeAnnotation: db.prepare<[string, string]>('DELETE FROM annotations WHERE room = ? AND id = ?'),
      removeTags: db.prepare<[string, string]>('DELETE FROM annotation_tags WHERE room = ? AND annotation_id = ?'),
      insertTag: db.prepare<[string, string, string, string, number]>(
        'INSERT OR IGNORE INTO annotation_tags (room, annotation_id, team_id, tag, deleted) VALUES (?, ?, ?, ?, ?)',
      ),
      upsertDocument: db.prepare<[string, string, string, string]>(
        `INSERT INTO documents (room, team_id, document_key, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (room) DO UPDATE SET data = excluded.data`,
      ),
      removeDocument: db.prepare<[string]>('DELETE FROM documents WHERE room = ?'),
      clearRoomAnnotations: db.prepare<[string]>('DELETE FROM annotations WHERE room = ?'),
      clearRoomTags: db.prepare<[string]>('DELETE FROM annotation_tags WHERE room = ?'),
      setThroughExact: db.prepare<[string, string, number]>(
        `INSERT INTO index_rooms (room, team_id, through) VALUES (?, ?, ?)
         ON CONFLICT (room) DO UPDATE SET through = excluded.through`,
      ),
    };
    this.taskStatements = new SqliteStatements(db);
    const vocabulary = this.vocabulary;
    this.tasks = new SqlTaskIndex(SQLITE_DIALECT, this.taskStatements, {
      units: async (teamId) => vocabulary.units(teamId),
      unitsNow: (teamId) => vocabulary.units(teamId),
      prepareUnits: async () => {},
    });
    const writeBatch = db.transaction((changes: RoomIndexChange[]) => {
      for (const change of changes) this.writeChange(change);
    });
    this.batcher = new IndexBatcher((batch) => writeBatch.immediate(batch), onError);
    this.replaceTx = db.transaction(
      (
        roomId: string,
        read: RoomReadResult,
        throughSeq: number,
        vocabulary: TeamVocabulary | undefined,
        tasks: TaskIndexChange | undefined,
      ) => {
        const room = parseRoomId(roomId)!;
        this.statements.clearRoomAnnotations.run(roomId);
        this.statements.clearRoomTags.run(roomId);
        for (const clear of taskClears(SQLITE_DIALECT, roomId)) this.taskStatements.run(clear);
        this.writeChange({
          roomId,
          teamId: room.teamId,
          documentKey: room.documentKey,
          upserts: read.annotations,
          removedIds: [],
          document: read.document,
          vocabulary,
          tasks,
          throughSeq,
        });
        this.statements.setThroughExact.run(roomId, room.teamId, throughSeq);
      },
    );
  }

  private writeChange(change: RoomIndexChange): void {
    const s = this.statements;
    for (const id of change.removedIds) {
      s.removeAnnotation.run(change.roomId, id);
      s.removeTags.run(change.roomId, id);
    }
    for (const a of change.upserts) {
      const columns = annotationColumns(a);
      s.upsert.run({
        ...columns,
        room: change.roomId,
        teamId: change.teamId,
        documentKey: change.documentKey,
        deleted: columns.deleted ? 1 : 0,
      });
      s.removeTags.run(change.roomId, a.id);
      for (const tag of a.tags) s.insertTag.run(change.roomId, a.id, change.teamId, tag, a.deleted ? 1 : 0);
    }
    if (change.document === null) s.removeDocument.run(change.roomId);
    else if (change.document) {
      s.upsertDocument.run(change.roomId, change.teamId, change.documentKey, JSON.stringify(change.document));
    }
    if (change.vocabulary) this.vocabulary.replace(change.teamId, change.vocabulary);
    if (change.tasks)
      for (const write of taskWrites(SQLITE_DIALECT, change, change.tasks)) this.taskStatements.run(write);
    if (!change.partial) s.setThrough.run(change.roomId, change.teamId, change.throughSeq);
  }

  // --- IndexSink ---

  async through(roomId: string): Promise<number> {
    return this.statements.through.get(roomId)?.through ?? 0;
  }

  applyChange(change: RoomIndexChange): void {
    this.batcher.applyChange(change);
  }

  markDirty(roomId: string, source: IndexSource): void {
    this.batcher.markDirty(roomId, source);
  }

  async replaceRoom(
    roomId: string,
    read: RoomReadResult,
    throughSeq: number,
    vocabulary?: TeamVocabulary,
    tasks?: TaskIndexChange,
  ): Promise<void> {
    this.replaceTx.immediate(roomId, read, throughSeq, vocabulary, tasks);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  // --- AnnotationQueries ---

  async list(teamId: string, filter: AnnotationFilter): Promise<AnnotationPage> {
    const where = ['a.team_id = @teamId'];
    const params: Record<string, unknown> = { teamId, limit: filter.limit + 1 };
    if (!filter.includeDeleted) where.push('a.deleted = 0');
    if (filter.documentKey) {
      where.push('a.document_key = @documentKey');
      params.documentKey = filter.documentKey;
    }
    if (filter.authorId) {
      where.push('a.author_id = @authorId');
      params.authorId = filter.authorId;
    }
    if (filter.tag) {
      // Every tag as written that reads as the one asked for (an old name asks for what it became).
      where.push(
        `EXISTS (SELECT 1 FROM annotation_tags t WHERE t.room = a.room AND t.annotation_id = a.id
           AND t.tag IN (SELECT value FROM json_each(@tags)))`,
      );
      params.tags = JSON.stringify(this.vocabulary.sourcesOf(teamId, normaliseTag(filter.tag)).sources);
    }
    if (filter.clausePath && filter.clausePath.length > 0) {
      const prefix = clauseKey(filter.clausePath);
      where.push('substr(a.clause_key, 1, @clauseLength) = @clausePrefix');
      params.clausePrefix = prefix;
      params.clauseLength = prefix.length;
    }
    if (filter.text) {
      const text = searchable(filter.text);
      if ([...text].length >= TRIGRAM) {
        where.push('a.seq IN (SELECT rowid FROM annotation_text WHERE annotation_text MATCH @text)');
        params.text = ftsPhrase(text);
      } else {
        where.push("a.seq IN (SELECT rowid FROM annotation_text WHERE search_text LIKE @text ESCAPE '\\')");
        params.text = `%${likeLiteral(text)}%`;
      }
    }
    if (filter.from !== undefined) {
      where.push('a.updated_at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      where.push('a.updated_at <= @to');
      params.to = filter.to;
    }
    if (filter.cursor) {
      const cursor = decodeCursor(filter.cursor);
      if (!cursor) throw new RangeError('invalid cursor');
      where.push('(a.updated_at, a.room, a.id) < (@cUpdated, @cRoom, @cId)');
      Object.assign(params, { cUpdated: cursor[0], cRoom: cursor[1], cId: cursor[2] });
    }
    const rows = this.db
      .prepare<Record<string, unknown>, CreditedRow>(
        `${CREDITED} WHERE ${where.join(' AND ')} ORDER BY a.updated_at DESC, a.room DESC, a.id DESC LIMIT @limit`,
      )
      .all(params);
    return annotationPage(rows, filter.limit, this.vocabulary.resolver(teamId));
  }

  /** Live annotations per tag as the team reads it; one carrying two tags merged into one counts once. */
  async tags(teamId: string): Promise<TagCount[]> {
    return this.db
      .prepare<[string], TagCount>(
        `SELECT COALESCE(r.resolved, t.tag) AS tag, COUNT(DISTINCT t.room || char(31) || t.annotation_id) AS count
         FROM annotation_tags t
         LEFT JOIN team_tag_renames r ON r.team_id = t.team_id AND r.tag = t.tag
         WHERE t.team_id = ? AND t.deleted = 0
         GROUP BY 1 ORDER BY count DESC, tag`,
      )
      .all(teamId);
  }

  async tagResolver(teamId: string): Promise<TagResolver> {
    return this.vocabulary.resolver(teamId);
  }

  async units(teamId: string): Promise<Units> {
    return this.vocabulary.units(teamId);
  }

  async documents(teamId: string): Promise<DocumentSummary[]> {
    const rows = this.db
      .prepare<[string, string], { room: string; document_key: string; data: string | null; n: number }>(
        `SELECT r.room, r.document_key, d.data,
           (SELECT COUNT(*) FROM annotations a WHERE a.room = r.room AND a.deleted = 0) AS n
         FROM (SELECT room, document_key FROM documents WHERE team_id = ?
               UNION SELECT DISTINCT room, document_key FROM annotations WHERE team_id = ?) r
         LEFT JOIN documents d ON d.room = r.room
         ORDER BY r.room`,
      )
      .all(teamId, teamId);
    return rows.map((row) => ({
      documentKey: row.document_key,
      room: row.room,
      document: row.data ? (JSON.parse(row.data) as DocumentInfo) : null,
      annotations: row.n,
    }));
  }

  async teamAnnotations(
    teamId: string,
    options: { documentKeys?: string[]; tags?: string[] } = {},
  ): Promise<TeamAnnotations> {
    const rows = this.db
      .prepare<[string], CreditedRow>(
        `${CREDITED} WHERE a.team_id = ? AND a.deleted = 0 ORDER BY a.document_key, a.created_at, a.id`,
      )
      .all(teamId);
    const documents = this.db
      .prepare<[string], { document_key: string; data: string }>(
        'SELECT document_key, data FROM documents WHERE team_id = ? ORDER BY document_key',
      )
      .all(teamId);
    return teamAnnotationsOf(rows, documents, options, this.vocabulary.resolver(teamId));
  }
}
