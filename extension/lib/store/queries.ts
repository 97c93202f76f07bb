/**
 * The query module: every read the extension's screens (side panel, popup, export) and the background make of
 * the store. Each query goes through an index and returns a bounded page, so a screen costs the same at 100 or
 * 100,000 annotations; every row is validated on the way out (corrupted rows are reported through `problems`,
 * never passed on). Components get a StoreQueries from `storeQueries()` and never touch the tables themselves.
 */
import { clauseComparator } from '../../../shared/briefing/clause-order.ts';
import type { BriefingOptions } from '../../../shared/briefing/options.ts';
import {
  type Annotation,
  type DocumentInfo,
  documentInfoSchema,
  findSelector,
} from '../../../shared/model/annotation.ts';
import { formerNames, type TagResolver } from '../../../shared/model/tag-renames.ts';
import { normaliseTag, normaliseTags } from '../../../shared/model/tags.ts';
import type { Units } from '../../../shared/model/team-room.ts';
import { activeUnits, findUnitByName, type LiveUnit, type ResolvedUnit } from '../../../shared/tasks/model.ts';
import { type StoredProblem, validRows } from './annotation-store.ts';
import { PizhuDatabase } from './db.ts';
import type { AuthorRow, TagRow } from './schema.ts';
import { documentsMatching, type IndexQuery, searchIndex } from './search-index.ts';
import { planQuery } from './search-text.ts';
import { TaskQueries } from './tasks-queries.ts';
import { VersionQueries } from './version-queries.ts';
import { readingAs, storedRenames, storedTagResolver, unitsOf } from './vocabulary.ts';

export { markTerms, snippet, type TextPiece } from './search-text.ts';
export {
  MAX_NOTICE_TASKS,
  type NoticeTasks,
  type TaskExport,
  TASKS_PAGE,
  type TeamTasks,
  taskKey,
} from './tasks-queries.ts';
export { type SnapshotRead, VERSIONS_PAGE, type VersionQueries, type VersionSummary } from './version-queries.ts';
export type { LiveUnit, ResolvedUnit, Units };

/** Documents the library lists at first (and adds per "more"). */
export const LIBRARY_PAGE = 50;
/** Search results (or a tag's clauses) shown at first (and added per "more"). */
export const RESULTS_PAGE = 100;
/** The most results one query returns, however often "more" is asked. */
export const MAX_RESULTS = 2_000;
/** Tags and authors offered in the library's filters and counted in its lists. */
export const FACET_LIMIT = 200;
/** The longest search text looked up (each term costs index reads; a pasted page must not). */
export const MAX_QUERY_CHARS = 100;

export type QueryResult = { annotations: Annotation[]; problems: StoredProblem[] };

/** What the side panel's "this page" tab shows: the page's document and its live annotations. */
export type PageData = QueryResult & { document: DocumentInfo | null };

/**
 * What a briefing draws from: the annotations (tags as the team reads them) with their documents, and the
 * briefing's tag filter read the same way (an old tag name asks for the tag it became).
 */
export type BriefingSource = { annotations: Annotation[]; documents: DocumentInfo[]; tags: string[] };

export type DocumentSummary = {
  key: string;
  /** Null when this browser has annotations of the document but not its metadata. */
  document: DocumentInfo | null;
  /** Live highlights (replies not counted; a document whose highlights were deleted may list replies only). */
  annotations: number;
  tags: number;
  lastAt: number;
};

export type TagSummary = { tag: string; count: number; documents: number };
export type AuthorSummary = { id: string; name: string; count: number };

/** The library's first screen: recently annotated documents, the most used tags, the authors. */
export type Library = {
  documents: DocumentSummary[];
  totalDocuments: number;
  tags: TagSummary[];
  totalTags: number;
  authors: AuthorSummary[];
};

/**
 * What the library looks for: every part given must hold. `text` is searched in quotes, notes, tags and
 * document titles (every whitespace-separated term must occur); `from` and `to` are YYYY-MM-DD in local time,
 * inclusive, by the day the annotation was made.
 */
export type AnnotationFilter = {
  text?: string;
  tag?: string | null;
  authorId?: string | null;
  documentKey?: string | null;
  from?: string | null;
  to?: string | null;
};

/** Annotations of one document, in clause order. */
export type DocumentGroup = { documentKey: string; document: DocumentInfo | null; items: Annotation[] };

export type FoundAnnotations = {
  groups: DocumentGroup[];
  /** Annotations in `groups`. */
  shown: number;
  /** How many match in all; an estimate when `totalExact` is false. */
  total: number;
  totalExact: boolean;
  /** The text's terms as searched (normalised), to mark them in what is shown. */
  terms: string[];
  problems: StoredProblem[];
};

