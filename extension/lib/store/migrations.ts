/**
 * Schema upgrades (see schema.ts for each version's stores). An upgrade keeps every record as it is (an invalid
 * one is skipped by the index and the counts, never dropped) and rebuilds what is derived from the records.
 * Each is tested from a filled database of the version before (test/unit/store/db-upgrade.test.ts).
 */
import Dexie, { type Table, type Transaction } from 'dexie';
import { clearLibraryStats, updateLibraryStats } from './library-stats.ts';
import type { AuthorRow, DocumentStatsRow, RoomStateRow, SearchEntryRow, SearchTermRow, TagRow } from './schema.ts';
import { clearSearchIndex, type Indexable, indexRecords } from './search-index.ts';

/** Records read per step while rebuilding, so memory stays flat however large the store. */
const REBUILD_BATCH = 2_000;

/**
 * Version 2 adds the search index, the tag library, the sync state and the clause index. Rooms are marked for
 * re-projection because version 1 stored updates and projections in separate transactions. (The index and the
 * counts are built by the upgrade to version 3, which every version-1 database goes through next.)
 */
export async function upgradeToV2(tx: Transaction): Promise<void> {
  await tx
    .table('rooms')
    .toCollection()
    .modify((row: RoomStateRow) => {
      row.projected = 0;
      row.localChanges = row.dirty ? 1 : 0;
    });
}

/**
 * Version 3 indexes tags and document titles as text and every entry by document, author and creation date,
 * and counts annotations per document and author: the search index and the library's counts are rebuilt.
 */
export async function upgradeToV3(tx: Transaction): Promise<void> {
  const search = {
    searchTerms: tx.table('searchTerms') as Table<SearchTermRow, [string, number]>,
    searchEntries: tx.table('searchEntries') as Table<SearchEntryRow, number>,
  };
  const stats = {
    tags: tx.table('tags') as Table<TagRow, string>,
    documentStats: tx.table('documentStats') as Table<DocumentStatsRow, string>,
    authors: tx.table('authors') as Table<AuthorRow, string>,
  };
  await clearSearchIndex(search);
  await clearLibraryStats(stats);
  const titles = new Map<string, string>();
  await tx
    .table('documents')
    .toCollection()
    .each((row: { key?: unknown; title?: unknown }) => {
      if (typeof row.key === 'string') titles.set(row.key, typeof row.title === 'string' ? row.title : '');
    });
  const annotations = tx.table('annotations');
  let after: unknown = Dexie.minKey;
  for (;;) {
    const batch = (await annotations.where(':id').above(after).limit(REBUILD_BATCH).toArray()) as Indexable[];
    if (!batch.length) break;
    const records = batch.filter((row) => typeof row?.id === 'string');
    await indexRecords(search, records, titles);
    await updateLibraryStats(
      stats,
      records.map((row) => ({ before: undefined, after: row })),
    );
    after = (batch.at(-1) as { id: unknown }).id;
  }
}

/**
 * Version 6 projects tasks and progress from the page rooms. Rooms may hold some already (synced by an earlier
 * version, which did not read them): every room is read again when next opened (the background opens them all
 * once, see TaskService.projectStaleRooms).
 */
export async function upgradeToV6(tx: Transaction): Promise<void> {
  await tx
    .table('rooms')
    .toCollection()
    .modify((row: RoomStateRow) => {
      row.projected = 0;
    });
}
