/**
 * The tag library: every tag in use with the number of live (not deleted) annotations carrying it. Kept in step
 * with the annotations table inside the same transaction (annotation-store.ts), so counts never drift.
 */
import type { Table } from 'dexie';
import type { TagRow } from './db.ts';

/** The fields the library reads; tolerant of malformed rows (they count as carrying no tags). */
export type Tagged = { tags?: unknown; deleted?: unknown; updatedAt?: unknown };

function liveTags(record: Tagged | undefined): string[] {
  if (!record || record.deleted === true || !Array.isArray(record.tags)) return [];
  return record.tags.filter((t): t is string => typeof t === 'string');
}

/** Applies the difference between each record's previous and next state to the counts. */
export async function updateTagCounts(
  table: Table<TagRow, string>,
  changes: readonly { before: Tagged | undefined; after: Tagged | undefined }[],
): Promise<void> {
  const delta = new Map<string, { by: number; usedAt: number }>();
  const bump = (tag: string, by: number, usedAt: number) => {
    const entry = delta.get(tag) ?? { by: 0, usedAt: 0 };
    entry.by += by;
    entry.usedAt = Math.max(entry.usedAt, usedAt);
    delta.set(tag, entry);
  };
  for (const { before, after } of changes) {
    const usedAt = typeof after?.updatedAt === 'number' ? after.updatedAt : 0;
    const old = new Set(liveTags(before));
    const next = new Set(liveTags(after));
    for (const tag of old) if (!next.has(tag)) bump(tag, -1, 0);
    for (const tag of next) if (!old.has(tag)) bump(tag, 1, usedAt);
  }
  const tags = [...delta.keys()].filter((tag) => delta.get(tag)!.by !== 0);
  if (!tags.length) return;
  const rows = await table.bulkGet(tags);
  const puts: TagRow[] = [];
  const deletes: string[] = [];
  tags.forEach((tag, i) => {
    const { by, usedAt } = delta.get(tag)!;
    const count = (rows[i]?.count ?? 0) + by;
    if (count > 0) puts.push({ tag, count, usedAt: Math.max(rows[i]?.usedAt ?? 0, usedAt) });
    else if (rows[i]) deletes.push(tag);
  });
  if (puts.length) await table.bulkPut(puts);
  if (deletes.length) await table.bulkDelete(deletes);
}

/** Recounts from scratch (schema upgrades, repair). */
export async function rebuildTagLibrary(table: Table<TagRow, string>, records: readonly Tagged[]): Promise<void> {
  await table.clear();
  await updateTagCounts(
    table,
    records.map((after) => ({ before: undefined, after })),
  );
}