const NOTHING_FOUND: FoundAnnotations = { groups: [], shown: 0, total: 0, totalExact: true, terms: [], problems: [] };

/** Live (not deleted) annotations, their tags as the team reads them now (through its renames). */
const live = (result: QueryResult, resolve: TagResolver): QueryResult => ({
  annotations: result.annotations.filter((a) => !a.deleted).map((a) => readingAs(a, resolve)),
  problems: result.problems,
});

function byCreation(a: Annotation, b: Annotation): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);
}

/** Whether the filter asks for anything (an empty one shows the library's lists instead of results). */
export function isFilterActive(filter: AnnotationFilter): boolean {
  return Boolean(
    filter.text?.trim() || filter.tag || filter.authorId || filter.documentKey || filter.from || filter.to,
  );
}

const DAY_MS = 86_400_000;

/** Local midnight starting a YYYY-MM-DD day, or undefined for anything else. */
function startOfLocalDay(date: string | null | undefined): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  if (!match) return undefined;
  const time = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime();
  return Number.isFinite(time) ? time : undefined;
}

/** The index posts each entry under its tags as they read now: an old name looks for the tag it became. */
function indexQueryOf(filter: AnnotationFilter, resolve: TagResolver): IndexQuery {
  const text = filter.text?.trim().slice(0, MAX_QUERY_CHARS);
  const to = startOfLocalDay(filter.to);
  return {
    plan: text ? planQuery(text) : undefined,
    tag: filter.tag ? resolve(normaliseTag(filter.tag)) : undefined,
    authorId: filter.authorId || undefined,
    documentKey: filter.documentKey || undefined,
    createdFrom: startOfLocalDay(filter.from),
    createdBefore: to === undefined ? undefined : to + DAY_MS,
  };
}

function validDocument(row: unknown): DocumentInfo | null {
  const parsed = documentInfoSchema.safeParse(row);
  return parsed.success ? parsed.data : null;
}

/** Clause order within one document: by label path as the document numbers it, then by position in the text. */
function inClauseOrder(items: Annotation[]): Annotation[] {
  const compare = clauseComparator(items.map((a) => a.clausePath));
  const position = (a: Annotation) =>
    findSelector(a.selectors, 'TextPositionSelector')?.start ?? Number.MAX_SAFE_INTEGER;
  return items.sort(
    (a, b) => compare(a.clausePath, b.clausePath) || position(a) - position(b) || a.createdAt - b.createdAt,
  );
}

/** Groups results (newest first) by document: most results first, ties by the newest; clause order inside. */
function groupByDocument(
  annotations: readonly Annotation[],
  documents: ReadonlyMap<string, DocumentInfo | null>,
): DocumentGroup[] {
  const groups = new Map<string, DocumentGroup>();
  for (const annotation of annotations) {
    let group = groups.get(annotation.documentKey);
    if (!group) {
      group = {
        documentKey: annotation.documentKey,
        document: documents.get(annotation.documentKey) ?? null,
        items: [],
      };
      groups.set(annotation.documentKey, group);
    }
    group.items.push(annotation);
  }
  const ordered = [...groups.values()];
  const firstSeen = new Map(ordered.map((group, i) => [group.documentKey, i]));
  ordered.sort(
    (a, b) => b.items.length - a.items.length || firstSeen.get(a.documentKey)! - firstSeen.get(b.documentKey)!,
  );
  for (const group of ordered) inClauseOrder(group.items);
  return ordered;
}

export class StoreQueries {
  /** Tasks on clauses and their progress (tasks-queries.ts). */
  readonly tasks: TaskQueries;
  /** The comparison's reads: versions of documents and their clause snapshots (version-queries.ts). */
  readonly versions: VersionQueries;

  constructor(private readonly db: PizhuDatabase) {
    this.tasks = new TaskQueries(db);
    this.versions = new VersionQueries(db);
  }

  /** A page's live annotations, replies included, oldest first (what a page paints on load). */
  byDocument(documentKey: string): Promise<QueryResult> {
    const db = this.db;
    return db.transaction('r', [db.annotations, db.tagRenames], async () => {
      const resolve = await storedTagResolver(db.tagRenames);
      const result = live(validRows(await db.annotations.where('documentKey').equals(documentKey).toArray()), resolve);
      result.annotations.sort(byCreation);
      return result;
    });
  }

