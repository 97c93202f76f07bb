/**
 * The query index in SQLite (same file as the rooms), written in batches off the update path. Tags are stored
 * as their authors wrote them and read through the team's renames (sqlite-vocabulary.ts), so a rename applies
 * at once to every annotation, later ones included, without rewriting a row.
 */
import {
  type Annotation,
  annotationSchema,
  type DocumentInfo,
  documentInfoSchema,
  normaliseTag,
  parseRoomId,
  type RoomReadResult,
  type TagResolver,
  type TeamVocabulary,
  type Units,
} from '../../shared/model/index.ts';
import type { SqliteHandle } from '../storage/sqlite-db.ts';
import { SqliteTaskIndex, type TaskIndexChange } from './tasks-index.ts';
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
import { SqliteVocabulary, withTeamTags } from './sqlite-vocabulary.ts';

const CLAUSE_SEPARATOR = '\u001f';
/** How long index changes gather before they are written in one transaction. */
const INDEX_BATCH_MS = 50;
/**
 * Annotations read and written per transaction: a 1,000-note push is indexed in chunks with the event loop free
 * between them, instead of one batch that held it for seconds (bench/server/README.md, "Index batches").
 */
const INDEX_CHUNK = 100;

export function clauseKey(path: readonly string[]): string {
  return path.map((label) => `${label}${CLAUSE_SEPARATOR}`).join('');
}

/** Folded the same way for stored text and queries: NFKC and lower case, so "ＰＰＰ" finds "ppp". */
export function searchable(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Queries shorter than a trigram (Chinese 税, 预算) have no trigram to look up: they LIKE-scan the FTS text. */
const TRIGRAM = 3;

/** One FTS5 phrase: double quotes inside are doubled, so nothing in the query is read as FTS syntax. */
function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** The text as a LIKE pattern that matches it literally (escape character: backslash). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

type Cursor = [updatedAt: number, room: string, id: string];

/**
 * Annotations as listed: the author is the member behind the record's key (the server refuses records whose
 * author is not their writer), named as the team knows them; the name a record carries is the writer's own say.
 */
const CREDITED = `SELECT a.room, a.id, a.updated_at, a.document_key, a.data, m.display_name AS author_name
  FROM annotations a LEFT JOIN members m ON m.id = a.author_id AND m.team_id = a.team_id`;

type CreditedRow = {
  room: string;
  id: string;
  updated_at: number;
  document_key: string;
  data: string;
  author_name: string | null;
};

function credited(row: CreditedRow): unknown {
  const value = JSON.parse(row.data) as { author?: { id: string; name: string } };
  if (row.author_name && value.author) value.author = { ...value.author, name: row.author_name };
  return value;
}

/** An annotation with its tags as the team reads them (rows keep what their authors wrote). */
function readAs(annotation: Annotation, resolve: TagResolver): Annotation {
  return Array.isArray(annotation.tags) ? withTeamTags(annotation, resolve) : annotation;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): Cursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      Number.isInteger(value[0]) &&
      typeof value[1] === 'string' &&
      typeof value[2] === 'string'
    ) {
      return value as Cursor;
    }
  } catch {
    // fall through
  }
  return null;
}

export class SqliteAnnotationIndex implements IndexSink, AnnotationQueries {
  private pending: RoomIndexChange[] = [];
  /** Rooms marked dirty since the last batch. */
  private readonly dirty = new Map<string, IndexSource>();
  private writeTimer: NodeJS.Timeout | null = null;
  private readonly statements;
  private readonly writeBatch;
  private readonly replaceTx;
  private readonly vocabulary: SqliteVocabulary;
  /** Tasks and progress, written in the same transactions (tasks-index.ts); their units are the vocabulary's. */
  readonly tasks: SqliteTaskIndex;

