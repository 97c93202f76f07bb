/**
 * How the query index stores and returns annotations, whatever the database: the folded search text, the
 * clause key, the list cursor, and the checks every row passes on the way out.
 */
import {
  type Annotation,
  annotationSchema,
  type DocumentInfo,
  documentInfoSchema,
  idSchema,
  normaliseTag,
  parseRoomId,
  type RoomReadResult,
  resolveTags,
  type TagResolver,
  type TeamVocabulary,
  tagResolver,
  type Unit,
  type Units,
  unitSchema,
} from '../../shared/model/index.ts';
import type { DocumentSummary, RoomIndexChange, TaskIndexChange, TeamAnnotations } from './types.ts';

const CLAUSE_SEPARATOR = '\u001f';

export function clauseKey(path: readonly string[]): string {
  return path.map((label) => `${label}${CLAUSE_SEPARATOR}`).join('');
}

/** Folded the same way for stored text and queries: NFKC and lower case, so "ＰＰＰ" finds "ppp". */
export function searchable(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The text as a LIKE pattern that matches it literally (escape character: backslash). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type Cursor = [updatedAt: number, room: string, id: string];

/** A page cursor as the API hands it out: the keys of the page's last row, opaque to clients. */
export function encodeCursor(cursor: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The keys a cursor holds, or null when the text is not one of ours; `valid` checks them. */
export function decodeKeys<T extends unknown[]>(text: string, valid: (keys: unknown[]) => boolean): T | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && valid(value)) return value as T;
  } catch {
    // not base64url JSON: not ours
  }
  return null;
}

export function decodeCursor(text: string): Cursor | null {
  return decodeKeys<Cursor>(
    text,
    (keys) =>
      keys.length === 3 && Number.isInteger(keys[0]) && typeof keys[1] === 'string' && typeof keys[2] === 'string',
  );
}

/**
 * Annotations as listed: the author is the member behind the record's key (the server refuses records whose
 * author is not their writer), named as the team knows them; the name a record carries is the writer's own say.
 */
export const CREDITED = `SELECT a.room, a.id, a.updated_at, a.document_key, a.data, m.display_name AS author_name
  FROM annotations a LEFT JOIN members m ON m.id = a.author_id AND m.team_id = a.team_id`;

export type CreditedRow = {
  room: string;
  id: string;
  updated_at: number;
  document_key: string;
  data: string;
  author_name: string | null;
};

export function credited(row: CreditedRow): unknown {
  const value = JSON.parse(row.data) as { author?: { id: string; name: string } };
  if (row.author_name && value.author) value.author = { ...value.author, name: row.author_name };
  return value;
}

/** The columns of an annotation's row besides its room and team. */
export function annotationColumns(a: Annotation) {
  return {
    id: a.id,
    authorId: a.author.id,
    clauseKey: clauseKey(a.clausePath),
    searchText: searchable(`${a.quote}\n${a.note}`),
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    deleted: a.deleted,
    data: JSON.stringify(a),
  };
}

/** The change that rewrites a room's rows from everything it holds (after its old rows are cleared). */
export function rebuildChange(
  roomId: string,
  read: RoomReadResult,
  throughSeq: number,
  vocabulary: TeamVocabulary | undefined,
  tasks: TaskIndexChange | undefined,
): RoomIndexChange {
  const room = parseRoomId(roomId)!;
  return {
    roomId,
    teamId: room.teamId,
    documentKey: room.documentKey,
    upserts: read.annotations,
    removedIds: [],
    document: read.document,
    vocabulary,
    tasks,
    throughSeq,
  };
}

/** An annotation-like record with its tags as the team reads them. */
export function withTeamTags<T extends { tags: string[] }>(record: T, resolve: TagResolver): T {
  return { ...record, tags: resolveTags(record.tags, resolve) };
}

/** An annotation with its tags as the team reads them (rows keep what their authors wrote). */
function readAs(annotation: Annotation, resolve: TagResolver): Annotation {
  return Array.isArray(annotation.tags) ? withTeamTags(annotation, resolve) : annotation;
}