  /** The side panel's "this page": the document as stored and its live annotations. */
  page(documentKey: string): Promise<PageData> {
    return this.db.transaction('r', [this.db.annotations, this.db.documents, this.db.tagRenames], async () => {
      const result = await this.byDocument(documentKey);
      return { ...result, document: validDocument(await this.db.documents.get(documentKey)) };
    });
  }

  /** The popup's counts for a page: live highlights (replies not counted), and how many of them are `mine`. */
  async pageCounts(documentKey: string, mine: ReadonlySet<string>): Promise<{ total: number; mine: number }> {
    const highlights = (await this.byDocument(documentKey)).annotations.filter((a) => !a.replyTo);
    return { total: highlights.length, mine: highlights.filter((a) => mine.has(a.author.id)).length };
  }

  /** The author id this browser used before joining a team (its private notes carry it), if any. */
  async localAuthorId(): Promise<string | null> {
    const row = await this.db.settings.get('localAuthorId');
    return typeof row?.value === 'string' ? row.value : null;
  }

  /** The library's first screen, from its counts (no annotation is read): `documentLimit` most recent documents. */
  library(documentLimit = LIBRARY_PAGE): Promise<Library> {
    const db = this.db;
    return db.transaction('r', [db.documentStats, db.documents, db.tags, db.authors], async () => {
      // A plain index range with a limit: IndexedDB reads just these rows (a filter would walk them all).
      const stats = await db.documentStats.orderBy('lastAt').reverse().limit(documentLimit).toArray();
      const documents = await db.documents.bulkGet(stats.map((row) => row.documentKey));
      const tags = mostUsed(await db.tags.toArray(), FACET_LIMIT);
      const authors = mostUsed(await db.authors.toArray(), FACET_LIMIT);
      return {
        documents: stats.map((row, i) => ({
          key: row.documentKey,
          document: validDocument(documents[i]),
          annotations: row.highlights,
          tags: Object.keys(row.tags).length,
          lastAt: row.lastAt,
        })),
        totalDocuments: await db.documentStats.count(),
        tags: tags.map(tagSummary),
        totalTags: await db.tags.count(),
        authors: authors.map(authorSummary),
      };
    });
  }

  /**
   * The library's search and its tag view: annotations matching the filter, the newest `limit` of them, grouped
   * by document in clause order. Reads the index and the records it returns, nothing else.
   *
   * Like every query here that opens a transaction, it returns the transaction's own promise rather than being
   * an async function: under liveQuery, a transaction begun inside an async function a querier returns directly
   * commits before its second read (Dexie's PrematureCommitError).
   */
  find(filter: AnnotationFilter, limit = RESULTS_PAGE): Promise<FoundAnnotations> {
    if (!isFilterActive(filter)) return Promise.resolve(NOTHING_FOUND);
    const db = this.db;
    // One read transaction for every step: each transaction of its own costs a round trip in Chromium.
    const tables = [db.searchTerms, db.searchEntries, db.annotations, db.documents, db.tagRenames];
    return db.transaction('r', tables, async () => {
      const resolve = await storedTagResolver(db.tagRenames);
      const query = indexQueryOf(filter, resolve);
      const hits = await searchIndex(db, query, Math.min(limit, MAX_RESULTS));
      const { annotations, problems } = live(validRows(await db.annotations.bulkGet(hits.ids)), resolve);
      const keys = [...new Set(annotations.map((a) => a.documentKey))];
      const documents = await db.documents.bulkGet(keys);
      return {
        groups: groupByDocument(annotations, new Map(keys.map((key, i) => [key, validDocument(documents[i])]))),
        shown: annotations.length,
        total: hits.total,
        totalExact: hits.totalExact,
        terms: query.plan?.terms ?? [],
        problems,
      };
    });
  }

  /** Documents to choose from for an export: the `limit` most recently annotated. */
  async recentDocuments(limit: number): Promise<DocumentInfo[]> {
    const { documents } = await this.library(limit);
    return documents.map((summary) => summary.document).filter((d): d is DocumentInfo => d !== null);
  }

