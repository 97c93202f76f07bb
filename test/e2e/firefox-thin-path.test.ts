/**
 * The thin path in a real Firefox (Debian's firefox-esr, Manifest V3, driven over WebDriver BiDi), with the
 * Firefox build installed as a temporary add-on: profile A highlights item 8 of the reference notice with the
 * tag 体育 through the in-page toolbar, without touching the page's DOM; it is stored in the extension's
 * IndexedDB and painted again after a reload; profile B, a second Firefox joined to the same team through the
 * real server, sees it with its tag and author, then sees A's next highlight arrive live while its page is open
 * (the team server's WebSocket, from Firefox's background page), and exports the page as a Markdown file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  createTeam,
  type FirefoxProfile,
  joinTeam,
  launchFirefoxProfile,
  openFirefoxExtensionPage,
  type RunningServer,
  startServer,
} from './harness.ts';
import { highlightRangePoint, highlightRangeTexts, readObjectStore, textDragBox } from './in-page.ts';
import { dragAcross } from './ui-support.ts';

const ITEM_8 = '8. 促进学生身心健康全面发展';
const ITEM_12 = '12. 扎实推进“双减”工作';
const BODY = '#zoom';
/** Pizhu's UI sits in the open shadow root of this element; ">>>" is Puppeteer's way into shadow roots. */
const UI = 'pizhu-ui >>>';

type StoredAnnotation = { quote: string; tags: string[]; clausePath: string[]; author: { name: string } };

async function storedAnnotations(profile: FirefoxProfile): Promise<StoredAnnotation[]> {
  const page = await openFirefoxExtensionPage(profile, 'options.html');
  const rows = await page.evaluate(readObjectStore, 'annotations');
  await page.close();
  return rows as StoredAnnotation[];
}

/** Waits until a yellow highlight contains `text`; returns how long that took. */
async function waitForHighlight(page: Page, text: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if ((await page.evaluate(highlightRangeTexts, 'pizhu-yellow')).some((t) => t.includes(text))) {
      return Date.now() - started;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`No highlight containing "${text}" within ${timeoutMs} ms`);
}

/** Waits for a finished download (Firefox writes to a .part file first) whose name ends with `suffix`. */
async function waitForDownload(profile: FirefoxProfile, suffix: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const files = readdirSync(profile.downloads);
    const done = files.find((f) => f.endsWith(suffix));
    if (done && !files.some((f) => f.endsWith('.part'))) return join(profile.downloads, done);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`No *${suffix} download within ${timeoutMs} ms: ${readdirSync(profile.downloads).join(', ')}`);
}

/** Selects `text` with the mouse, tags it in Pizhu's toolbar and saves the highlight. */
async function highlightWithTag(page: Page, text: string, tag: string): Promise<void> {
  await dragAcross(page, await page.evaluate(textDragBox, { text, occurrence: 0 }));
  await page.locator(`${UI} .pz-tags`).setTimeout(10_000).fill(tag);
  await page.keyboard.press('Enter');
  await page.locator(`${UI} .pz-primary`).setTimeout(10_000).click();
}

async function openDemo(profile: FirefoxProfile, server: RunningServer): Promise<Page> {
  const page = await profile.browser.newPage();
  await page.goto(`${server.url}/demo`);
  await page.waitForSelector('pizhu-ui', { timeout: 30_000 });
  return page;
}

