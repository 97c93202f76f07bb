/**
 * The query index in SQLite (same file as the rooms), written in batches off the update path. Tags are stored
 * as their authors wrote them and read through the team's renames (sqlite-vocabulary.ts), so a rename applies
 * at once to every annotation, later ones included, without rewriting a row.
 */
import type { RoomReadResult, TagResolver, TeamVocabulary, Units } from '../../shared/model/index.ts';
import type { SqliteHandle } from '../storage/sqlite-db.ts';
import { SqliteRunner } from '../storage/sqlite-runner.ts';
import { SqlTaskIndex, type TaskDialect, type TaskIndexChange, taskClears, taskWrites } from './tasks-index.ts';
import { BatchedIndex } from './index-batcher.ts';
import {
  annotationColumns,
  annotationPage,
  CREDITED,
  type CreditedRow,
  type DocumentRow,
  documentSummary,
  likeLiteral,
  rebuildChange,
  resolverOf,
  teamAnnotationsOf,
} from './index-rows.ts';
import { type Bind, type ListDialect, listStatement } from './list-query.ts';
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
import { SqliteVocabulary } from './sqlite-vocabulary.ts';

/** Queries shorter than a trigram (Chinese 税, 预算) have no trigram to look up: they LIKE-scan the FTS text. */
const TRIGRAM = 3;

/** One FTS5 phrase: double quotes inside are doubled, so nothing in the query is read as FTS syntax. */
function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** The text filter: a trigram lookup in the FTS5 index, or a LIKE scan of its text for shorter queries. */
function ftsContains(text: string, bind: Bind): string {
  const match =
    [...text].length >= TRIGRAM
      ? `annotation_text MATCH ${bind(ftsPhrase(text))}`
      : `search_text LIKE ${bind(`%${likeLiteral(text)}%`)} ESCAPE '\\'`;
  return `a.seq IN (SELECT rowid FROM annotation_text WHERE ${match})`;
}

const DIALECT: ListDialect & TaskDialect = {
  placeholder: () => '?',
  hasPart: (text, part) => `instr(${text}, ${part}) > 0`,
  oneOf: (values, bind) => `IN (SELECT value FROM json_each(${bind(JSON.stringify(values))}))`,
  contains: ftsContains,
};

export class SqliteAnnotationIndex extends BatchedIndex implements IndexSink, AnnotationQueries {
  private readonly statements;
  private readonly replaceTx;
  private readonly vocabulary: SqliteVocabulary;
  /** Tasks and progress, written in the same transactions (tasks-index.ts); their units are the vocabulary's. */
  readonly tasks: SqlTaskIndex;
  private readonly taskStatements: SqliteRunner;
  private readonly writeBatchTx;

  constructor(
    private readonly db: SqliteHandle,
    onError: (error: unknown) => void = () => {},
  ) {
    super(onError);
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
    const statements = new SqliteRunner(db);
    this.taskStatements = statements;
    const vocabulary = this.vocabulary;
    // Task lists vary with their filters: their texts are not kept.
    this.tasks = new SqlTaskIndex(
      DIALECT,
      { all: (statement) => statements.allOnce(statement) },
      {
        units: async (teamId) => vocabulary.units(teamId),
        unitsNow: (teamId) => vocabulary.units(teamId),
        prepareUnits: async () => {},
      },
    );
    this.writeBatchTx = db.transaction((changes: RoomIndexChange[]) => {
      for (const change of changes) this.writeChange(change);
    });
    this.replaceTx = db.transaction(
      (
        roomId: string,
        read: RoomReadResult,
        throughSeq: number,
        vocabulary: TeamVocabulary | undefined,
        tasks: TaskIndexChange | undefined,
      ) => {
        const change = rebuildChange(roomId, read, throughSeq, vocabulary, tasks);
        this.statements.clearRoomAnnotations.run(roomId);
        this.statements.clearRoomTags.run(roomId);
        for (const clear of taskClears(DIALECT, roomId)) this.taskStatements.runNow(clear);
        this.writeChange(change);
        this.statements.setThroughExact.run(roomId, change.teamId, throughSeq);
      },
    );
  }

  /** One instance writes the file, so a change is never staler than the index: none is refused. */
  protected writeBatch(batch: RoomIndexChange[]): StaleChange[] {
    this.writeBatchTx.immediate(batch);
    return [];
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
    if (change.tasks) for (const write of taskWrites(DIALECT, change, change.tasks)) this.taskStatements.runNow(write);
    if (!change.partial) s.setThrough.run(change.roomId, change.teamId, change.throughSeq);
  }

  // --- IndexSink ---

  async through(roomId: string): Promise<number> {
    return this.statements.through.get(roomId)?.through ?? 0;
  }

  async replaceRoom(
    roomId: string,
    read: RoomReadResult,
    throughSeq: number,
    vocabulary?: TeamVocabulary,
    tasks?: TaskIndexChange,
  ): Promise<number | null> {
    this.replaceTx.immediate(roomId, read, throughSeq, vocabulary, tasks);
    return null;
  }

  // --- AnnotationQueries ---

  async list(teamId: string, filter: AnnotationFilter): Promise<AnnotationPage> {
    const renames = this.vocabulary.renames(teamId);
    const { sql, params } = listStatement(teamId, filter, renames, DIALECT);
    const rows = this.db.prepare<unknown[], CreditedRow>(sql).all(...params);
    return annotationPage(rows, filter.limit, resolverOf(renames));
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
    return this.db
      .prepare<[string, string], DocumentRow>(
        `SELECT r.room, r.document_key, d.data,
           (SELECT COUNT(*) FROM annotations a WHERE a.room = r.room AND a.deleted = 0) AS n
         FROM (SELECT room, document_key FROM documents WHERE team_id = ?
               UNION SELECT DISTINCT room, document_key FROM annotations WHERE team_id = ?) r
         LEFT JOIN documents d ON d.room = r.room
         ORDER BY r.room`,
      )
      .all(teamId, teamId)
      .map(documentSummary);
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
