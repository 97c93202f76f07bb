/**
 * Hard pages from the corpus: the body built by script after load, the body inside an iframe, and the long
 * page (about 105,000 characters) with 1,000 highlights painted in slices. Also: an English notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchProfile, type Profile } from './harness.ts';
import {
  askBackground,
  dragSelectIn,
  highlightPoint,
  highlightTextsIn,
  openWithPizhu,
  setPreferences,
  storedRows,
  waitForPainted,
} from './ui-support.ts';
import {
  blockingIn,
  installBlockingRecorder,
  longPageAnnotations,
  PAGES,
  startStaticServer,
  type StaticServer,
} from '../browser.ts';

type Row = { quote: string; clausePath: string[]; tags: string[] };

describe('hard pages', () => {
  let server: StaticServer;
  let profile: Profile;

  beforeAll(async () => {
    server = await startStaticServer();
    profile = await launchProfile('ui-hard');
    await setPreferences(profile, { language: 'zh_CN' });
  });

  afterAll(async () => {
    await profile?.close();
    await server?.close();
  });

  it('the body built by script 300 ms after load: highlight, reload, painted again once the body exists', async () => {
    const url = `${server.url}/${PAGES.scriptBuilt}`;
    const page = await openWithPizhu(profile, url);
    await page.waitForSelector('#UCAP-CONTENT');
    await dragSelectIn(page, page.mainFrame(), '确保粮食市场供应');
    await page.locator('pizhu-ui .pz-toolbar').waitFor();
    expect(await page.locator('pizhu-ui [data-testid="selection-clause"]').textContent()).toBe('11.1');
    await page.locator('pizhu-ui .pz-toolbar .pz-tags').fill('粮食安全');
    await page.locator('pizhu-ui .pz-toolbar .pz-tags').press('Enter');
    await page.locator('pizhu-ui .pz-toolbar .pz-primary').click();
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-yellow']))['pizhu-yellow'])
      .toEqual(['确保粮食市场供应']);

    await page.reload();
    await page.waitForSelector('pizhu-ui', { state: 'attached' });
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-yellow']))['pizhu-yellow'], { timeout: 10_000 })
      .toEqual(['确保粮食市场供应']);
    const row = (await storedRows<Row>(profile, 'annotations')).find((r) => r.quote === '确保粮食市场供应')!;
    expect(row.clausePath).toEqual(['1', '1.1']);
    await page.screenshot({ path: artifactPath('ui-hard-script-built.png') });
    await page.close();
  });

  it('the body inside an <iframe srcdoc>: select in the frame, toolbar in the top page, highlight in the frame, card on click', async () => {
    const url = `${server.url}/${PAGES.iframe}`;
    const page = await openWithPizhu(profile, url);
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    await frame.waitForSelector('#UCAP-CONTENT');
    await dragSelectIn(page, frame, '坚持需求引领');
    const toolbar = page.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    expect(await page.locator('pizhu-ui [data-testid="selection-clause"]').textContent()).toBe('一、（三）2.');
    // The toolbar sits under the selection, in the top page's coordinates.
    const frameBox = (await (await frame.frameElement()).boundingBox())!;
    const toolbarBox = (await toolbar.boundingBox())!;
    expect(toolbarBox.y).toBeGreaterThan(frameBox.y);
    await page.locator('pizhu-ui .pz-swatch[data-color="pink"]').click();
    await page.locator('pizhu-ui .pz-toolbar .pz-primary').click();
    await expect
      .poll(async () => (await highlightTextsIn(frame, ['pizhu-pink']))['pizhu-pink'])
      .toEqual(['坚持需求引领']);

    const point = await highlightPoint(page, frame, 'pizhu-pink');
    await page.mouse.click(point.x, point.y);
    await page.locator('pizhu-ui .pz-card').waitFor();
    expect(await page.locator('pizhu-ui .pz-card .pz-clause').textContent()).toBe('一、（三）2.');
    await page.screenshot({ path: artifactPath('ui-hard-iframe.png') });
    await page.close();
  });

  it('an English notice: the clause path of a selection in (a)', async () => {
    const page = await openWithPizhu(profile, `${server.url}/${PAGES.english}`);
    await waitForPainted(page, 0);
    await dragSelectIn(page, page.mainFrame(), 'all navigable waters of the San Francisco Bay');
    await page.locator('pizhu-ui .pz-toolbar').waitFor();
    expect(await page.locator('pizhu-ui [data-testid="selection-clause"]').textContent()).toMatch(/\(a\)$/);
    await page.close();
  });

  it('the long page: 1,000 highlights are painted in many slices, never all at once', async () => {
    const url = `${server.url}/${PAGES.long}`;
    const requests = longPageAnnotations(url, 1_000);
    expect(requests).toHaveLength(1_000);
    const answers = await askBackground(profile, requests);
    expect(answers.filter((a) => !a.ok)).toEqual([]);

    // Paint statistics are kept only with the debug preference, and read through page.report.
    await setPreferences(profile, { debug: true });
    const page = await profile.context.newPage();
    await installBlockingRecorder(page);
    await page.goto(url);
    await page.waitForSelector('pizhu-ui', { state: 'attached' });
    const report = await waitForPainted(page, 950, 60_000);
    const painted = report.order.length;
    const orphans = Object.values(report.anchors).filter((s) => s === 'orphan' || s === 'ambiguous').length;
    const runs = report.paint!;
    const main = runs.reduce((best, run) => (run.annotations > best.annotations ? run : best));
    const blocking = await blockingIn(page, main.startedAt, main.endedAt);
    const longestTask = Math.max(0, ...blocking.longTasks.map((task) => task.duration));
    const longestGap = Math.max(0, ...blocking.gaps.map((gap) => gap.duration));
    const ms = (value: number) => value.toFixed(0);
    console.log(
      `[long page] ${painted} highlights painted (+${orphans} not found). ` +
        `Run of ${main.annotations}: ${main.slices} slices over ${ms(main.endedAt - main.startedAt)} ms; ` +
        `index read ${ms(main.indexMs)} ms, longest slice ${ms(main.longestSliceMs)} ms. ` +
        `Page-side during that run: longest long task ${ms(longestTask)} ms, longest 5 ms-timer gap ${ms(longestGap)} ms.`,
    );
    await setPreferences(profile, { debug: false });
    const slices = main.slices;
    expect(painted).toBeGreaterThanOrEqual(950);
    expect(slices).toBeGreaterThan(1);
    // Nothing about the painting is left where the page could read it.
    expect(await page.evaluate(() => Object.keys((document.querySelector('pizhu-ui') as HTMLElement).dataset))).toEqual(
      [],
    );
    // Every highlight is in one of the colour highlights of the page.
    const counts = await page.evaluate(() =>
      ['yellow', 'green', 'blue', 'pink', 'purple'].reduce(
        (sum, color) =>
          sum +
          ((CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights.get(`pizhu-${color}`)?.size ?? 0),
        0,
      ),
    );
    expect(counts).toBe(painted);
    await page.screenshot({ path: artifactPath('ui-hard-long-page.png') });
    await page.close();
  });
});
