/**
 * The team library and the side panel's exports in the built extension, one member of a team on the real server:
 * a search across every stored notice (a note mentioning 双减 without the tag, an English word, a title; the
 * user's own private notes too), filters combined with it, a result opening its notice at the annotation; the
 * page's list marking approximate matches (近似); the quick Markdown export leaving "Only me" notes out.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import {
  artifactPath,
  createTeam,
  extensionPage,
  joinTeam,
  launchProfile,
  type Profile,
  type RunningServer,
  startServer,
} from './harness.ts';
import { askBackground, openWithPizhu, setPreferences } from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

const REFERENCE_TITLE = '市委教育工委 市教育局关于印发2023年工作要点的通知';
const OTHER_TITLE = '国务院办公厅关于推进政务新媒体健康有序发展的意见';
/** On the page the text reads 日常监管职责: one character differs, so the page finds it only approximately. */
const STUDY = '加强教育教学研究工作';
const APPROXIMATE = '推动相应主管部门履行审批和日常监督职责，规范非学科类校外培训';

type Created = { ok: boolean; value?: { id: string; quote: string }; error?: string };

function create(
  url: string,
  title: string,
  exact: string,
  fields: { tags?: string[]; note?: string; clausePath?: string[]; visibility?: 'team' | 'private' } = {},
) {
  const document = { key: documentKeyFor(url), canonicalUrl: canonicalUrl(url), url, title };
  return {
    type: 'annotation.create',
    annotation: {
      documentKey: document.key,
      selectors: [{ type: 'TextQuoteSelector', exact }],
      clausePath: fields.clausePath ?? [],
      quote: exact,
      tags: fields.tags ?? [],
      note: fields.note ?? '',
      visibility: fields.visibility ?? 'team',
    },
    document,
  };
}

