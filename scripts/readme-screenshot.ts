/**
 * Makes docs/screenshot.png for the README: the reference notice with two colleagues' highlights (one card
 * open) beside the side panel. Needs the built extension (`npx wxt build`). Run: `npx tsx scripts/readme-screenshot.ts`.
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createTeam, extensionPage, joinTeam, launchProfile, ROOT, startServer } from '../test/e2e/harness.ts';
import { dragSelectIn, highlightPoint, openWithPizhu, setPreferences } from '../test/e2e/ui-support.ts';
import { chromiumPath, PAGES, startStaticServer } from '../test/browser.ts';

const server = await startServer();
const pages = await startStaticServer();
const team = createTeam(server.dataDir, '教育局政策研究组');
const [a, b] = await Promise.all([launchProfile('shot-a'), launchProfile('shot-b')]);
try {
  await joinTeam(a, server.url, team.inviteCode, '张伟');
  await joinTeam(b, server.url, team.inviteCode, '李娜');
  await Promise.all([setPreferences(a, { language: 'zh_CN' }), setPreferences(b, { language: 'zh_CN' })]);
  const url = `${pages.url}/${PAGES.reference}`;

  async function highlight(
    page: Awaited<ReturnType<typeof openWithPizhu>>,
    text: string,
    color: string,
    tags: string[],
    note: string,
  ) {
    await dragSelectIn(page, page.mainFrame(), text);
    const toolbar = page.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    await toolbar.locator(`.pz-swatch[data-color="${color}"]`).click();
    for (const tag of tags) {
      await toolbar.locator('.pz-tags').fill(tag);
      await toolbar.locator('.pz-tags').press('Enter');
    }
    if (note) await toolbar.locator('.pz-note').fill(note);
    await toolbar.locator('.pz-primary').click();
    await toolbar.waitFor({ state: 'detached' });
  }

  const pageB = await openWithPizhu(b, url);
  await highlight(pageB, '广泛开展学生阅读活动,深化书香校园建设', 'green', ['阅读'], '建议与图书馆联动');
  const pageA = await openWithPizhu(a, url);
  await highlight(pageA, '8. 促进学生身心健康全面发展', 'yellow', ['体育', '健康'], '纳入下季度督查，重点看体质监测');
  await highlight(pageA, '做好学生传染病监测、评估、处置工作', 'pink', ['疫情防控'], '');
  await pageA.waitForTimeout(1_500);
  const point = await highlightPoint(pageA, pageA.mainFrame(), 'pizhu-yellow');
  await pageA.mouse.click(point.x, point.y);
  await pageA.locator('pizhu-ui .pz-card').waitFor();
  await pageA.waitForTimeout(500);
  const pageShot = await pageA.screenshot();

  const panel = await a.context.newPage();
  await panel.setViewportSize({ width: 400, height: 900 });
  await panel.goto(`${extensionPage(a, 'sidepanel.html')}?url=${encodeURIComponent(url)}`);
  await panel.locator('[data-annotation-id]').first().waitFor();
  await panel.waitForTimeout(1_000);
  const panelShot = await panel.screenshot();

  // Side by side, as the browser shows them.
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  const canvas = await browser.newPage({ viewport: { width: 1280 + 400 + 1, height: 900 } });
  await canvas.setContent(
    `<body style="margin:0;display:flex;background:#d0d7de;gap:1px">` +
      `<img src="data:image/png;base64,${pageShot.toString('base64')}">` +
      `<img src="data:image/png;base64,${panelShot.toString('base64')}"></body>`,
  );
  await canvas.screenshot({ path: join(ROOT, 'docs/screenshot.png') });
  await browser.close();
  console.log('Wrote docs/screenshot.png');
} finally {
  await Promise.all([a.close(), b.close()]);
  await pages.close();
  await server.stop();
}
