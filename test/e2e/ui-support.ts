/**
 * Helpers for the UI end-to-end tests: a static loopback server for the corpus pages (loopback is granted at
 * install, so the content script runs there without a permission prompt), and page helpers that reach into the
 * page's frames and Pizhu's shadow root.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Frame, Page, Worker } from 'playwright-core';
import type { PageReport } from '../../extension/lib/messages.ts';
import { COLORS } from '../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import { ROOT, type Profile } from './harness.ts';
import { highlightRangePoint, readObjectStore, textDragBox } from './in-page.ts';

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

/** Opens a page and waits until Pizhu's UI is mounted and the first paint finished. */
export async function openWithPizhu(profile: Profile, url: string): Promise<Page> {
  const page = await profile.context.newPage();
  await page.goto(url);
  await page.waitForSelector('pizhu-ui', { state: 'attached', timeout: 15_000 });
  return page;
}

/**
 * Waits until the page's content script has the background's annotations, has anchored every one of them and
 * paints at least `count` (asked through `page.report`, as the side panel asks: the page cannot read it).
 */
export async function waitForPainted(page: Page, count: number, timeoutMs = 15_000): Promise<PageReport> {
  const deadline = Date.now() + timeoutMs;
  let last: PageReport | null = null;
  for (;;) {
    const worker = page
      .context()
      .serviceWorkers()
      .find((w) => w.url().startsWith('chrome-extension://'));
    last = worker
      ? ((await tellTab(worker, page.url(), { type: 'page.report' }).catch(() => null)) as PageReport)
      : null;
    if (last?.ready && last.order.length >= count) return last;
    if (Date.now() > deadline) {
      throw new Error(`The page did not paint ${count} highlights within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every range of the named CSS highlights in a frame, as text. */
export async function highlightTextsIn(frame: Frame | Page, names: string[]): Promise<Record<string, string[]>> {
  return frame.evaluate((names) => {
    const registry = (CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights;
    return Object.fromEntries(names.map((name) => [name, [...(registry.get(name) ?? [])].map((r) => r.toString())]));
  }, names);
}

/** Selects `text` in a frame (first occurrence in one text node) by dragging the mouse, as a user would. */
export async function dragSelectIn(page: Page, frame: Frame, text: string, occurrence = 0): Promise<void> {
  const box = await frame.evaluate(textDragBox, { text, occurrence });
  await dragAcross(page, box, await frameOffset(frame));
}

/** The mouse of a page, in Playwright (Chromium) and Puppeteer (Firefox) alike. */
export type MouseDriver = {
  mouse: {
    move(x: number, y: number, options?: { steps?: number }): Promise<void>;
    down(): Promise<void>;
    up(): Promise<void>;
  };
};

/** Drags the mouse from (x1, y1) to (x2, y2) of the viewport in small steps, as a hand does. */
export async function dragAcross(
  page: MouseDriver,
  box: { x1: number; y1: number; x2: number; y2: number },
  offset = { x: 0, y: 0 },
): Promise<void> {
  await page.mouse.move(box.x1 + offset.x, box.y1 + offset.y);
  await page.mouse.down();
  await page.mouse.move((box.x1 + box.x2) / 2 + offset.x, box.y2 + offset.y, { steps: 5 });
  await page.mouse.move(box.x2 + offset.x, box.y2 + offset.y, { steps: 5 });
  await page.mouse.up();
}

/** Where a frame's viewport sits in the top page's viewport. */
export async function frameOffset(frame: Frame): Promise<{ x: number; y: number }> {
  const element = await frame.frameElement().catch(() => null);
  if (!element) return { x: 0, y: 0 };
  const box = await element.boundingBox();
  const border = await element.evaluate((el) => ({ x: (el as Element).clientLeft, y: (el as Element).clientTop }));
  return { x: (box?.x ?? 0) + border.x, y: (box?.y ?? 0) + border.y };
}

/** The centre of the first rectangle of the first range of a named highlight, in top-page coordinates. */
export async function highlightPoint(
  _page: Page,
  frame: Frame,
  name: string,
  index = 0,
): Promise<{ x: number; y: number }> {
  const point = await frame.evaluate(highlightRangePoint, { name, index });
  const offset = await frameOffset(frame);
  return { x: point.x + offset.x, y: point.y + offset.y };
}

/** The page's own markup: the body's HTML without Pizhu's UI host (which is all Pizhu adds to a page). */
export async function pageMarkup(frame: Frame | Page): Promise<string> {
  return frame.evaluate(() => {
    const clone = document.body.cloneNode(true) as HTMLElement;
    for (const host of clone.querySelectorAll('pizhu-ui')) host.remove();
    return clone.innerHTML;
  });
}

/** Rows of the extension's IndexedDB, read from an extension page. */
export async function storedRows<T>(profile: Profile, store: string): Promise<T[]> {
  const page = await profile.context.newPage();
  await page.goto(`chrome-extension://${profile.extensionId}/options.html`);
  const rows = await page.evaluate(readObjectStore, store);
  await page.close();
  return rows as T[];
}

/** Sends a message to a tab's content script from the background, as the extension's own parts do. */
export async function tellTab(worker: Worker, pageUrl: string, message: unknown): Promise<unknown> {
  return worker.evaluate(
    async ({ pageUrl, message }) => {
      type Chrome = {
        tabs: {
          query(q: object): Promise<{ id: number; url?: string }[]>;
          sendMessage(id: number, m: unknown): Promise<unknown>;
        };
      };
      const api = (globalThis as unknown as { chrome: Chrome }).chrome;
      const tabs = await api.tabs.query({});
      const tab = tabs.find((t) => t.url?.split('#')[0] === pageUrl.split('#')[0]);
      if (!tab) throw new Error(`no tab for ${pageUrl}`);
      return api.tabs.sendMessage(tab.id, message);
    },
    { pageUrl, message },
  );
}

/** The id of the tab showing a URL. */
export async function tabIdOf(worker: Worker, pageUrl: string): Promise<number> {
  return worker.evaluate(async (pageUrl) => {
    type Chrome = { tabs: { query(q: object): Promise<{ id: number; url?: string }[]> } };
    const api = (globalThis as unknown as { chrome: Chrome }).chrome;
    const tab = (await api.tabs.query({})).find((t) => t.url?.split('#')[0] === pageUrl.split('#')[0]);
    if (!tab) throw new Error(`no tab for ${pageUrl}`);
    return tab.id;
  }, pageUrl);
}

/** Sends requests to the background from an extension page, as the side panel or options do; returns the answers. */
export async function askBackground(
  profile: Profile,
  requests: unknown[],
): Promise<{ ok: boolean; value?: unknown; error?: unknown }[]> {
  const page = await profile.context.newPage();
  await page.goto(`chrome-extension://${profile.extensionId}/options.html`);
  const answers = await page.evaluate(async (requests) => {
    type Chrome = { runtime: { sendMessage(m: unknown): Promise<{ ok: boolean; value?: unknown; error?: unknown }> } };
    const api = (globalThis as unknown as { chrome: Chrome }).chrome;
    const out = [];
    for (const request of requests) out.push(await api.runtime.sendMessage(request));
    return out;
  }, requests);
  await page.close();
  return answers;
}

/** Sets preferences through the background (language, defaults, disabled sites). */
export async function setPreferences(profile: Profile, patch: Record<string, unknown>): Promise<void> {
  const [answer] = await askBackground(profile, [{ type: 'settings.update', patch }]);
  if (!answer?.ok) throw new Error(`settings.update failed: ${JSON.stringify(answer?.error)}`);
}

/**
 * Records, in the page's own world, how long the page was blocked: long tasks (PerformanceObserver 'longtask')
 * and the gaps between the beats of a 5 ms interval timer (a gap is time in which no page script could run).
 */
export async function installBlockingRecorder(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record = {
      tasks: [] as { start: number; duration: number }[],
      gaps: [] as { start: number; duration: number }[],
    };
    (window as unknown as { __blocking: typeof record }).__blocking = record;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) record.tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      if (now - last > 50) record.gaps.push({ start: last, duration: now - last });
      last = now;
    }, 5);
  });
}

export type Blocking = { start: number; duration: number };

export async function blockingIn(
  page: Page,
  from: number,
  to: number,
): Promise<{ longTasks: Blocking[]; gaps: Blocking[] }> {
  const record = await page.evaluate(
    () =>
      (window as unknown as { __blocking?: { tasks: Blocking[]; gaps: Blocking[] } }).__blocking ?? {
        tasks: [],
        gaps: [],
      },
  );
  const overlaps = (b: Blocking) => b.start < to && b.start + b.duration > from;
  return { longTasks: record.tasks.filter(overlaps), gaps: record.gaps.filter(overlaps) };
}