/** One page of a list query fetched with `limit + 1` rows: the annotations and the cursor of the next page. */
export function annotationPage(rows: CreditedRow[], limit: number, resolve: TagResolver) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    annotations: page.map((row) => readAs(credited(row) as Annotation, resolve)),
    nextCursor: rows.length > limit && last ? encodeCursor([last.updated_at, last.room, last.id]) : null,
  };
}

/** A row of the documents query: a room with its page's metadata (when known) and live annotation count. */
export type DocumentRow = { room: string; document_key: string; data: string | null; n: number };

export function documentSummary(row: DocumentRow): DocumentSummary {
  return {
    documentKey: row.document_key,
    room: row.room,
    document: row.data ? (JSON.parse(row.data) as DocumentInfo) : null,
    annotations: row.n,
  };
}

/**
 * A team briefing's input from the team's live annotation rows (ordered by document, creation, id) and document
 * rows (ordered by document key), re-validated on the way out: the briefing gets shared/model objects, whatever
 * the index holds. Tags read as the team reads them now.
 */
export function teamAnnotationsOf(
  rows: CreditedRow[],
  documentRows: { document_key: string; data: string }[],
  options: { documentKeys?: string[]; tags?: string[] },
  resolve: TagResolver,
): TeamAnnotations {
  const keys = options.documentKeys ? new Set(options.documentKeys) : null;
  const tags = options.tags ? new Set(options.tags.map((tag) => resolve(normaliseTag(tag)))) : null;
  const annotations: Annotation[] = [];
  for (const row of rows) {
    if (keys && !keys.has(row.document_key)) continue;
    const parsed = annotationSchema.safeParse(credited(row));
    if (!parsed.success) continue;
    const annotation = readAs(parsed.data, resolve);
    if (tags && !annotation.tags.some((t) => tags.has(t))) continue;
    annotations.push(annotation);
  }
  const used = new Set(annotations.map((a) => a.documentKey));
  const documents: DocumentInfo[] = [];
  for (const row of documentRows) {
    if (!used.has(row.document_key)) continue;
    const parsed = documentInfoSchema.safeParse(JSON.parse(row.data));
    if (parsed.success) documents.push(parsed.data);
  }
  return { annotations, documents };
}

// --- the team vocabulary's rows (tag renames with the tag each reads as, units) ---

export type RenameRow = { tag: string; resolved: string };

/** The rows of a team's renames and units, each rename resolved once (readers look a tag up, no chains). */
export function vocabularyRows(vocabulary: TeamVocabulary) {
  const resolve = tagResolver(vocabulary.tagRenames);
  return {
    renames: [...vocabulary.tagRenames].map(([tag, rename]) => ({ tag, to: rename.to, resolved: resolve(tag) })),
    units: Object.entries(vocabulary.units).map(([id, unit]) => ({ id, data: JSON.stringify(unit) })),
  };
}

/** How the team reads each tag, from its renames that change a tag. */
export function resolverOf(renames: RenameRow[]): TagResolver {
  const renamed = new Map(renames.map((row) => [row.tag, row.resolved]));
  return renamed.size ? (tag) => renamed.get(tag) ?? tag : (tag) => tag;
}

/** Every tag (as written) that reads as `tag` reads now: what a filter by `tag` looks for in the index. */
export function sourcesOf(renames: RenameRow[], tag: string): { reads: string; sources: string[] } {
  const renamed = new Map(renames.map((row) => [row.tag, row.resolved]));
  const reads = renamed.get(tag) ?? tag;
  const sources = renames.filter((row) => row.resolved === reads).map((row) => row.tag);
  if (!renamed.has(reads)) sources.push(reads);
  return { reads, sources };
}

/** The team's units, validated on the way out. */
export function unitsOf(rows: { id: string; data: string }[]): Units {
  const units: Record<string, Unit> = Object.create(null);
  for (const row of rows) {
    if (!idSchema.safeParse(row.id).success) continue;
    const parsed = unitSchema.safeParse(JSON.parse(row.data));
    if (parsed.success) units[row.id] = parsed.data;
  }
  return units;
}
