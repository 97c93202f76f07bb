/**
 * Store benchmark (not a test): 100,000 annotations over 2,000 documents in the extension's Dexie store, the
 * queries the extension makes timed side by side with peers (see suite.ts). Runs twice: in Node with
 * fake-indexeddb (in memory), then in headless Chromium with its real IndexedDB (on disk), the same code
 * bundled with esbuild and served from a loopback port. Machines are noisy: read the medians and the ratios.
 *
 *   npm run bench:store                                      # both, 100,000 annotations
 *   npm run bench:store -- --annotations 20000 --documents 400 --only chromium
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { chromium } from 'playwright-core';
import { PizhuDatabase } from '../../extension/lib/store/db.ts';
import { BENCH_DATABASE, SEARCHES, TAGS } from './data.ts';
import { mb, runSuite } from './suite.ts';
import { chromiumPath } from '../../test/browser.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const options = {
  annotations: Number(args.get('annotations') ?? 100_000),
  documents: Number(args.get('documents') ?? 2_000),
  runs: Number(args.get('runs') ?? 15),
};
const only = args.get('only');

async function inNode(): Promise<void> {
  console.log(`\n== Node ${process.version}, fake-indexeddb (in memory) ==`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) console.log('(run with --expose-gc for steadier memory figures: npx tsx --expose-gc bench/store/run.ts)');
  const db = new PizhuDatabase('bench', { indexedDB: new IDBFactory(), IDBKeyRange });
  await runSuite(db, {
    ...options,
    heap: () => {
      gc?.();
      return process.memoryUsage().heapUsed;
    },
    log: (line) => console.log(line),
  });
  console.log(`RSS: ${mb(process.memoryUsage().rss)}`);
  db.close();
}

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

async function inChromium(): Promise<void> {
  const scripts: Record<string, string> = {
    '/bench.js': await bundle('browser.ts'),
    '/panel.js': await bundle('panel-page.ts'),
  };
  const server = createServer((req, res) => {
    const script = scripts[req.url ?? ''];
    if (script) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return void res.end(script);
    }
    const src = req.url === '/panel' ? '/panel.js' : '/bench.js';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><meta charset="utf-8"><title>Pizhu store bench</title><script src="${src}"></script>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const profile = mkdtempSync(join(tmpdir(), 'pizhu-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--enable-precise-memory-info',
      '--js-flags=--expose-gc',
    ],
  });
  try {
    const version = context.browser()?.version() ?? '';
    console.log(`\n== Chromium ${version}, real IndexedDB (on disk) ==`);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    const lines = await page.evaluate(
      (o) => (globalThis as unknown as { runPizhuBench(o: unknown): Promise<string[]> }).runPizhuBench(o),
      options,
    );
    await page.close();
    for (const line of lines) console.log(line);
    // The panel's heap in a page of its own: the suite's page holds the generated data set and MiniSearch.
    const panel = await context.newPage();
    await panel.goto(`${origin}/panel`);
    const panelLines = await panel.evaluate(
      (o) => (globalThis as unknown as { measurePanelPage(o: unknown): Promise<string[]> }).measurePanelPage(o),
      {
        databaseName: BENCH_DATABASE,
        documentKey: `doc${Math.floor(options.documents / 3)}`,
        search: SEARCHES[1]!,
        tag: TAGS[0]!,
      },
    );
    for (const line of panelLines) console.log(line);
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

console.log(
  `Pizhu store benchmark: ${options.annotations.toLocaleString()} annotations over ${options.documents.toLocaleString()} documents, ${options.runs} runs per query`,
);
if (only !== 'chromium') await inNode();
if (only !== 'node') await inChromium();
