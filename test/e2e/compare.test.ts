/**
 * Comparing versions of a notice (issue 20), end to end: the built extension in real Chromium, the real server
 * (its demo notice is the reference notice) and a local server for the edited version.
 * - An official highlights two clauses of the reference notice; its clause snapshot is kept and shared with the
 *   team. On the edited version (a new URL), "比较版本…" in the side panel opens the comparison page; the
 *   picker offers the reference notice; the comparison shows the counts, badges and marked words, and the task
 *   made on 三、15. beside its clause; the two highlights and the task are carried over (one by one, then
 *   "all"): the highlights anchor exactly when the new page is opened, the task is the new version's, on 三、16.,
 *   linked to the old one; the 新旧对照表 is exported as DOCX and rendered with LibreOffice to PNG pages to look at.
 * - Snapshot only: a colleague who never saw the old page compares after it is gone (404), offline, from the
 *   snapshot that reached them through the team's room.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertToPages, canConvert } from '../../scripts/office-pages.ts';
import { documentKeyFor } from '../../shared/model/canonical-url.ts';
import { all, openDocx, W } from '../unit/briefing/docx-parts.ts';
import {
  ARTIFACTS,
  artifactPath,
  createTeam,
  extensionPage,
  joinTeam,
  launchProfile,
  type Profile,
  ROOT,
  type RunningServer,
  startServer,
} from './harness.ts';
import {
  dragSelectIn,
  highlightTextsIn,
  openWithPizhu,
  setPreferences,
  storedRows,
  tabIdOf,
  waitForPainted,
} from './ui-support.ts';

const V1 = readFileSync(join(ROOT, 'test/fixtures/corpus/pages/01-suizhou-edu-2023.html'));
const V2 = readFileSync(join(ROOT, 'test/fixtures/corpus/edits/01-suizhou-edu-2023.v2.html'));
/** 三、15. in the reference notice; 三、16. "强化招生入学行为管理" in the edited one (a typo fixed). */
const TYPO = '强化招生入学行动管理';
const TYPO_FIXED = '强化招生入学行为管理';
/** 二、8. in the reference notice, unchanged but renumbered 二、9. in the edited one. */
const READING = '广泛开展学生阅读活动';
const COLORS = ['yellow', 'green', 'blue', 'pink', 'purple'].map((c) => `pizhu-${c}`);

type VersionRow = { documentKey: string; contentHash: string; title: string };
type TaskRow = {
  id: string;
  documentKey: string;
  task: string;
  status: string;
  due: { text: string; date: string | null } | null;
  clause: { path: string[] };
  carriedFrom?: { id: string; documentKey: string };
};

