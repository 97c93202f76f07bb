/**
 * The thin end-to-end path, every layer once and nothing mocked: profile A highlights item 8 of the reference
 * notice with the tag 体育 through the in-page toolbar; the highlight is painted with the CSS Custom Highlight
 * API without touching the page's DOM, stored in IndexedDB and still there after a reload; profile B of the
 * same team sees it within 2 seconds through the server, and exports the page's annotations as Markdown.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  createTeam,
  extensionPage,
  highlightTexts,
  joinTeam,
  launchProfile,
  type Profile,
  type RunningServer,
  startServer,
} from './harness.ts';
import { dragSelectIn, highlightPoint } from './ui-support.ts';

const ITEM_8 = '8. 促进学生身心健康全面发展';
const BODY = '#zoom';

/** Reads the annotations Dexie stored in the extension's IndexedDB, from an extension page. */
async function storedAnnotations(profile: Profile): Promise<{ quote: string; tags: string[]; clausePath: string[] }[]> {
  const page = await profile.context.newPage();
  await page.goto(extensionPage(profile, 'options.html'));
  const rows = await page.evaluate(
    () =>
      new Promise<{ quote: string; tags: string[]; clausePath: string[] }[]>((done, fail) => {
        const open = indexedDB.open('pizhu');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('annotations').objectStore('annotations').getAll();
          request.onsuccess = () => done(request.result);
          request.onerror = () => fail(request.error);
        };
      }),
  );
  await page.close();
  return rows;
}

async function waitForHighlight(page: Page, text: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if ((await highlightTexts(page, 'pizhu-yellow')).some((t) => t.includes(text))) return Date.now() - started;
    await page.waitForTimeout(50);
  }
  throw new Error(`No highlight containing "${text}" within ${timeoutMs} ms`);
}

describe('thin path: highlight → store → sync → colleague → Markdown', () => {
  let server: RunningServer;
  let team: { teamId: string; inviteCode: string };
  let a: Profile;
  let b: Profile;

  beforeAll(async () => {
    server = await startServer();
    team = createTeam(server.dataDir, '教育局政策研究组');
    [a, b] = await Promise.all([launchProfile('a'), launchProfile('b')]);
    await joinTeam(a, server.url, team.inviteCode, '张伟');
    await joinTeam(b, server.url, team.inviteCode, '李娜');
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });

  it('A highlights item 8 with the tag 体育 without changing the page DOM, and it survives a reload', async () => {
    const page = await a.context.newPage();
    await page.goto(`${server.url}/demo`);
    await page.waitForSelector('pizhu-ui', { state: 'attached' });
    const domBefore = await page.locator(BODY).innerHTML();

    await dragSelectIn(page, page.mainFrame(), ITEM_8);
    const tags = page.locator('pizhu-ui .pz-tags');
    await tags.waitFor();
    await tags.fill('体育');
    await tags.press('Enter');
    await page.locator('pizhu-ui .pz-primary').click();

    await waitForHighlight(page, '促进学生身心健康全面发展', 5_000);
    expect(await page.locator(BODY).innerHTML()).toBe(domBefore);
    await page.screenshot({ path: artifactPath('thin-path-a-highlighted.png') });

    const stored = await storedAnnotations(a);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.quote).toBe(ITEM_8);
    expect(stored[0]!.tags).toEqual(['体育']);
    expect(stored[0]!.clausePath).toEqual(['二、', '8.']);

    await page.reload();
    await waitForHighlight(page, '促进学生身心健康全面发展', 10_000);
    await page.close();
  });

  it('B sees the highlight and its tag within 2 seconds, delivered through the server', async () => {
    const page = await b.context.newPage();
    await page.goto(`${server.url}/demo`);
    const elapsed = await waitForHighlight(page, '促进学生身心健康全面发展', 2_000);
    expect(elapsed).toBeLessThan(2_000);

    // Click the highlight: its card shows the tag and A's name.
    const box = await highlightPoint(page, page.mainFrame(), 'pizhu-yellow');
    await page.mouse.click(box.x, box.y);
    const card = page.locator('pizhu-ui .pz-card');
    await expect.poll(() => card.textContent(), { timeout: 5_000 }).toContain('体育');
    expect(await card.textContent()).toContain('张伟');
    await page.screenshot({ path: artifactPath('thin-path-b-card.png') });
    await page.close();
  });

  it('B exports the page as Markdown naming the title, clause 8., quote, tag and A', async () => {
    const panel = await b.context.newPage();
    await panel.goto(`${extensionPage(b, 'sidepanel.html')}?url=${encodeURIComponent(`${server.url}/demo`)}`);
    await panel.waitForSelector('[data-annotation-id]');
    const [download] = await Promise.all([panel.waitForEvent('download'), panel.click('[data-export="md"]')]);
    const file = await download.path();
    const markdown = readFileSync(file!, 'utf8');
    expect(markdown).toContain('市委教育工委 市教育局关于印发2023年工作要点的通知');
    expect(markdown).toContain('8.');
    expect(markdown).toContain('促进学生身心健康全面发展');
    expect(markdown).toContain('体育');
    expect(markdown).toContain('张伟');
    await panel.screenshot({ path: artifactPath('thin-path-b-panel.png') });
  });
});
