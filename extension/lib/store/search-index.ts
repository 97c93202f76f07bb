/**
 * The persistent search index over quotes, notes, tags and document titles, and the filters beside them: an
 * inverted index from terms (see search-text.ts) to small entry numbers, stored as sorted Uint32Array postings
 * split in buckets of 4,096 numbers so that changing one annotation rewrites small rows only. Besides the text
 * terms, each entry is posted under its tags ("\u0001<tag>") and its author ("\u0002<id>"), terms no text
 * lookup can reach; the entries themselves are indexed by document and creation time. Each filter is one more
 * sorted list of entry numbers to intersect. (Authors are few and write batches touch few of their rows; a
 * document's posting rows would be touched by every batch that spans many documents, and its entries are few, so
 * its index is cheaper to keep and as quick to read.) Entry numbers grow
 * as annotations are first indexed, so reading from the top gives newest first, and a query fetches only the
 * records of the page of results it returns. Maintained in the same transaction as the annotations table (see
 * annotation-store.ts): the index never lags the records.
 */
import Dexie, { type Table } from 'dexie';
import type { SearchEntryRow, SearchTermRow } from './schema.ts';
import { indexTerms, matchesPlan, searchableText, type Lookup, type QueryPlan } from './search-text.ts';

const BUCKET_BITS = 12;
/** Entries fetched per round while checking candidates. */
const CHECK_CHUNK = 128;

export type SearchTables = {
  searchTerms: Table<SearchTermRow, [string, number]>;
  searchEntries: Table<SearchEntryRow, number>;
};

/** The part of an annotation the index reads (rows may be malformed); deleted annotations are not indexed. */
export type Indexable = {
  id: string;
  quote?: unknown;
  note?: unknown;
  tags?: unknown;
  deleted?: unknown;
  documentKey?: unknown;
  author?: unknown;
  createdAt?: unknown;
  updatedAt?: unknown;
};

/** Document titles by document key: a title is part of each of its document's entries. */
export type Titles = ReadonlyMap<string, string>;

const TAG_MARK = '\u0001';
const AUTHOR_MARK = '\u0002';
export const tagTerm = (normalisedTag: string): string => `${TAG_MARK}${normalisedTag}`;
const authorTerm = (authorId: string): string => `${AUTHOR_MARK}${authorId}`;

const number = (value: unknown): number => (typeof value === 'number' ? value : 0);
const string = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The entry an annotation should have now, or null when it has none (deleted, or too malformed to index). */
function entryOf(record: Indexable, titles: Titles): Omit<SearchEntryRow, 'seq'> | null {
  if (record.deleted === true || typeof record.quote !== 'string' || typeof record.documentKey !== 'string') {
    return null;
  }
  const tags = Array.isArray(record.tags) ? record.tags.filter((t): t is string => typeof t === 'string') : [];
  const author = record.author as { id?: unknown } | undefined;
  const title = titles.get(record.documentKey) ?? '';
  return {
    annotationId: record.id,
    text: searchableText({ quote: record.quote, note: string(record.note), tags, title }),
    tags,
    documentKey: record.documentKey,
    authorId: string(author?.id),
    createdAt: number(record.createdAt),
    updatedAt: number(record.updatedAt),
  };
}

function termsOf(entry: Omit<SearchEntryRow, 'seq'>): Set<string> {
  const terms = indexTerms(entry.text);
  for (const tag of entry.tags ?? []) terms.add(tagTerm(tag));
  if (entry.authorId) terms.add(authorTerm(entry.authorId));
  return terms;
}

const sameTags = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (b ?? []).every((tag, i) => a![i] === tag);

/** Whether two entries post the same terms and carry the same filter fields (only updatedAt may differ). */
function sameEntry(a: Omit<SearchEntryRow, 'seq'>, b: Omit<SearchEntryRow, 'seq'>): boolean {
  return (
    a.text === b.text &&
    sameTags(a.tags, b.tags) &&
    a.documentKey === b.documentKey &&
    a.authorId === b.authorId &&
    a.createdAt === b.createdAt
  );
}