describe('comparing versions of a notice', () => {
  let server: RunningServer;
  let pages: Server;
  let pagesUrl: string;
  let oldPageGone = false;
  let a: Profile;
  let inviteCode: string;
  const demoUrl = () => `${server.url}/demo`;
  const newUrl = () => `${pagesUrl}/2024/notice.html`;
  const oldUrl = () => `${pagesUrl}/2023/notice.html`;

  beforeAll(async () => {
    server = await startServer();
    inviteCode = createTeam(server.dataDir, '市教育局政策研究组').inviteCode;
    pages = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/2024/notice.html') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(V2);
      else if (path === '/2023/notice.html' && !oldPageGone) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(V1);
      } else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pagesUrl = `http://127.0.0.1:${(pages.address() as { port: number }).port}`;
    a = await launchProfile('compare-a');
    await joinTeam(a, server.url, inviteCode, '张伟');
    await setPreferences(a, { language: 'zh_CN' });
  });

  afterAll(async () => {
    await a?.close();
    await new Promise<void>((resolve) => pages?.close(() => resolve()));
    await server?.stop();
  });

  /** Highlights a quote as a team annotation, with tags and a note when given. */
  async function highlight(page: Page, quote: string, tags: string[] = [], note = ''): Promise<void> {
    await dragSelectIn(page, page.mainFrame(), quote);
    const toolbar = page.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    for (const tag of tags) {
      await toolbar.locator('.pz-tags').fill(tag);
      await toolbar.locator('.pz-tags').press('Enter');
    }
    if (note) await toolbar.locator('.pz-note').fill(note);
    await toolbar.locator('.pz-primary').click();
    await expect.poll(async () => Object.values(await highlightTextsIn(page, COLORS)).flat()).toContain(quote);
  }

  /** Opens the side panel for a page's tab and clicks "比较版本…"; returns the comparison page it opened. */
  async function compareFromPanel(profile: Profile, url: string): Promise<Page> {
    const tabId = await tabIdOf(profile.worker, url);
    const panel = await profile.context.newPage();
    await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(url)}&tabId=${tabId}`);
    const opened = profile.context.waitForEvent('page');
    await panel.locator('[data-testid="compare-open"]').click();
    const comparison = await opened;
    await comparison.waitForLoadState();
    await panel.close();
    return comparison;
  }

  /** Makes a task on a numbered item of the page through clause mode and the task form, as an office does. */
  async function taskOnItem(page: Page, label: string, leadUnit: string, due: string): Promise<void> {
    const ui = (selector: string) => page.locator(`pizhu-ui ${selector}`);
    await ui('.pz-mode').click();
    const item = await page.evaluate((start) => {
      const p = [...document.querySelectorAll('p')].find((el) => el.textContent!.trim().startsWith(start))!;
      p.scrollIntoView({ block: 'center' });
      const r = p.getBoundingClientRect();
      return { x: r.left + 40, y: r.top + 8 };
    }, label);
    await page.mouse.click(item.x, item.y);
    await ui('[data-action="task-clause"]').click();
    const dialog = ui('[data-testid="task-dialog"]');
    await dialog.waitFor();
    await dialog.locator('input[name="leadUnits"]').fill(leadUnit);
    await dialog.locator('input[name="due"]').fill(due);
    await dialog.locator('[data-action="create-tasks"]').click();
    await dialog.waitFor({ state: 'detached' });
    await ui('.pz-mode').click();
  }

  async function versionsOf(profile: Profile, url: string): Promise<VersionRow[]> {
    const key = documentKeyFor(url);
    return (await storedRows<VersionRow>(profile, 'versions')).filter((v) => v.documentKey === key);
  }

  it('compares the reference notice with its edited version, carries two highlights and a task over, exports the table', async () => {
    // 1. Two highlights and a task on the reference notice: its clause snapshot is kept (and shared with the team).
    const demo = await openWithPizhu(a, demoUrl());
    await highlight(demo, TYPO, ['招生'], '今年继续督查');
    await highlight(demo, READING, ['阅读']);
    await taskOnItem(demo, '15.', '民办教育科', '6月底前');
    await expect.poll(async () => (await storedRows<TaskRow>(a, 'tasks')).length, { timeout: 15_000 }).toBe(1);
    const [oldTask] = await storedRows<TaskRow>(a, 'tasks');
    expect(oldTask!.clause.path).toEqual(['三、', '15.']);
    await expect.poll(async () => (await versionsOf(a, demoUrl())).length, { timeout: 15_000 }).toBe(1);

    // 2. The edited version, never annotated: "比较版本…" from the side panel, the reference notice offered.
    const edited = await openWithPizhu(a, newUrl());
    const comparison = await compareFromPanel(a, newUrl());
    const similar = comparison.locator('[data-testid="picker-similar"]');
    await similar.waitFor();
    expect(await similar.textContent()).toContain(demoUrl());
    await comparison.setViewportSize({ width: 1280, height: 900 });
    await comparison.screenshot({ path: artifactPath('compare-picker.png') });
    await similar.locator('li', { hasText: demoUrl() }).locator('button').click();

    // 3. Counts, badges, label paths, marked words.
    const counts = comparison.locator('[data-testid="compare-counts"]');
    await counts.waitFor();
    expect(await counts.textContent()).toMatch(/新增 1.*修改 3.*删除 0/);
    const typoRow = comparison.locator('li[data-status="modified"]', { hasText: TYPO_FIXED });
    expect(await typoRow.getAttribute('data-before')).toBe('三、15.');
    expect(await typoRow.getAttribute('data-after')).toBe('三、16.');
    expect(await typoRow.locator('del').allTextContents()).toEqual(['行动']);
    expect(await typoRow.locator('ins').allTextContents()).toEqual(['行为']);
    expect(await comparison.locator('li[data-status="added"]').count()).toBe(1);
    expect(await comparison.locator('[data-testid="compare-summary"]').textContent()).toMatch(
      /^新增 1 条，修改 3 条，删除 0 条：新增一、6\./,
    );
    await comparison.screenshot({ path: artifactPath('compare-side-by-side.png') });
    // The task beside its clause, on the old side: status (its deadline, 2023-06-30, has passed), wording, unit
    // and deadline, and "沿用到新版".
    const oldTaskItem = typoRow.locator(`.pz-side-old .pz-compare-tasks li[data-task-id="${oldTask!.id}"]`);
    expect(await oldTaskItem.textContent()).toMatch(/^任务已逾期引导规范民办教育发展.*民办教育科.*6月底前/);
    expect(await oldTaskItem.locator('[data-carry-task]').count()).toBe(1);
    await typoRow.scrollIntoViewIfNeeded();
    await comparison.screenshot({ path: artifactPath('compare-tasks.png') });

    // 4. Carry the typo's highlight by itself, then the rest (a highlight and the task) with "全部沿用到新版".
    await typoRow.locator('[data-carry]').click();
    await typoRow.locator('.pz-compare-annotations [data-carried="true"]').waitFor();
    await typoRow.locator('.pz-side-new .pz-carried-from').waitFor();
    const carryAll = comparison.locator('[data-testid="carry-all"]');
    expect(await carryAll.textContent()).toContain('（2）');
    await carryAll.click();
    const readingRow = comparison.locator('li[data-status="unchanged"]', { hasText: READING });
    await readingRow.locator('[data-carried="true"]').waitFor();
    expect(await readingRow.getAttribute('data-after')).toBe('二、9.');
    await oldTaskItem.locator('[data-carried="true"]').waitFor();
    expect(await carryAll.isDisabled()).toBe(true);
    // The new task is the new version's, on the paired clause 三、16., linked to the old one, not started yet,
    // and shown beside that clause.
    const newKey = documentKeyFor(newUrl());
    const carriedTask = (await storedRows<TaskRow>(a, 'tasks')).find((t) => t.documentKey === newKey);
    expect(carriedTask).toMatchObject({
      task: oldTask!.task,
      status: 'todo',
      due: { text: '6月底前', date: '2023-06-30' },
      clause: { path: ['三、', '16.'] },
      carriedFrom: { id: oldTask!.id, documentKey: documentKeyFor(demoUrl()) },
    });
    const newTaskItem = typoRow.locator(`.pz-side-new .pz-compare-tasks li[data-task-id="${carriedTask!.id}"]`);
    expect(await newTaskItem.locator('.pz-carried-from').count()).toBe(1);
    // carrying everything again adds nothing: the button says so, and the store has the one task
    expect(await carryAll.textContent()).toContain('（0）');
    expect((await storedRows<TaskRow>(a, 'tasks')).filter((t) => t.documentKey === newKey)).toHaveLength(1);

    // 5. "只看变化": of the unchanged clauses only the renumbered ones stay.
    await comparison.locator('[data-testid="only-changes"]').check();
    expect(await comparison.locator('li[data-status="unchanged"]').count()).toBe(19);
    expect(await comparison.locator('li[data-status="unchanged"] .pz-change-badge .pz-small').count()).toBe(19);
    expect(await comparison.locator('li[data-status]').count()).toBe(1 + 3 + 19);
    // A narrow window: each change inline, one text with the deleted and inserted words in place.
    await comparison.setViewportSize({ width: 600, height: 900 });
    await typoRow.locator('.pz-inline-head').waitFor();
    expect(await typoRow.locator('.pz-path').textContent()).toBe('三、15. → 三、16.');
    expect(await typoRow.locator('.pz-clause-text').count()).toBe(1);
    expect(await typoRow.locator('.pz-clause-text').textContent()).toContain('强化招生入学行动行为管理');
    expect(await typoRow.locator('.pz-side-old [data-carried="true"]').count()).toBe(2);
    expect(await typoRow.locator('.pz-side-new .pz-carried-from').count()).toBe(2);
    await typoRow.scrollIntoViewIfNeeded();
    await comparison.screenshot({ path: artifactPath('compare-narrow.png'), fullPage: false });
    await comparison.setViewportSize({ width: 1280, height: 900 });
    await typoRow.locator('.pz-side-old .pz-path').waitFor();
    await typoRow.scrollIntoViewIfNeeded();
    await comparison.screenshot({ path: artifactPath('compare-carried.png'), fullPage: false });

    // 6. The 新旧对照表 as DOCX: landscape, three columns, the changed words; rendered to look at.
    const download = comparison.waitForEvent('download');
    await comparison.locator('[data-testid="export-docx"]').click();
    const file = artifactPath('compare-table.docx');
    await (await download).saveAs(file);
    const docx = openDocx(readFileSync(file));
    const body = docx.xml('word/document.xml');
    expect(all(body, 'pgSz')[0]!.getAttributeNS(W, 'orient')).toBe('landscape');
    const text = body.documentElement.textContent ?? '';
    for (const words of ['原条款', '新条款', '变化', TYPO_FIXED, '新旧对照表']) expect(text).toContain(words);
    if (canConvert) {
      expect(convertToPages(ARTIFACTS, [file])).toBe(true);
      const pngs = readdirSync(ARTIFACTS).filter((name) => /^compare-table-page-0*1\.png$/.test(name));
      expect(pngs).toHaveLength(1);
      expect(readFileSync(join(ARTIFACTS, pngs[0]!)).length).toBeGreaterThan(10_000);
    }

    // 7. The new version's briefing, with the summary paragraph after its lead.
    const briefingDownload = comparison.waitForEvent('download');
    await comparison.locator('[data-testid="export-briefing"]').click();
    const briefingFile = artifactPath('compare-briefing.docx');
    await (await briefingDownload).saveAs(briefingFile);
    const briefingText = openDocx(readFileSync(briefingFile)).xml('word/document.xml').documentElement.textContent;
    expect(briefingText).toContain('与上一版本相比，新增 1 条，修改 3 条，删除 0 条：新增一、6.');
    // the carried highlights are the new version's: its briefing lists them
    expect(briefingText).toContain(TYPO_FIXED);
    if (canConvert) expect(convertToPages(ARTIFACTS, [briefingFile])).toBe(true);
    await comparison.close();

    // 8. The new page shows the carried highlights, found exactly in their new clauses.
    await edited.reload();
    await edited.waitForSelector('pizhu-ui', { state: 'attached' });
    const report = await waitForPainted(edited, 2);
    expect(Object.values(report.anchors)).toEqual(['exact', 'exact']);
    expect(
      Object.values(await highlightTextsIn(edited, COLORS))
        .flat()
        .sort(),
    ).toEqual([READING, TYPO_FIXED].sort());
    expect(Object.values(report.clausePaths).sort()).toEqual([
      ['三、', '16.'],
      ['二、', '9.'],
    ]);
    await edited.screenshot({ path: artifactPath('compare-carried-on-new-page.png') });
    await demo.close();
    await edited.close();
  });

  it('compares from the snapshot alone: the old page is gone, a colleague is offline', async () => {
    // 張伟 annotates last year's page at its own address; his browser shares its snapshot with the team.
    const old = await openWithPizhu(a, oldUrl());
    await highlight(old, READING, ['阅读']);
    await expect.poll(async () => (await versionsOf(a, oldUrl())).length, { timeout: 15_000 }).toBe(1);
    await old.close();
    oldPageGone = true;
    expect((await fetch(oldUrl())).status).toBe(404);

    // 李娜 joins later and never sees the old page: its snapshot reaches her through the room.
    const b = await launchProfile('compare-b');
    try {
      await joinTeam(b, server.url, inviteCode, '李娜');
      await setPreferences(b, { language: 'zh_CN' });
      await expect.poll(async () => (await versionsOf(b, oldUrl())).length, { timeout: 20_000 }).toBe(1);
      const current = await openWithPizhu(b, newUrl());
      const comparison = await compareFromPanel(b, newUrl());
      await b.context.setOffline(true);
      const similar = comparison.locator('[data-testid="picker-similar"]');
      await similar.waitFor();
      await similar.locator('li', { hasText: oldUrl() }).locator('button').click();
      const counts = comparison.locator('[data-testid="compare-counts"]');
      await counts.waitFor();
      expect(await counts.textContent()).toMatch(/新增 1.*修改 3.*删除 0/);
      const readingRow = comparison.locator('li[data-status="unchanged"]', { hasText: READING });
      expect(await readingRow.locator('.pz-side-old [data-annotation-id]').count()).toBeGreaterThan(0);
      // the Markdown table, offline too
      const download = comparison.waitForEvent('download');
      await comparison.locator('[data-testid="export-md"]').click();
      const markdown = readFileSync(await (await download).path(), 'utf8');
      writeFileSync(artifactPath('compare-table-offline.md'), markdown);
      expect(markdown).toContain('| 原条款 | 新条款 | 变化 |');
      expect(markdown).toContain('强化招生入学<del>行动</del>管理');
      expect(markdown).toContain('强化招生入学<ins>行为</ins>管理');
      await comparison.screenshot({ path: artifactPath('compare-offline.png') });
      await b.context.setOffline(false);
      await current.close();
    } finally {
      await b.close();
    }
  });
});
