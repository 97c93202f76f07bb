/** The benchmark's entry in Chromium (bundled by run.ts): real IndexedDB, the same suite. */
import { PizhuDatabase } from '../../extension/lib/store/db.ts';
import { BENCH_DATABASE } from './data.ts';
import { mb, runSuite, type SuiteOptions } from './suite.ts';

type Options = Pick<SuiteOptions, 'annotations' | 'documents' | 'runs'>;

async function run(options: Options): Promise<string[]> {
  const lines: string[] = [];
  await PizhuDatabase.delete(BENCH_DATABASE);
  const db = new PizhuDatabase(BENCH_DATABASE);
  const memory = () => {
    (globalThis as { gc?: () => void }).gc?.();
    return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
  };
  await runSuite(db, { ...options, heap: memory, log: (line) => lines.push(line) });
  const estimate = await navigator.storage.estimate();
  lines.push(`IndexedDB on disk (navigator.storage.estimate): ${mb(estimate.usage ?? 0)}`);
  db.close();
  return lines;
}

(globalThis as unknown as { runPizhuBench: typeof run }).runPizhuBench = run;
