/**
 * Page benchmark (`npm run bench:page`; not a test): what a reader of the longest corpus page (07, about 105,000
 * characters) feels when it carries 1,000 highlights. The built Chrome extension runs in headless Chromium, the
 * page is opened as a user opens it, and everything is measured from the page's own world, so the figures do
 * not depend on how the content script is built inside:
 * - painted: when the last of the highlights appeared in the page's CSS highlight registry (ms after navigation);
 * - longest task: the longest long task (PerformanceObserver 'longtask') from DOMContentLoaded until painted,
 *   i.e. the longest moment the page could not react, with the content script's work in it (the page's own
 *   HTML parse before DOMContentLoaded is left out: it is the same with or without Pizhu);
 * - longest gap: the longest pause between the beats of a 5 ms timer in that window (what a page script feels);
 * - blocking: total blocking time (the part of each long task over 50 ms) in that window.
 * A first run finds how many highlights the page settles on; the timed runs wait for that many.
 *
 * The same page without any extension runs beside it (interleaved), so what the page costs by itself shows.
 *
 *   npm run bench:page                                   # 7 timed runs on .output/chrome-mv3
 *   npm run bench:page -- --runs 5 --build /tmp/chrome-mv3-before,.output/chrome-mv3   # two builds side by side
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { median } from '../stats.ts';
import { COLORS } from '../../shared/model/annotation.ts';
import {
  type BlockingRecord,
  blockingRecord,
  CHROME_BUILD,
  chromiumPath,
  HEADLESS_CHROMIUM_ARGS,
  installBlockingRecorder,
  longPageAnnotations,
  PAGES,
  startStaticServer,
} from '../../test/browser.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const RUNS = Number(args.get('runs') ?? 7);
const COUNT = Number(args.get('annotations') ?? 1_000);
/** Builds to compare side by side (`--build a,b`), each in its own profile. */
const BUILDS = (args.get('build') ?? CHROME_BUILD).split(',').map((build) => resolve(build));

type Run = { painted: number; longestTask: number; longestGap: number; blocking: number; count: number };

/** Pizhu's CSS highlights, one per colour: what the recorder counts. */
const HIGHLIGHTS = COLORS.map((color) => `pizhu-${color}`);

type Recorded = BlockingRecord & { domContentLoaded: number; now: number };

async function recorded(page: Page): Promise<Recorded> {
  const record = await blockingRecord(page);
  const timing = await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return { domContentLoaded: navigation?.domContentLoadedEventEnd ?? 0, now: performance.now() };
  });
  return { ...record, ...timing };
}

/**
 * Opens the page and waits until it shows `target` highlights; without a target, until the count has not moved
 * for 4 s (`quietMs`), the window then ending there.
 */
