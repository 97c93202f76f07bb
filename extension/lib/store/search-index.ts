/**
 * The persistent search index over quotes and notes, and over tags: an inverted index from terms (see
 * search-text.ts; a tag is the term "\u0001<tag>", which no text lookup can reach) to small entry numbers,
 * stored as sorted Uint32Array postings split in buckets of 4,096 numbers so that changing one annotation
 * rewrites small rows only. Entry numbers grow as annotations are first indexed, so reading postings from the
 * top gives newest first, and a query fetches only the records of the page of results it returns. Maintained
 * in the same transaction as the annotations table (see annotation-store.ts): the index never lags the records.
 */
import Dexie, { type Table } from 'dexie';
import type { SearchEntryRow, SearchTermRow } from './db.ts';
import { indexTerms, matchesPlan, planQuery, searchableText, type Lookup, type QueryPlan } from './search-text.ts';

const BUCKET_BITS = 12;
/** Entries fetched per round while checking candidates. */
const CHECK_CHUNK = 128;

export type SearchTables = {
  searchTerms: Table<SearchTermRow, [string, number]>;
  searchEntries: Table<SearchEntryRow, number>;
};

/** The part of an annotation the index reads; deleted annotations are not searchable. */
export type Indexable = {
  id: string;
  quote: unknown;
  note: unknown;
  tags?: unknown;
  deleted?: unknown;
  updatedAt?: unknown;
};

const TAG_MARK = '\u0001';
export const tagTerm = (normalisedTag: string): string => `${TAG_MARK}${normalisedTag}`;

function textOf(record: Indexable): string {
  if (record.deleted === true || typeof record.quote !== 'string') return '';
  return searchableText({ quote: record.quote, note: typeof record.note === 'string' ? record.note : '' });
}

function tagsOf(record: Indexable): string[] {
  if (record.deleted === true || !Array.isArray(record.tags)) return [];
  return record.tags.filter((t): t is string => typeof t === 'string');
}

function termsOf(entry: { text: string; tags?: readonly string[] }): Set<string> {
  const terms = indexTerms(entry.text);
  for (const tag of entry.tags ?? []) terms.add(tagTerm(tag));
  return terms;
}

const sameTags = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  (a ?? []).length === b.length && b.every((tag, i) => a![i] === tag);

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
 * Brings the index in step with the current state of these records. Must run inside a read-write transaction
 * over both search tables (callers include them in their own transaction).
 */
export async function indexRecords(tables: SearchTables, records: readonly Indexable[]): Promise<void> {
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
    const text = textOf(record);
    const tags = tagsOf(record);
    const updatedAt = typeof record.updatedAt === 'number' ? record.updatedAt : 0;
    const live = text !== '' || tags.length > 0;
    const old = entries.get(record.id);
    if (!old) {
      if (live) newEntries.push({ annotationId: record.id, text, tags, updatedAt });
      continue;
    }
    if (old.text === text && sameTags(old.tags, tags)) {
      if (old.updatedAt !== updatedAt) updatedEntries.push({ ...old, updatedAt });
      continue;
    }
    const before = termsOf(old);
    const after = termsOf({ text, tags });
    for (const term of before) if (!after.has(term)) change(changes, term, old.seq!, 'remove');
    for (const term of after) if (!before.has(term)) change(changes, term, old.seq!, 'add');
    if (live) updatedEntries.push({ ...old, text, tags, updatedAt });
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
    ids.map((id) => ({ id, quote: '', note: '', tags: [], deleted: true })),
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

/** Builds the index from scratch (schema upgrades, repair), in batches that keep memory flat. */
export async function rebuildSearchIndex(tables: SearchTables, records: readonly Indexable[]): Promise<void> {
  await tables.searchTerms.clear();
  await tables.searchEntries.clear();
  const BATCH = 2_000;
  for (let i = 0; i < records.length; i += BATCH) {
    await indexRecords(
      tables,
      records.slice(i, i + BATCH).filter((r) => typeof r?.id === 'string'),
    );
  }
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

/**
 * Finds annotations whose quote or note contains every term of the query. The index narrows the candidates;
 * candidates are then checked against their text (unless the lookups are exact by themselves), newest first,
 * until `limit` matches are found. Only the entries of checked candidates and of the results are read.
 */
export async function searchIndex(tables: SearchTables, query: string | QueryPlan, limit: number): Promise<SearchHits> {
  const plan = typeof query === 'string' ? planQuery(query) : query;
  if (!plan.lookups.length) return { ids: [], total: 0, totalExact: true };
  const candidates = intersectAll(await allPostings(tables, plan.lookups));
  if (plan.exact) {
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

/** Annotations carrying a tag (normalised), newest first: only the first `limit` are read. */
export async function tagIndex(
  tables: SearchTables,
  normalisedTag: string,
  limit: number,
): Promise<{ ids: string[]; total: number }> {
  const seqs = await postings(tables, { kind: 'exact', key: tagTerm(normalisedTag) });
  return { ids: await annotationIdsOf(tables, newest(seqs, 0, limit)), total: seqs.length };
}
