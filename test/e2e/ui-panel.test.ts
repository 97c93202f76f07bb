/**
 * The side panel on real pages, one profile (no team): this page's annotations in document order under their
 * clause labels, filters and search, click to scroll to a highlight and flash it, orphans re-attached to a new
 * selection; the team library (documents, tags, clauses by tag across documents, rename and merge); empty states.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import { artifactPath, extensionPage, launchProfile, type Profile } from './harness.ts';
import {
  askBackground,
  dragSelectIn,
  highlightTextsIn,
  openWithPizhu,
  setPreferences,
  storedRows,
  waitForPainted,
} from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

type Row = { id: string; quote: string; tags: string[]; deleted: boolean };

function create(url: string, title: string, exact: string, tags: string[], color = 'yellow', note = '') {
  const document = { key: documentKeyFor(url), canonicalUrl: canonicalUrl(url), url, title };
  return {
    type: 'annotation.create',
    annotation: {
      documentKey: document.key,
      selectors: [{ type: 'TextQuoteSelector', exact }],
      clausePath: [],
      quote: exact,
      tags,
      color,
      note,
    },
    document,
  };
}

describe('side panel', () => {
  let server: StaticServer;
  let profile: Profile;
  let page: Page;
  let panel: Page;
  let url: string;

  beforeAll(async () => {
    server = await startStaticServer();
    profile = await launchProfile('ui-panel');
    await setPreferences(profile, { language: 'zh_CN' });
    url = `${server.url}/${PAGES.reference}`;
    const other = `${server.url}/${PAGES.iframe}`;
    const answers = await askBackground(profile, [
      // Created out of document order on purpose.
      create(url, '随州市教育局2023年工作要点', '扎实推进“双减”工作', ['双减', '减负'], 'blue', '校外培训治理'),
      create(url, '随州市教育局2023年工作要点', '促进学生身心健康全面发展', ['体育'], 'green'),
      create(url, '随州市教育局2023年工作要点', '加强教育系统党的领导和党的建设', ['党建'], 'yellow'),
      create(url, '随州市教育局2023年工作要点', '这段文字在页面里并不存在，它已被删改', ['体育'], 'pink'),
      create(other, '政务新媒体健康有序发展的意见', '坚持需求引领', ['体育', '新媒体'], 'purple'),
    ]);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    page = await openWithPizhu(profile, url);
    await waitForPainted(page, 3);
    panel = await profile.context.newPage();
    await panel.setViewportSize({ width: 400, height: 900 });
    await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(url)}`);
    await panel.waitForSelector('[data-annotation-id]');
  });

  afterAll(async () => {
    await profile?.close();
    await server?.close();
  });

  it('lists the page in document order under clause label paths, with the orphan apart', async () => {
    await expect
      .poll(() => panel.locator('.pz-clause-group .pz-clause-label').allTextContents())
      .toEqual(['一、2.', '二、8.', '三、12.']);
    const orphans = panel.locator('[data-testid="orphans"]');
    await orphans.waitFor();
    expect(await orphans.locator('blockquote').allTextContents()).toEqual(['这段文字在页面里并不存在，它已被删改']);
    expect(await panel.locator('[data-testid="shown-count"]').textContent()).toBe('共 4 条批注');
    await panel.screenshot({ path: artifactPath('ui-panel-page.png'), fullPage: true });
  });

  it('filters by tag, colour and text (width- and case-folded)', async () => {
    await panel.selectOption('select[name="filterTag"]', '体育');
    await expect
      .poll(() => panel.locator('.pz-clause-group blockquote').allTextContents())
      .toEqual(['促进学生身心健康全面发展']);
    expect(await panel.locator('[data-testid="shown-count"]').textContent()).toBe('显示 2 / 4 条');
    await panel.getByRole('button', { name: '清除筛选' }).click();

    await panel.locator('.pz-filters .pz-swatch[data-color="blue"]').click();
    await expect
      .poll(() => panel.locator('.pz-clause-group blockquote').allTextContents())
      .toEqual(['扎实推进“双减”工作']);
    await panel.locator('.pz-filters .pz-swatch[data-color="blue"]').click();

    await panel.fill('input[type="search"]', '校外培训');
    await expect
      .poll(() => panel.locator('.pz-clause-group blockquote').allTextContents())
      .toEqual(['扎实推进“双减”工作']);
    await panel.fill('input[type="search"]', 'zzz-nothing');
    await panel.getByText('没有符合筛选条件的批注。').waitFor();
    await panel.fill('input[type="search"]', '');
  });

  it('clicking an annotation scrolls the page to its highlight and flashes it', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await panel.locator('.pz-item-open', { hasText: '扎实推进“双减”工作' }).click();
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-flash']))['pizhu-flash'])
      .toEqual(['扎实推进“双减”工作']);
    const visible = await page.evaluate(() => {
      const range = [...(CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights.get('pizhu-flash')!][0]!;
      const rect = range.getBoundingClientRect();
      return rect.top >= 0 && rect.bottom <= window.innerHeight;
    });
    expect(visible).toBe(true);
  });

  it('re-attaches an orphan to a new selection in the page', async () => {
    await dragSelectIn(page, page.mainFrame(), '推进义务教育优质均衡发展和城乡一体化');
    await panel.locator('[data-testid="orphans"] .pz-reattach').click();
    await panel.getByText('已重新定位。').waitFor();
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-pink']))['pizhu-pink'])
      .toEqual(['推进义务教育优质均衡发展和城乡一体化']);
    await expect.poll(() => panel.locator('[data-testid="orphans"]').count()).toBe(0);
    await expect
      .poll(() => panel.locator('.pz-clause-group .pz-clause-label').allTextContents())
      .toEqual(['一、2.', '二、8.', '三、11.', '三、12.']);
  });

  it('team library: documents with counts, tags with counts, clauses by tag across documents', async () => {
    await panel.getByRole('tab', { name: '团队资料库' }).click();
    const docs = panel.locator('.pz-doc-open');
    await expect.poll(() => docs.count()).toBe(2);
    expect(await docs.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('4 条批注'), expect.stringContaining('1 条批注 · 2 个标签')]),
    );
    const tagRow = panel.locator('.pz-tag-list li[data-tag="体育"]');
    expect(await tagRow.textContent()).toContain('3 条 · 2 份文件');
    await panel.screenshot({ path: artifactPath('ui-panel-library.png'), fullPage: true });

    await tagRow.locator('.pz-tag-open').click();
    const tagged = panel.locator('[data-testid="library-results"]');
    await tagged.waitFor();
    await expect.poll(() => tagged.locator('.pz-doc-group-title').allTextContents()).toHaveLength(2);
    expect(await tagged.locator('blockquote').allTextContents()).toEqual(
      expect.arrayContaining(['促进学生身心健康全面发展', '坚持需求引领']),
    );
    await panel.screenshot({ path: artifactPath('ui-panel-tagged.png'), fullPage: true });
    await panel.getByRole('button', { name: /返回资料库/ }).click();
  });

  it('renames a tag, then merges two tags into one', async () => {
    const row = panel.locator('.pz-tag-list li[data-tag="减负"]');
    await row.getByRole('button', { name: '重命名' }).click();
    await row.locator('input[aria-label]').last().fill('  减轻负担 ');
    await row.getByRole('button', { name: '保存' }).click();
    await panel.locator('.pz-tag-list li[data-tag="减轻负担"]').waitFor();
    expect((await storedRows<Row>(profile, 'annotations')).find((r) => r.quote === '扎实推进“双减”工作')!.tags).toEqual(
      ['双减', '减轻负担'],
    );

    await panel.locator('.pz-tag-list li[data-tag="双减"] input[type="checkbox"]').check();
    await panel.locator('.pz-tag-list li[data-tag="减轻负担"] input[type="checkbox"]').check();
    await panel.fill('input[name="mergeInto"]', '双减');
    await panel.getByRole('button', { name: '合并' }).click();
    await expect.poll(() => panel.locator('.pz-tag-list li[data-tag="减轻负担"]').count()).toBe(0);
    expect((await storedRows<Row>(profile, 'annotations')).find((r) => r.quote === '扎实推进“双减”工作')!.tags).toEqual(
      ['双减'],
    );
  });

  it('exports a briefing: every document, one tag, Markdown and Word, chosen documents, printable HTML in a tab, the header remembered for next time', async () => {
    await panel.getByRole('tab', { name: '本页' }).click();
    await panel.locator('[data-export="dialog"]').click();
    const dialog = panel.getByRole('dialog', { name: '导出简报' });
    await dialog.waitFor();
    await dialog.getByLabel('团队批注过的全部文件').check();
    await dialog.locator('input[name="tags"]').fill('体育');
    await dialog.locator('input[name="unit"]').fill('市教育局办公室');
    await dialog.locator('input[name="issueNumber"]').fill('3');
    await dialog.getByLabel('Markdown').check();
    await panel.screenshot({ path: artifactPath('ui-panel-export.png'), fullPage: true });
    const [markdownDownload] = await Promise.all([
      panel.waitForEvent('download'),
      dialog.locator('[data-export="briefing"]').click(),
    ]);
    const markdown = readFileSync((await markdownDownload.path())!, 'utf8');
    expect(markdown).toContain('促进学生身心健康全面发展');
    expect(markdown).toContain('坚持需求引领');
    expect(markdown).not.toContain('扎实推进“双减”工作');
    expect(markdown).toContain('市教育局办公室');
    expect(markdownDownload.suggestedFilename()).toMatch(/\.md$/);

    await dialog.getByLabel('Word（公文格式）').check();
    const [wordDownload] = await Promise.all([
      panel.waitForEvent('download'),
      dialog.locator('[data-export="briefing"]').click(),
    ]);
    expect(wordDownload.suggestedFilename()).toMatch(/\.docx$/);
    expect(
      readFileSync((await wordDownload.path())!)
        .subarray(0, 2)
        .toString('latin1'),
    ).toBe('PK');

    // Chosen documents: none chosen is refused (it must not become "every document"), then one document.
    await dialog.getByLabel('选定的文件').check();
    await dialog.getByLabel('Markdown').check();
    await dialog.locator('[data-export="briefing"]').click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('请至少选择一个文件');
    await dialog.locator('[data-export="documents"]').getByLabel('政务新媒体健康有序发展的意见').check();
    const [chosenDownload] = await Promise.all([
      panel.waitForEvent('download'),
      dialog.locator('[data-export="briefing"]').click(),
    ]);
    const chosenMarkdown = readFileSync((await chosenDownload.path())!, 'utf8');
    expect(chosenMarkdown).toContain('坚持需求引领');
    expect(chosenMarkdown).not.toContain('促进学生身心健康全面发展');

    // Printable HTML opens in a tab, to print to PDF from there.
    await dialog.getByLabel('可打印网页').check();
    const [printable] = await Promise.all([
      profile.context.waitForEvent('page'),
      dialog.locator('[data-export="briefing"]').click(),
    ]);
    await printable.waitForLoadState();
    expect(await printable.locator('body').textContent()).toContain('坚持需求引领');
    expect(
      await printable.evaluate(() =>
        [...document.styleSheets].some((sheet) => [...sheet.cssRules].some((rule) => rule.cssText.startsWith('@page'))),
      ),
    ).toBe(true);
    await printable.close();
    await dialog.getByRole('button', { name: '关闭' }).click();

    await panel.locator('[data-export="dialog"]').click();
    expect(await panel.getByRole('dialog').locator('input[name="unit"]').inputValue()).toBe('市教育局办公室');
    await panel.keyboard.press('Escape');
    await expect.poll(() => panel.getByRole('dialog').count()).toBe(0);
  });

  it('empty states tell a newcomer what to do', async () => {
    const fresh = await launchProfile('ui-panel-empty');
    try {
      await setPreferences(fresh, { language: 'zh_CN' });
      const empty = await fresh.context.newPage();
      await empty.goto(
        `${extensionPage(fresh, 'sidepanel.html')}?url=${encodeURIComponent(`${server.url}/${PAGES.english}`)}`,
      );
      await empty.locator('[data-testid="empty-page"]').waitFor();
      expect(await empty.locator('[data-testid="empty-page"]').textContent()).toContain('选中一段文字');
      await empty.getByRole('button', { name: '加入团队' }).waitFor();
      await empty.screenshot({ path: artifactPath('ui-panel-empty.png') });
      await empty.getByRole('tab', { name: '团队资料库' }).click();
      await empty.locator('[data-testid="empty-library"]').waitFor();
    } finally {
      await fresh.close();
    }
  });
});