async function openOnce(context: BrowserContext, url: string, target: number | null): Promise<Run> {
  const page = await context.newPage();
  await installBlockingRecorder(page, HIGHLIGHTS);
  await page.goto(url);
  const deadline = Date.now() + 60_000;
  let stableSince = Date.now();
  let lastCount = -1;
  for (;;) {
    const { count } = await recorded(page);
    if (target !== null && count >= target) break;
    if (count !== lastCount) {
      lastCount = count;
      stableSince = Date.now();
    } else if (target === null && Date.now() - stableSince > 4_000) break;
    if (Date.now() > deadline) throw new Error(`only ${count} highlights after 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const record = await recorded(page);
  await page.close();
  const from = record.domContentLoaded;
  const to = target === null && record.count === 0 ? record.now : record.grewAt;
  const inWindow = (b: { start: number; duration: number }) => b.start < to && b.start + b.duration > from;
  const tasks = record.tasks.filter(inWindow);
  return {
    painted: to,
    longestTask: Math.max(0, ...tasks.map((t) => t.duration)),
    longestGap: Math.max(0, ...record.gaps.filter(inWindow).map((g) => g.duration)),
    blocking: tasks.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0),
    count: record.count,
  };
}

type Variant = { name: string; context: BrowserContext; dir: string; target: number | null; runs: Run[] };

async function launch(build: string | null): Promise<{ context: BrowserContext; dir: string; worker?: Worker }> {
  const dir = mkdtempSync(join(tmpdir(), 'pizhu-bench-page-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    headless: true,
    locale: 'zh-CN',
    viewport: { width: 1280, height: 900 },
    args: build
      ? [...HEADLESS_CHROMIUM_ARGS, `--disable-extensions-except=${build}`, `--load-extension=${build}`]
      : [...HEADLESS_CHROMIUM_ARGS, '--disable-extensions'],
  });
  if (!build) return { context, dir };
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  await waitForContentScript(worker);
  return { context, dir, worker };
}

const describeRun = (run: Run) =>
  `painted at ${run.painted.toFixed(0)} ms, longest task ${run.longestTask.toFixed(0)} ms, ` +
  `longest gap ${run.longestGap.toFixed(0)} ms, blocking ${run.blocking.toFixed(0)} ms`;

async function main(): Promise<void> {
  const server = await startStaticServer();
  const url = `${server.url}/${PAGES.long}`;
  const variants: Variant[] = [];
  try {
    const alone = await launch(null);
    variants.push({ name: 'the page alone (no extension)', ...alone, target: null, runs: [] });
    for (const build of BUILDS) {
      const { context, dir, worker } = await launch(build);
      await createAnnotations(context, new URL(worker!.url()).host, url);
      const settled = await openOnce(context, url, null);
      console.log(`${build}: warm-up, the page settles on ${settled.count} highlights`);
      variants.push({ name: build, context, dir, target: settled.count, runs: [] });
    }
    console.log(`Pizhu page benchmark: ${PAGES.long}, ${COUNT} highlights; ${RUNS} runs each, interleaved`);
    for (let i = 0; i < RUNS; i++) {
      // rotate the order, so no variant always runs right after the same one
      for (let j = 0; j < variants.length; j++) {
        const variant = variants[(i + j) % variants.length]!;
        const run = await openOnce(variant.context, url, variant.target);
        variant.runs.push(run);
        console.log(`run ${i + 1}, ${variant.name}: ${describeRun(run)}`);
      }
    }
    console.log(`\nmedian (max) of ${RUNS} runs, from DOMContentLoaded until every highlight is painted:`);
    for (const { name, runs, target } of variants) {
      const fig = (key: keyof Run) =>
        `${median(runs.map((r) => r[key])).toFixed(0)} (${Math.max(...runs.map((r) => r[key])).toFixed(0)}) ms`;
      console.log(
        `- ${name}: ${target === null ? 'window ends 4 s after the page settled' : `${target} painted ${fig('painted')} after navigation`}; ` +
          `longest task ${fig('longestTask')}; longest 5 ms-timer gap ${fig('longestGap')}; total blocking ${fig('blocking')}`,
      );
    }
  } finally {
    for (const variant of variants) {
      await variant.context.close();
      rmSync(variant.dir, { recursive: true, force: true });
    }
    await server.close();
  }
}

/** The background registers the content script when it starts; a page opened before would go without. */
async function waitForContentScript(worker: Worker): Promise<void> {
  for (let tries = 0; tries < 150; tries++) {
    const registered = await worker.evaluate(async () => {
      type Scripting = { scripting: { getRegisteredContentScripts(): Promise<unknown[]> } };
      return (await (globalThis as unknown as { chrome: Scripting }).chrome.scripting.getRegisteredContentScripts())
        .length;
    });
    if (registered) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the extension did not register its content script');
}

/** The 1,000 annotations: the opening words of the page's clauses, as the e2e test of the long page uses. */
async function createAnnotations(context: BrowserContext, extensionId: string, url: string): Promise<void> {
  const requests = longPageAnnotations(url, COUNT);
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  const failed = await page.evaluate(async (requests) => {
    type Chrome = { runtime: { sendMessage(m: unknown): Promise<{ ok: boolean; error?: string }> } };
    const api = (globalThis as unknown as { chrome: Chrome }).chrome;
    const errors: string[] = [];
    for (const request of requests) {
      const answer = await api.runtime.sendMessage(request);
      if (!answer.ok) errors.push(answer.error ?? '?');
    }
    return errors;
  }, requests);
  await page.close();
  if (failed.length) throw new Error(`could not create the annotations: ${failed.slice(0, 3).join('; ')}`);
}

await main();