  constructor(
    private readonly db: SqliteHandle,
    private readonly onError: (error: unknown) => void = () => {},
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
    this.tasks = new SqliteTaskIndex(db, this.vocabulary);
    this.writeBatch = db.transaction((changes: RoomIndexChange[]) => {
      for (const change of changes) this.writeChange(change);
    });
    this.replaceTx = db.transaction(
      (
        roomId: string,
        read: RoomReadResult,
        throughId: number,
        vocabulary: TeamVocabulary | undefined,
        tasks: TaskIndexChange | undefined,
      ) => {
        const room = parseRoomId(roomId)!;
        this.statements.clearRoomAnnotations.run(roomId);
        this.statements.clearRoomTags.run(roomId);
        this.tasks.clearRoom(roomId);
        this.writeChange({
          roomId,
          teamId: room.teamId,
          documentKey: room.documentKey,
          upserts: read.annotations,
          removedIds: [],
          document: read.document,
          vocabulary,
          tasks,
          throughId,
        });
        this.statements.setThroughExact.run(roomId, room.teamId, throughId);
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
      s.upsert.run({
        room: change.roomId,
        id: a.id,
        teamId: change.teamId,
        documentKey: change.documentKey,
        authorId: a.author.id,
        clauseKey: clauseKey(a.clausePath),
        searchText: searchable(`${a.quote}\n${a.note}`),
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
        deleted: a.deleted ? 1 : 0,
        data: JSON.stringify(a),
      });
      s.removeTags.run(change.roomId, a.id);
      for (const tag of a.tags) s.insertTag.run(change.roomId, a.id, change.teamId, tag, a.deleted ? 1 : 0);
    }
    if (change.document === null) s.removeDocument.run(change.roomId);
    else if (change.document) {
      s.upsertDocument.run(change.roomId, change.teamId, change.documentKey, JSON.stringify(change.document));
    }
    if (change.vocabulary) this.vocabulary.replace(change.teamId, change.vocabulary);
    if (change.tasks) this.tasks.write(change, change.tasks);
    if (!change.partial) s.setThrough.run(change.roomId, change.teamId, change.throughId);
  }

  // --- IndexSink ---

  async through(roomId: string): Promise<number> {
    return this.statements.through.get(roomId)?.through ?? 0;
  }

  applyChange(change: RoomIndexChange): void {
    this.pending.push(change);
    this.scheduleWrite();
  }

  markDirty(roomId: string, source: IndexSource): void {
    this.dirty.set(roomId, source);
    this.scheduleWrite();
  }

  /** One index transaction per batch, not per update: the index is read by REST, not by the sync path. */
  private scheduleWrite(delayMs = INDEX_BATCH_MS): void {
    if (this.writeTimer) return;
    this.writeTimer = setTimeout(() => this.writePending(), delayMs);
    this.writeTimer.unref();
  }

  /**
   * Writes one chunk: the changes handed over, then rooms read up to INDEX_CHUNK annotations in all. Rooms with
   * more left stay dirty and the next chunk follows in a later turn, so sockets and requests run in between.
   * Returns whether anything is left.
   */
  private writePending(): boolean {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    const batch = this.pending;
    this.pending = [];
    let budget = INDEX_CHUNK;
    for (const [roomId, source] of [...this.dirty]) {
      if (budget <= 0) break;
      this.dirty.delete(roomId);
      try {
        const change = source.takeIndexChange(budget);
        if (!change) continue;
        batch.push(change);
        budget -= change.upserts.length + change.removedIds.length;
        if (change.partial) this.dirty.set(roomId, source);
      } catch (error) {
        // That room's `through` stays behind, so it is re-indexed when next loaded.
        this.onError(error);
      }
    }
    if (batch.length > 0) {
      try {
        this.writeBatch.immediate(batch);
      } catch (error) {
        // The index lags behind (through stays lower), so the room is re-indexed when next loaded.
        this.onError(error);
      }
    }
    const more = this.dirty.size > 0 || this.pending.length > 0;
    if (more) this.scheduleWrite(0);
    return more;
  }

  async replaceRoom(
    roomId: string,
    read: RoomReadResult,
    throughId: number,
    vocabulary?: TeamVocabulary,
    tasks?: TaskIndexChange,
  ): Promise<void> {
    this.replaceTx.immediate(roomId, read, throughId, vocabulary, tasks);
  }

  async flush(): Promise<void> {
    // Every chunk at once: flushing is for shutdown and tests, which wait for all of it.
    let more = true;
    while (more) more = this.writePending();
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
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    const resolve = this.vocabulary.resolver(teamId);
    return {
      annotations: page.map((row) => readAs(credited(row) as Annotation, resolve)),
      nextCursor: rows.length > filter.limit && last ? encodeCursor([last.updated_at, last.room, last.id]) : null,
    };
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
    const keys = options.documentKeys ? new Set(options.documentKeys) : null;
    const resolve = this.vocabulary.resolver(teamId);
    const tags = options.tags ? new Set(options.tags.map((tag) => resolve(normaliseTag(tag)))) : null;
    const annotations: Annotation[] = [];
    for (const row of rows) {
      if (keys && !keys.has(row.document_key)) continue;
      // Re-validated on the way out: the briefing gets shared/model objects, whatever the index file holds.
      const parsed = annotationSchema.safeParse(credited(row));
      if (!parsed.success) continue;
      const annotation = readAs(parsed.data, resolve);
      if (tags && !annotation.tags.some((t) => tags.has(t))) continue;
      annotations.push(annotation);
    }
    const used = new Set(annotations.map((a) => a.documentKey));
    const documents: DocumentInfo[] = [];
    for (const row of this.db
      .prepare<[string], { document_key: string; data: string }>(
        'SELECT document_key, data FROM documents WHERE team_id = ? ORDER BY document_key',
      )
      .all(teamId)) {
      if (!used.has(row.document_key)) continue;
      const parsed = documentInfoSchema.safeParse(JSON.parse(row.data));
      if (parsed.success) documents.push(parsed.data);
    }
    return { annotations, documents };
  }
}