  /**
   * What a briefing with these options may draw from: the annotations of every document that can hold a
   * selected one (found through the index: chosen documents, tags, the viewer's own, dates), with the
   * documents. Whole documents are read so that a thread's highlight and replies stay together; the briefing
   * model then selects. Only a briefing of every document with no other filter reads every annotation.
   */
  async briefingSource(
    options: Pick<BriefingOptions, 'documents' | 'tags' | 'who' | 'from' | 'to'>,
    viewerId: string | null,
  ): Promise<BriefingSource> {
    const keys = await this.briefingDocuments(options, viewerId);
    const db = this.db;
    return db.transaction('r', [db.annotations, db.documents, db.tagRenames], async () => {
      const resolve = await storedTagResolver(db.tagRenames);
      const rows = await db.annotations.where('documentKey').anyOf(keys).toArray();
      const documents = await db.documents.bulkGet(keys);
      return {
        annotations: live(validRows(rows), resolve).annotations,
        documents: documents.map(validDocument).filter((d): d is DocumentInfo => d !== null),
        tags: normaliseTags(options.tags.map((tag) => resolve(normaliseTag(tag)))),
      };
    });
  }

  private async briefingDocuments(
    options: Pick<BriefingOptions, 'documents' | 'tags' | 'who' | 'from' | 'to'>,
    viewerId: string | null,
  ): Promise<string[]> {
    if (options.documents.length) return [...options.documents];
    // The briefing reads dates in its own time zone: a day more on each side holds every such day.
    const from = startOfLocalDay(options.from);
    const to = startOfLocalDay(options.to);
    const base: IndexQuery = {
      authorId: options.who === 'mine' && viewerId ? viewerId : undefined,
      createdFrom: from === undefined ? undefined : from - DAY_MS,
      createdBefore: to === undefined ? undefined : to + 2 * DAY_MS,
    };
    const db = this.db;
    return db.transaction('r', [db.searchTerms, db.searchEntries, db.documentStats, db.tagRenames], async () => {
      if (options.tags.length) {
        const resolve = await storedTagResolver(db.tagRenames);
        const tags = new Set(options.tags.map((tag) => resolve(normaliseTag(tag))));
        const keys = new Set<string>();
        for (const tag of tags) for (const key of await documentsMatching(db, { ...base, tag })) keys.add(key);
        return [...keys];
      }
      if (base.authorId !== undefined || base.createdFrom !== undefined || base.createdBefore !== undefined) {
        return [...(await documentsMatching(db, base))];
      }
      return (await db.documentStats.toCollection().primaryKeys()) as string[];
    });
  }

  /**
   * The tag library, most used first (the page's tag completion), each tag with its former names (tags the team
   * renamed into it), so typing an old name offers the tag it became.
   */
  tagLibrary(limit = 5_000): Promise<LibraryTag[]> {
    const db = this.db;
    return db.transaction('r', [db.tags, db.tagRenames], async () => {
      const former = formerNames(await storedRenames(db.tagRenames));
      return mostUsed(await db.tags.toArray(), limit).map((row) => {
        const aliases = former.get(row.tag);
        return aliases ? { ...row, aliases } : row;
      });
    });
  }

  /**
   * The team's units to offer where units are entered: live ones (not merged away, not deleted) by name in
   * Chinese collation, each with the names it was known by (renames, units merged into it).
   */
  async units(): Promise<LiveUnit[]> {
    return activeUnits(await this.unitMap());
  }

  /** Every unit of the team by id (merged and deleted ones too): to show the units a task names by id. */
  async unitMap(): Promise<Units> {
    return unitsOf(await this.db.units.toArray());
  }

  /**
   * The unit a name stands for now (typed, picked, or found in a clause's text), through renames and merges:
   * see findUnitByName (shared/tasks/model.ts). Null when the team has no such unit.
   */
  async unitNamed(name: string): Promise<ResolvedUnit | null> {
    return findUnitByName(await this.unitMap(), name);
  }
}

/** A row of the tag library with the tag's former names, if it has any. */
export type LibraryTag = TagRow & { aliases?: string[] };

/**
 * The `limit` rows with the highest count (ties: most recently used, then by name). Tags and authors are a team's
 * vocabulary and its members, small tables read whole by their key: their count changes with every write, and an
 * index on it reads far slower than the table (see schema.ts).
 */
function mostUsed<T extends { count: number; usedAt?: number }>(rows: T[], limit: number): T[] {
  return rows.sort((a, b) => b.count - a.count || (b.usedAt ?? 0) - (a.usedAt ?? 0)).slice(0, limit);
}

const tagSummary = (row: TagRow): TagSummary => ({ tag: row.tag, count: row.count, documents: row.documents ?? 0 });
const authorSummary = (row: AuthorRow): AuthorSummary => ({ id: row.authorId, name: row.name, count: row.count });

let shared: StoreQueries | null = null;

/** The queries of this extension page over the extension's database (opened once per page). */
export function storeQueries(): StoreQueries {
  return (shared ??= new StoreQueries(new PizhuDatabase()));
}
