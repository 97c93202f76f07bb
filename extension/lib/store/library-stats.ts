/**
 * The library's counts, kept in step with the annotations table inside the same transaction (annotation-store.ts)
 * so they never drift: per tag (live annotations carrying it, on how many documents), per document (live
 * highlights, tags, last activity) and per author (live annotations). The library reads these rows instead of
 * counting annotations, so opening it costs the same at 100 or 100,000 annotations.
 */
import type { Table } from 'dexie';
import type { AuthorRow, DocumentStatsRow, TagRow } from './schema.ts';

export type StatsTables = {
  tags: Table<TagRow, string>;
  documentStats: Table<DocumentStatsRow, string>;
  authors: Table<AuthorRow, string>;
};

/**
 * The fields the counts read; tolerant of malformed rows: one without a quote or a document counts as nothing,
 * as the search index leaves it out (search-index.ts), so what the library counts is what it can list.
 */
export type Countable = {
  quote?: unknown;
  documentKey?: unknown;
  tags?: unknown;
  deleted?: unknown;
  replyTo?: unknown;
  author?: unknown;
  updatedAt?: unknown;
};

type Counted = { documentKey: string; tags: string[]; reply: boolean; author: { id: string; name: string } | null };

function counted(record: Countable | undefined): Counted | null {
  if (
    !record ||
    record.deleted === true ||
    typeof record.quote !== 'string' ||
    typeof record.documentKey !== 'string'
  ) {
    return null;
  }
  const tags = Array.isArray(record.tags) ? record.tags.filter((t): t is string => typeof t === 'string') : [];
  const author = record.author as { id?: unknown; name?: unknown } | undefined;
  return {
    documentKey: record.documentKey,
    tags: [...new Set(tags)],
    reply: typeof record.replyTo === 'string',
    author:
      typeof author?.id === 'string'
        ? { id: author.id, name: typeof author.name === 'string' ? author.name : '' }
        : null,
  };
}

type Change = { before: Countable | undefined; after: Countable | undefined };

/** The differences the changes make, before any row is read. */
class Deltas {
  readonly tags = new Map<string, { by: number; usedAt: number }>();
  readonly documents = new Map<
    string,
    { live: number; highlights: number; tags: Map<string, number>; lastAt: number }
  >();
  readonly authors = new Map<string, { by: number; name: string }>();

  add(record: Counted, sign: 1 | -1, at: number): void {
    const doc = this.document(record.documentKey, at);
    doc.live += sign;
    if (!record.reply) doc.highlights += sign;
    for (const tag of record.tags) {
      doc.tags.set(tag, (doc.tags.get(tag) ?? 0) + sign);
      const entry = this.tags.get(tag) ?? { by: 0, usedAt: 0 };
      entry.by += sign;
      if (sign > 0) entry.usedAt = Math.max(entry.usedAt, at);
      this.tags.set(tag, entry);
    }
    if (record.author) {
      const entry = this.authors.get(record.author.id) ?? { by: 0, name: '' };
      entry.by += sign;
      if (sign > 0 && record.author.name) entry.name = record.author.name;
      this.authors.set(record.author.id, entry);
    }
  }

  private document(key: string, at: number) {
    let doc = this.documents.get(key);
    if (!doc) this.documents.set(key, (doc = { live: 0, highlights: 0, tags: new Map(), lastAt: 0 }));
    doc.lastAt = Math.max(doc.lastAt, at);
    return doc;
  }
}

/** Applies the difference between each record's previous and next state to the counts. */
export async function updateLibraryStats(tables: StatsTables, changes: readonly Change[]): Promise<void> {
  const deltas = new Deltas();
  for (const { before, after } of changes) {
    const at = typeof after?.updatedAt === 'number' ? after.updatedAt : 0;
    const old = counted(before);
    const next = counted(after);
    if (old) deltas.add(old, -1, at);
    if (next) deltas.add(next, 1, at);
  }
  // A tag is on one more (or one fewer) document when its count there leaves (or reaches) zero.
  const tagDocuments = new Map<string, number>();
  await rewriteRows(tables.documentStats, [...deltas.documents.keys()], (documentKey, row) => {
    const delta = deltas.documents.get(documentKey)!;
    const tags = { ...(row?.tags ?? {}) };
    for (const [tag, by] of delta.tags) {
      if (by === 0) continue;
      const was = tags[tag] ?? 0;
      const now = was + by;
      if (was <= 0 && now > 0) tagDocuments.set(tag, (tagDocuments.get(tag) ?? 0) + 1);
      if (was > 0 && now <= 0) tagDocuments.set(tag, (tagDocuments.get(tag) ?? 0) - 1);
      if (now > 0) tags[tag] = now;
      else delete tags[tag];
    }
    const live = (row?.live ?? 0) + delta.live;
    if (live <= 0) return null;
    return {
      documentKey,
      live,
      highlights: (row?.highlights ?? 0) + delta.highlights,
      tags,
      lastAt: Math.max(row?.lastAt ?? 0, delta.lastAt),
    };
  });
  const changedTags = [...deltas.tags.keys()].filter((tag) => deltas.tags.get(tag)!.by !== 0 || tagDocuments.get(tag));
  await rewriteRows(tables.tags, changedTags, (tag, row) => {
    const { by, usedAt } = deltas.tags.get(tag)!;
    const count = (row?.count ?? 0) + by;
    if (count <= 0) return null;
    return {
      tag,
      count,
      documents: (row?.documents ?? 0) + (tagDocuments.get(tag) ?? 0),
      usedAt: Math.max(row?.usedAt ?? 0, usedAt),
    };
  });
  await rewriteRows(tables.authors, [...deltas.authors.keys()], (authorId, row) => {
    const { by, name } = deltas.authors.get(authorId)!;
    const count = (row?.count ?? 0) + by;
    return count > 0 ? { authorId, name: name || row?.name || authorId, count } : null;
  });
}

/**
 * Rewrites the count rows of `keys` from the rows stored: `next` gives a key's new row, or null when nothing is
 * left to count there (a stored row is then deleted).
 */
async function rewriteRows<Row>(
  table: Table<Row, string>,
  keys: string[],
  next: (key: string, row: Row | undefined) => Row | null,
): Promise<void> {
  if (!keys.length) return;
  const rows = await table.bulkGet(keys);
  const puts: Row[] = [];
  const deletes: string[] = [];
  keys.forEach((key, i) => {
    const row = next(key, rows[i]);
    if (row) puts.push(row);
    else if (rows[i]) deletes.push(key);
  });
  if (puts.length) await table.bulkPut(puts);
  if (deletes.length) await table.bulkDelete(deletes);
}

/** Empties the counts (schema upgrades, repair); updateLibraryStats then fills them batch by batch. */
export async function clearLibraryStats(tables: StatsTables): Promise<void> {
  await Promise.all([tables.tags.clear(), tables.documentStats.clear(), tables.authors.clear()]);
}