type PostingChanges = Map<string, { gram: string; bucket: number; add: number[]; remove: Set<number> }>;

function change(changes: PostingChanges, gram: string, seq: number, kind: 'add' | 'remove'): void {
  const bucket = seq >>> BUCKET_BITS;
  const key = `${gram}\u0000${bucket}`;
  let entry = changes.get(key);
  if (!entry) changes.set(key, (entry = { gram, bucket, add: [], remove: new Set() }));
  if (kind === 'add') entry.add.push(seq);
  else entry.remove.add(seq);
}

/**
 * Brings the index in step with the current state of these records, with their documents' titles. Must run
 * inside a read-write transaction over both search tables (callers include them in their own transaction).
 */
export async function indexRecords(
  tables: SearchTables,
  records: readonly Indexable[],
  titles: Titles = new Map(),
): Promise<void> {
  const latest = new Map(records.map((r) => [r.id, r]));
  const existing = await tables.searchEntries
    .where('annotationId')
    .anyOf([...latest.keys()])
    .toArray();
  const entries = new Map(existing.map((e) => [e.annotationId, e]));
  const changes: PostingChanges = new Map();
  const updatedEntries: SearchEntryRow[] = [];
  const removedEntries: number[] = [];
  const newEntries: SearchEntryRow[] = [];

  for (const record of latest.values()) {
    const next = entryOf(record, titles);
    const old = entries.get(record.id);
    if (!old) {
      if (next) newEntries.push(next);
      continue;
    }
    if (next && sameEntry(old, next)) {
      if (old.updatedAt !== next.updatedAt) updatedEntries.push({ ...old, updatedAt: next.updatedAt });
      continue;
    }
    const before = termsOf(old);
    const after = next ? termsOf(next) : new Set<string>();
    for (const term of before) if (!after.has(term)) change(changes, term, old.seq!, 'remove');
    for (const term of after) if (!before.has(term)) change(changes, term, old.seq!, 'add');
    if (next) updatedEntries.push({ ...next, seq: old.seq });
    else removedEntries.push(old.seq!);
  }

  if (newEntries.length) {
    const seqs = await tables.searchEntries.bulkAdd(newEntries, { allKeys: true });
    newEntries.forEach((entry, i) => {
      for (const term of termsOf(entry)) change(changes, term, seqs[i]!, 'add');
    });
  }
  if (updatedEntries.length) await tables.searchEntries.bulkPut(updatedEntries);
  if (removedEntries.length) await tables.searchEntries.bulkDelete(removedEntries);
  await applyPostings(tables, changes);
}

/** Removes these annotations from the index. */
export async function unindexRecords(tables: SearchTables, ids: readonly string[]): Promise<void> {
  await indexRecords(
    tables,
    ids.map((id) => ({ id, deleted: true })),
  );
}

async function applyPostings(tables: SearchTables, changes: PostingChanges): Promise<void> {
  if (!changes.size) return;
  const wanted = [...changes.values()];
  const rows = await tables.searchTerms.bulkGet(wanted.map((c) => [c.gram, c.bucket] as [string, number]));
  const puts: SearchTermRow[] = [];
  const deletes: [string, number][] = [];
  wanted.forEach((c, i) => {
    const ids = new Set(rows[i]?.ids ?? []);
    for (const seq of c.remove) ids.delete(seq);
    for (const seq of c.add) ids.add(seq);
    if (ids.size) puts.push({ gram: c.gram, bucket: c.bucket, ids: Uint32Array.from(ids).sort() });
    else if (rows[i]) deletes.push([c.gram, c.bucket]);
  });
  if (puts.length) await tables.searchTerms.bulkPut(puts);
  if (deletes.length) await tables.searchTerms.bulkDelete(deletes);
}