describe('the team library and the side panel exports', () => {
  let server: RunningServer;
  let pages: StaticServer;
  let profile: Profile;
  let panel: Page;
  let reference: string;
  let other: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer();
    pages = await startStaticServer();
    const team = createTeam(server.dataDir, '教育局政策研究组');
    profile = await launchProfile('store-library');
    await joinTeam(profile, server.url, team.inviteCode, '张伟');
    await setPreferences(profile, { language: 'zh_CN' });
    reference = `${pages.url}/${PAGES.reference}`;
    other = `${pages.url}/${PAGES.iframe}`;
    const answers = (await askBackground(profile, [
      create(reference, REFERENCE_TITLE, '扎实推进“双减”工作', { tags: ['双减'], clausePath: ['三、', '12.'] }),
      create(reference, REFERENCE_TITLE, STUDY, {
        note: '与双减衔接，列入下季度督查',
        clausePath: ['二、', '7.'],
      }),
      create(reference, REFERENCE_TITLE, '促进学生身心健康全面发展', {
        note: '仅供自己参考的提醒',
        clausePath: ['二、', '8.'],
        visibility: 'private',
      }),
      create(reference, REFERENCE_TITLE, APPROXIMATE, { clausePath: ['三、', '12.'] }),
      create(other, OTHER_TITLE, '坚持需求引领', { note: 'follow up with legal', tags: ['新媒体'] }),
    ])) as Created[];
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    for (const answer of answers) ids[answer.value!.quote] = answer.value!.id;
    panel = await profile.context.newPage();
    await panel.setViewportSize({ width: 420, height: 900 });
  });

  afterAll(async () => {
    await profile?.close();
    await pages?.close();
    await server?.stop();
  });

  const results = () => panel.locator('[data-testid="library-results"]');
  const resultQuotes = () => results().locator('blockquote').allTextContents();
  const count = () => results().locator('[data-testid="results-count"]').textContent();

  async function search(text: string): Promise<void> {
    await panel.fill('input[name="librarySearch"]', text);
    await results().waitFor();
  }

  it('searches every stored notice from the library: a note, Chinese without spaces, English, a title', async () => {
    await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(reference)}`);
    await panel.getByRole('tab', { name: '团队资料库' }).click();
    await panel.locator('.pz-doc-open').first().waitFor();

    // "双减" is the tag and quote of one annotation and only in the note of another: both, in clause order.
    await search('双减');
    await expect.poll(count).toBe('找到 2 条批注');
    expect(await results().locator('.pz-doc-group-title').allTextContents()).toEqual([REFERENCE_TITLE]);
    expect(await results().locator('.pz-clause-label').allTextContents()).toEqual(['二、7.', '三、12.']);
    expect(await resultQuotes()).toEqual([STUDY, '扎实推进“双减”工作']);
    expect(await results().locator('mark').allTextContents()).toEqual(['双减', '双减', '双减']);
    await panel.screenshot({ path: artifactPath('store-library-search.png'), fullPage: true });

    await search('legal');
    await expect.poll(resultQuotes).toEqual(['坚持需求引领']);
    expect(await results().locator('.pz-doc-group-title').allTextContents()).toEqual([OTHER_TITLE]);

    // A word of a document's title finds that document's annotations.
    await search('政务新媒体');
    await expect.poll(() => results().locator('.pz-doc-group-title mark').allTextContents()).toEqual(['政务新媒体']);
    expect(await resultQuotes()).toEqual(['坚持需求引领']);

    // The user's own private notes are searched too.
    await search('自己参考');
    await expect.poll(resultQuotes).toEqual(['促进学生身心健康全面发展']);
  });

  it('combines the search with filters by document, tag, author and date', async () => {
    await search('双减');
    await expect.poll(count).toBe('找到 2 条批注');
    await panel.selectOption('select[name="libraryTag"]', '双减');
    await expect.poll(resultQuotes).toEqual(['扎实推进“双减”工作']);
    await panel.selectOption('select[name="libraryTag"]', '');
    await panel.selectOption('select[name="libraryDocument"]', documentKeyFor(other));
    await expect.poll(count).toBe('没有找到符合条件的批注。');
    await panel.selectOption('select[name="libraryDocument"]', '');
    const today = await panel.evaluate(() => new Date().toLocaleDateString('sv'));
    const tomorrow = await panel.evaluate(() => new Date(Date.now() + 86_400_000).toLocaleDateString('sv'));
    // The date field takes year-month-day as typed (the browser's date input would follow its own locale).
    expect(await panel.locator('input[name="libraryFrom"]').getAttribute('placeholder')).toBe('年-月-日');
    await panel.fill('input[name="libraryFrom"]', tomorrow);
    await panel.press('input[name="libraryFrom"]', 'Enter');
    await expect.poll(count).toBe('没有找到符合条件的批注。');
    await panel.fill('input[name="libraryFrom"]', today.replaceAll('-', '/'));
    await panel.press('input[name="libraryFrom"]', 'Enter');
    await expect.poll(count).toBe('找到 2 条批注');
    const author = await panel.locator('select[name="libraryAuthor"] option').nth(1).getAttribute('value');
    await panel.selectOption('select[name="libraryAuthor"]', author!);
    await expect.poll(count).toBe('找到 2 条批注');
    await panel.getByRole('button', { name: '清除筛选' }).click();
    await expect.poll(() => panel.locator('input[name="librarySearch"]').inputValue()).toBe('');
    await expect.poll(() => results().count()).toBe(0);
  });

  it('a result opens its notice at that annotation', async () => {
    await search('督查');
    await expect.poll(resultQuotes).toEqual([STUDY]);
    const [opened] = await Promise.all([
      profile.context.waitForEvent('page'),
      results().locator('.pz-item-open').first().click(),
    ]);
    await opened.waitForURL(/#pizhu=/);
    expect(opened.url()).toContain(`#pizhu=${ids[STUDY]}`);
    await opened.locator('pizhu-ui .pz-card').waitFor({ timeout: 15_000 });
    expect(await opened.locator('pizhu-ui .pz-card').getAttribute('data-annotation-id')).toBe(ids[STUDY]);
    await opened.close();
  });

  it("marks approximate matches in the page's list, as the card does", async () => {
    const page = await openWithPizhu(profile, reference);
    await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(reference)}`);
    const item = panel.locator(`.pz-clause-group [data-annotation-id="${ids[APPROXIMATE]}"]`);
    await item.locator('[data-testid="approximate"]').waitFor({ timeout: 15_000 });
    expect(await item.locator('[data-testid="approximate"]').textContent()).toBe('近似');
    // Only that one: the others were found exactly.
    expect(await panel.locator('[data-testid="approximate"]').count()).toBe(1);
    await panel.screenshot({ path: artifactPath('store-library-approximate.png'), fullPage: true });
    await page.close();
  });

  it('the quick Markdown export leaves "Only me" notes out; the dialog adds them only when ticked, and says so', async () => {
    await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(reference)}`);
    await panel.locator('[data-annotation-id]').first().waitFor();
    const [quick] = await Promise.all([panel.waitForEvent('download'), panel.locator('[data-export="md"]').click()]);
    const quickText = readFileSync((await quick.path())!, 'utf8');
    expect(quickText).toContain('扎实推进“双减”工作');
    expect(quickText).not.toContain('促进学生身心健康全面发展');
    expect(quickText).not.toContain('仅本人可见');

    await panel.locator('[data-export="dialog"]').click();
    const dialog = panel.getByRole('dialog', { name: '导出简报' });
    await dialog.getByLabel('Markdown').check();
    expect(await dialog.locator('input[name="includePrivate"]').isChecked()).toBe(false);
    const [plain] = await Promise.all([
      panel.waitForEvent('download'),
      dialog.locator('[data-export="briefing"]').click(),
    ]);
    expect(readFileSync((await plain.path())!, 'utf8')).not.toContain('促进学生身心健康全面发展');

    await dialog.locator('input[name="includePrivate"]').check();
    const [withPrivate] = await Promise.all([
      panel.waitForEvent('download'),
      dialog.locator('[data-export="briefing"]').click(),
    ]);
    const privateText = readFileSync((await withPrivate.path())!, 'utf8');
    expect(privateText).toContain('促进学生身心健康全面发展');
    expect(privateText).toContain('含仅本人可见的批注1条');
  });
});
