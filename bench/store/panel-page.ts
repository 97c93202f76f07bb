/**
 * The side panel's page in the Chromium run (bundled by run.ts, opened fresh after the suite filled the store):
 * the heap the panel's own queries leave behind once it has opened a page, the library, a search and a tag's
 * clauses, and, for comparison, what reading the tables whole (as the panel did before) adds to it.
 */
import { PizhuDatabase } from '../../extension/lib/store/db.ts';
import { LIBRARY_PAGE, RESULTS_PAGE, StoreQueries } from '../../extension/lib/store/queries.ts';
import { mb } from './suite.ts';

type Options = { databaseName: string; documentKey: string; search: string; tag: string };

function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
}

async function measure(options: Options): Promise<string[]> {
  const before = heap();
  const db = new PizhuDatabase(options.databaseName);
  const queries = new StoreQueries(db);
  const shown = [
    await queries.page(options.documentKey),
    await queries.library(LIBRARY_PAGE),
    await queries.find({ text: options.search }, RESULTS_PAGE),
    await queries.find({ tag: options.tag }, RESULTS_PAGE),
  ];
  const screens = heap();
  const whole = [await db.annotations.toArray(), await db.documents.toArray()];
  const wholeTables = heap();
  db.close();
  return [
    `Panel page heap: ${mb(before)} at start, ${mb(screens)} after this page, the library, a search ("${options.search}") and a tag's clauses (${shown.length} screens);`,
    `  reading the two tables whole as the panel did before: ${mb(wholeTables)} (${whole[0]!.length.toLocaleString()} annotations in memory)`,
  ];
}

(globalThis as unknown as { measurePanelPage: typeof measure }).measurePanelPage = measure;