/** Empties the index (schema upgrades, repair); indexRecords then fills it batch by batch. */
export async function clearSearchIndex(tables: SearchTables): Promise<void> {
  await tables.searchTerms.clear();
  await tables.searchEntries.clear();
}

// --- queries ---

async function postings(tables: SearchTables, lookup: Lookup): Promise<Uint32Array> {
  const upper = lookup.kind === 'exact' ? lookup.key : `${lookup.key}\uffff`;
  const rows = await tables.searchTerms
    .where('[gram+bucket]')
    .between([lookup.key, Dexie.minKey], [upper, Dexie.maxKey], true, true)
    .toArray();
  if (rows.length === 1) return rows[0]!.ids;
  let total = 0;
  for (const row of rows) total += row.ids.length;
  const all = new Uint32Array(total);
  let at = 0;
  for (const row of rows) {
    all.set(row.ids, at);
    at += row.ids.length;
  }
  // One term's buckets come in order; several terms (a prefix lookup) interleave and may repeat numbers.
  return lookup.kind === 'exact' ? all : dedupeSorted(all.sort());
}

/**
 * Each lookup's postings, one after the other: Chromium runs parallel range reads on one store far slower
 * (measured: three lookups in parallel 230 ms, one alone 6 ms).
 */
async function allPostings(tables: SearchTables, lookups: readonly Lookup[]): Promise<Uint32Array[]> {
  const lists: Uint32Array[] = [];
  for (const lookup of lookups) lists.push(await postings(tables, lookup));
  return lists;
}

function dedupeSorted(sorted: Uint32Array): Uint32Array {
  let out = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[out++] = sorted[i]!;
  return sorted.subarray(0, out);
}

function intersectSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out[n++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

export type SearchHits = {
  /** Matching annotation ids, most recently indexed first, at most `limit`. */
  ids: string[];
  /** How many annotations match in all (an estimate when `totalExact` is false). */
  total: number;
  /**
   * False when the search stopped checking candidates once it had `limit` matches: `total` is then the
   * matches found plus the unchecked candidates scaled by the share that matched so far ("about N").
   */
  totalExact: boolean;
};

/**
 * What to find: every part given must hold. `plan` is parsed text (every term in the quote, note, tags or
 * title); the tag is normalised as stored; `createdFrom` (inclusive) and `createdBefore` (exclusive) are epoch
 * ms. A query with none of them finds nothing.
 */
export type IndexQuery = {
  plan?: QueryPlan;
  tag?: string;
  authorId?: string;
  documentKey?: string;
  createdFrom?: number;
  createdBefore?: number;
};

const NO_HITS: SearchHits = { ids: [], total: 0, totalExact: true };

function intersectAll(lists: Uint32Array[]): Uint32Array {
  lists.sort((x, y) => x.length - y.length);
  let result = lists[0]!;
  for (const list of lists.slice(1)) {
    if (!result.length) break;
    result = intersectSorted(result, list);
  }
  return result;
}

/** Entry numbers `from`…`from + count` counted from the newest (the end of the sorted list), newest first. */
function newest(sorted: Uint32Array, from: number, count: number): number[] {
  const out: number[] = [];
  for (let i = sorted.length - 1 - from; i >= 0 && out.length < count; i--) out.push(sorted[i]!);
  return out;
}

async function annotationIdsOf(tables: SearchTables, seqs: number[]): Promise<string[]> {
  const entries = await tables.searchEntries.bulkGet(seqs);
  return entries.filter((e) => e !== undefined).map((e) => e.annotationId);
}

const hasDates = (query: IndexQuery) => query.createdFrom !== undefined || query.createdBefore !== undefined;

function createdRange(tables: SearchTables, query: IndexQuery) {
  return tables.searchEntries
    .where('createdAt')
    .between(query.createdFrom ?? 0, query.createdBefore ?? Number.POSITIVE_INFINITY, true, false);
}

/** The entries of this document, as a sorted list of entry numbers. */
async function entriesOf(tables: SearchTables, documentKey: string) {
  // Within one value of an index IndexedDB returns primary keys in ascending order: already sorted.
  return Uint32Array.from(await tables.searchEntries.where('documentKey').equals(documentKey).primaryKeys());
}

/** Every entry number matching the query's terms, filters and dates (not yet checked against the text). */
async function candidatesOf(tables: SearchTables, query: IndexQuery): Promise<Uint32Array | null> {
  if (query.plan && !query.plan.lookups.length) return new Uint32Array(0);
  const lookups: Lookup[] = [...(query.plan?.lookups ?? [])];
  if (query.tag !== undefined) lookups.push({ kind: 'exact', key: tagTerm(query.tag) });
  if (query.authorId !== undefined) lookups.push({ kind: 'exact', key: authorTerm(query.authorId) });
  const lists = await allPostings(tables, lookups);
  if (query.documentKey !== undefined) lists.push(await entriesOf(tables, query.documentKey));
  if (hasDates(query)) lists.push(Uint32Array.from(await createdRange(tables, query).primaryKeys()).sort());
  return lists.length ? intersectAll(lists) : null;
}

/** Dates alone: the newest page straight from the date index (by creation time), and a count. */
async function createdPage(tables: SearchTables, query: IndexQuery, limit: number): Promise<SearchHits> {
  const seqs = await createdRange(tables, query).reverse().limit(limit).primaryKeys();
  const total = await createdRange(tables, query).count();
  return { ids: await annotationIdsOf(tables, seqs), total, totalExact: true };
}

/**
 * Finds annotations matching every part of the query. The index narrows the candidates; when the text has
 * terms the lookups alone cannot decide, candidates are then checked against their text, newest first, until
 * `limit` matches are found. Only the entries of checked candidates and of the results are read.
 */
export async function searchIndex(tables: SearchTables, query: IndexQuery, limit: number): Promise<SearchHits> {
  const onlyDates =
    !query.plan && query.tag === undefined && query.documentKey === undefined && query.authorId === undefined;
  if (onlyDates && hasDates(query)) return createdPage(tables, query, limit);
  const candidates = await candidatesOf(tables, query);
  if (!candidates) return NO_HITS;
  const plan = query.plan;
  if (!plan || plan.exact) {
    return {
      ids: await annotationIdsOf(tables, newest(candidates, 0, limit)),
      total: candidates.length,
      totalExact: true,
    };
  }
  const ids: string[] = [];
  let matched = 0;
  let checked = 0;
  while (checked < candidates.length && ids.length < limit) {
    const chunk = newest(candidates, checked, CHECK_CHUNK);
    checked += chunk.length;
    for (const entry of await tables.searchEntries.bulkGet(chunk)) {
      if (!entry || !matchesPlan(entry.text, plan)) continue;
      matched++;
      if (ids.length < limit) ids.push(entry.annotationId);
    }
  }
  const unchecked = candidates.length - checked;
  const total = unchecked ? matched + Math.round((unchecked * matched) / checked) : matched;
  return { ids, total, totalExact: unchecked === 0 };
}

/**
 * The documents holding at least one annotation that matches the query's filters (its text, if any, is not
 * checked: a few extra documents only cost their reading). Reads one entry per candidate; for exports.
 */
export async function documentsMatching(tables: SearchTables, query: IndexQuery): Promise<Set<string>> {
  const candidates = await candidatesOf(tables, query);
  const keys = new Set<string>();
  if (!candidates) return keys;
  for (let from = 0; from < candidates.length; from += 2_000) {
    const entries = await tables.searchEntries.bulkGet([...candidates.subarray(from, from + 2_000)]);
    for (const entry of entries) if (entry?.documentKey) keys.add(entry.documentKey);
  }
  return keys;
}
