/**
 * Chromium and the corpus pages, for the end-to-end tests and the browser benchmarks (bench/page, bench/store,
 * bench/anchoring) alike: where Chromium is and how it runs headless, the built extension, a static loopback
 * server for the corpus pages (loopback is granted at install, so the content script runs there without a
 * permission prompt), the long page's annotations, and a recorder of how long a page was blocked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { COLORS } from '../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../shared/model/canonical-url.ts';

const ROOT = resolve(import.meta.dirname, '..');
export const CHROME_BUILD = join(ROOT, '.output/chrome-mv3');

/** Chromium without a window, sandbox or GPU, and without its own traffic (updates, sync, QUIC) beside the run. */
export const HEADLESS_CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('Chromium is missing: sudo apt-get install -y chromium fonts-noto-cjk');
  return found;
}

const CORPUS = join(ROOT, 'test/fixtures/corpus/pages');

export const PAGES = {
  reference: '01-suizhou-edu-2023.html',
  scriptBuilt: '06-gov-grain-emergency-plan-2005.html',
  long: '07-spp-criminal-procedure-rules-2019.html',
  iframe: '08-gov-new-media-opinions-2018.html',
  english: '12-us-uscg-safety-zone-2024.html',
} as const;

/**
 * annotation.create requests for the long page (PAGES.long, served at `url`): the opening words of its clauses,
 * at most `count` of them, tags and colours taken in turn. The long-page e2e test and bench/page use the same set.
 */
export function longPageAnnotations(url: string, count: number) {
  const expected = JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/corpus/pages/07-spp-criminal-procedure-rules-2019.json'), 'utf8'),
  ) as { structure: { startsWith: string }[] };
  const quotes = [...new Set(expected.structure.map((s) => s.startsWith.replace(/\s+/g, ' ').trim()))]
    .filter((q) => q.length >= 8)
    .slice(0, count);
  const info = { key: documentKeyFor(url), canonicalUrl: canonicalUrl(url), url, title: '人民检察院刑事诉讼规则' };
  return quotes.map((exact, i) => ({
    type: 'annotation.create' as const,
    annotation: {
      documentKey: info.key,
      selectors: [{ type: 'TextQuoteSelector' as const, exact }],
      clausePath: [],
      quote: exact,
      tags: [i % 2 ? '程序' : '证据'],
      color: COLORS[i % COLORS.length]!,
    },
    document: info,
  }));
}

/** A page whose own CSS is as hostile as it gets: it must not change Pizhu's UI, nor Pizhu the page. */
export const HOSTILE_CSS = `
  * { color: red !important; font-size: 40px !important; font-family: "Comic Sans MS", cursive !important;
      line-height: 3 !important; background: #0f0 !important; border: 3px dashed blue !important;
      box-sizing: content-box !important; letter-spacing: 4px !important; }
  pizhu-ui, pizhu-ui * { display: none !important; }
  button, input, textarea { all: unset !important; }
`;

export type StaticServer = { url: string; close(): Promise<void>; requests: string[] };

/**
 * Serves the corpus pages at /<file>, and /hostile/<file> with HOSTILE_CSS appended to the page's <head>.
 * Listens on a free port of `host`: 127.0.0.1 (granted at install), or another loopback address such as
 * 127.0.0.2 for a site Pizhu has to ask for.
 */
export async function startStaticServer(host = '127.0.0.1'): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    requests.push(path);
    const hostile = path.startsWith('/hostile/');
    const file = path.replace(/^\/(hostile\/)?/, '');
    if (!/^[\w.-]+\.html$/.test(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    let html: string;
    try {
      html = readFileSync(join(CORPUS, file), 'utf8');
    } catch {
      response.writeHead(404).end('not found');
      return;
    }
    if (hostile) html = html.replace('</head>', `<style>${HOSTILE_CSS}</style></head>`);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Records, in the page's own world, how long the page was blocked: long tasks (PerformanceObserver 'longtask')
 * and the gaps between the beats of a 5 ms interval timer (a gap is time in which no page script could run).
 * Given the names of CSS highlights (Pizhu paints `pizhu-<colour>`), each beat also counts the ranges they hold
 * and notes when that count last changed (bench/page's "painted").
 */
export async function installBlockingRecorder(page: Page, highlightNames: readonly string[] = []): Promise<void> {
  // No named functions inside: tsx wraps them in a helper the page does not have.
  await page.addInitScript((names: readonly string[]) => {
    const record: BlockingRecord = { tasks: [], gaps: [], count: 0, grewAt: 0 };
    (window as unknown as { __blocking: BlockingRecord }).__blocking = record;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) record.tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      if (now - last > 50) record.gaps.push({ start: last, duration: now - last });
      last = now;
      if (!names.length) return;
      const highlights = (CSS as unknown as { highlights?: Map<string, { size: number }> }).highlights;
      const count = names.reduce((sum, name) => sum + (highlights?.get(name)?.size ?? 0), 0);
      if (count !== record.count) {
        record.count = count;
        record.grewAt = now;
      }
    }, 5);
  }, highlightNames);
}

/** What installBlockingRecorder has recorded so far (`count` and `grewAt` stay 0 without highlight names). */
export type BlockingRecord = { tasks: Blocking[]; gaps: Blocking[]; count: number; grewAt: number };

export function blockingRecord(page: Page): Promise<BlockingRecord> {
  return page.evaluate(
    () =>
      (window as unknown as { __blocking?: BlockingRecord }).__blocking ?? { tasks: [], gaps: [], count: 0, grewAt: 0 },
  );
}

export type Blocking = { start: number; duration: number };

export async function blockingIn(
  page: Page,
  from: number,
  to: number,
): Promise<{ longTasks: Blocking[]; gaps: Blocking[] }> {
  const record = await blockingRecord(page);
  const overlaps = (b: Blocking) => b.start < to && b.start + b.duration > from;
  return { longTasks: record.tasks.filter(overlaps), gaps: record.gaps.filter(overlaps) };
}
