/**
 * A notice republished with edits: the highlight made on the first version is found again on the second, and the
 * side panel says the text changed since it was annotated (the content hash the page reports on every visit).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, extensionPage, launchProfile, type Profile, ROOT } from './harness.ts';
import { dragSelectIn, highlightTextsIn, openWithPizhu } from './ui-support.ts';

const V1 = readFileSync(join(ROOT, 'test/fixtures/corpus/pages/01-suizhou-edu-2023.html'));
const V2 = readFileSync(join(ROOT, 'test/fixtures/corpus/edits/01-suizhou-edu-2023.v2.html'));
const QUOTE = '广泛开展学生阅读活动';
const COLORS = ['yellow', 'green', 'blue', 'pink', 'purple'].map((c) => `pizhu-${c}`);

describe('a republished notice', () => {
  let profile: Profile;
  let server: Server;
  let url: string;
  let version: Buffer = V1;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(version);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/notice.shtml`;
    profile = await launchProfile('changed');
  });

  afterAll(async () => {
    await profile?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  async function panelSays(): Promise<{ changed: boolean; items: number }> {
    const panel = await profile.context.newPage();
    await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(url)}`);
    await panel.waitForSelector('[data-annotation-id]');
    const changed = (await panel.locator('[data-testid="document-changed"]').count()) > 0;
    const items = await panel.locator('[data-annotation-id]').count();
    await panel.screenshot({ path: artifactPath(`document-changed-${changed ? 'v2' : 'v1'}.png`) });
    await panel.close();
    return { changed, items };
  }

  it('is flagged as changed, and the highlight is still on the same words', async () => {
    const page = await openWithPizhu(profile, url);
    await dragSelectIn(page, page.mainFrame(), QUOTE);
    await page.locator('pizhu-ui .pz-primary').click();
    await expect
      .poll(async () => Object.values(await highlightTextsIn(page, COLORS)).flat(), { timeout: 10_000 })
      .toContain(QUOTE);
    expect(await panelSays()).toEqual({ changed: false, items: 1 });

    version = V2;
    await page.reload();
    await page.waitForSelector('pizhu-ui', { state: 'attached' });
    await expect
      .poll(async () => Object.values(await highlightTextsIn(page, COLORS)).flat(), { timeout: 10_000 })
      .toContain(QUOTE);
    await expect.poll(async () => (await panelSays()).changed, { timeout: 10_000 }).toBe(true);

    version = V1;
    await page.reload();
    await page.waitForSelector('pizhu-ui', { state: 'attached' });
    await expect.poll(async () => (await panelSays()).changed, { timeout: 10_000 }).toBe(false);
    await page.close();
  });
});