describe('Firefox: highlight → store → sync → colleague → Markdown', () => {
  let server: RunningServer;
  let a: FirefoxProfile;
  let b: FirefoxProfile;

  beforeAll(async () => {
    server = await startServer();
    const team = createTeam(server.dataDir, '教育局政策研究组');
    // One after the other: two Firefox starts at once are slow on a 2-core machine.
    a = await launchFirefoxProfile('a');
    b = await launchFirefoxProfile('b');
    await joinTeam(a, server.url, team.inviteCode, '张伟');
    await joinTeam(b, server.url, team.inviteCode, '李娜');
  }, 240_000);

  // Firefox's output carries the extension's console and errors (background included): what a failure needs.
  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    for (const [name, profile] of [
      ['A', a],
      ['B', b],
    ] as const) {
      const lines = profile?.output().split('\n') ?? [];
      const extension = lines.filter((line) => /moz-extension:\/\/|pizhu/i.test(line)).slice(-40);
      console.log(`--- Firefox ${name}: the extension's last messages ---\n${extension.join('\n')}`);
    }
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });

  it('joining asked Firefox for the consent to send page content and the name to the team server', async () => {
    const page = await openFirefoxExtensionPage(a, 'options.html');
    const granted = await page.evaluate(async () => {
      type Permissions = { permissions: { getAll(): Promise<{ data_collection?: string[] }> } };
      return (await (globalThis as unknown as { browser: Permissions }).browser.permissions.getAll()).data_collection;
    });
    await page.close();
    expect(granted?.sort()).toEqual(['personallyIdentifyingInfo', 'websiteContent']);
  });

  it('A highlights item 8 with the tag 体育 without changing the page DOM, and it survives a reload', async () => {
    const page = await openDemo(a, server);
    const domBefore = await page.$eval(BODY, (body) => body.innerHTML);

    await highlightWithTag(page, ITEM_8, '体育');

    await waitForHighlight(page, '促进学生身心健康全面发展', 10_000);
    expect(await page.$eval(BODY, (body) => body.innerHTML)).toBe(domBefore);
    await page.screenshot({ path: artifactPath('firefox-thin-path-a-highlighted.png') });

    const stored = await storedAnnotations(a);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.quote).toBe(ITEM_8);
    expect(stored[0]!.tags).toEqual(['体育']);
    expect(stored[0]!.clausePath).toEqual(['二、', '8.']);
    expect(stored[0]!.author.name).toBe('张伟');

    await page.reload();
    await waitForHighlight(page, '促进学生身心健康全面发展', 15_000);
    await page.close();
  });

  let bPage: Page;

  it('B, a second Firefox in the team, sees the highlight with its tag and author, through the server', async () => {
    bPage = await openDemo(b, server);
    await waitForHighlight(bPage, '促进学生身心健康全面发展', 15_000);

    const point = await bPage.evaluate(highlightRangePoint, { name: 'pizhu-yellow', index: 0 });
    await bPage.mouse.click(point.x, point.y);
    const card = bPage.locator(`${UI} .pz-card`).setTimeout(10_000);
    await card.filter((element) => element.textContent?.includes('体育') ?? false).wait();
    const cardText = await bPage.$eval('pizhu-ui', (host) => host.shadowRoot?.querySelector('.pz-card')?.textContent);
    expect(cardText).toContain('张伟');
    await bPage.screenshot({ path: artifactPath('firefox-thin-path-b-card.png') });
    await bPage.keyboard.press('Escape');
  });

  it("B's open page receives A's next highlight live, without a reload", async () => {
    const page = await openDemo(a, server);
    await waitForHighlight(page, '促进学生身心健康全面发展', 15_000);
    // Presence travels only over the realtime connections (A's socket → server → B's socket), never with the
    // periodic catch-up: B seeing A on the page proves both Firefox backgrounds hold a live socket.
    await bPage
      .locator(`${UI} [data-testid="presence"]`)
      .setTimeout(15_000)
      .filter((element) => element.getAttribute('aria-label')?.includes('张伟') ?? false)
      .wait();
    await highlightWithTag(page, ITEM_12, '双减');
    await waitForHighlight(page, '扎实推进“双减”工作', 10_000);
    const elapsed = await waitForHighlight(bPage, '扎实推进“双减”工作', 15_000);
    console.log(`[firefox] A's second highlight reached B's open page ${elapsed} ms after A's was painted`);
    await Promise.all([page.close(), bPage.close()]);
  });

  it('B exports the page as a Markdown file naming the title, clause 8., quotes, tag and A', async () => {
    const panel = await openFirefoxExtensionPage(b, `sidepanel.html?url=${encodeURIComponent(`${server.url}/demo`)}`);
    await panel.waitForSelector('[data-annotation-id]', { timeout: 15_000 });
    await panel.locator('[data-export="md"]').click();
    const file = await waitForDownload(b, '.md', 15_000);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toContain('市委教育工委 市教育局关于印发2023年工作要点的通知');
    expect(markdown).toContain('8.');
    expect(markdown).toContain('促进学生身心健康全面发展');
    expect(markdown).toContain('体育');
    expect(markdown).toContain('张伟');
    expect(markdown).toContain('扎实推进“双减”工作');
    await panel.screenshot({ path: artifactPath('firefox-thin-path-b-panel.png') });
    await panel.close();
  });
});
