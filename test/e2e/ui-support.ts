/**
 * Helpers for the UI end-to-end tests: page helpers that reach into the page's frames and Pizhu's shadow root.
 * The corpus pages' server and the blocking recorder are in test/browser.ts (the benchmarks use them too).
 */
import type { Frame, Page, Worker } from 'playwright-core';
import type { PageReport } from '../../extension/lib/messages.ts';
import type { Profile } from './harness.ts';
import { highlightRangePoint, readObjectStore, textDragBox } from './in-page.ts';

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
