/**
 * The team's vocabulary end to end: two Chromium profiles with the built extension and the real server, the
 * second behind a recording proxy that plays the network going away.
 *   - A renames a tag in the library while B is offline; B keeps using the old name offline; once B is back,
 *     B's later uses read as the new name in both libraries (the rename is data the team shares, issue 17.5);
 *   - A adds, merges and renames the team's units in the library; B, reading the notice, sees its library
 *     follow live (no sync asked), former names shown.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, DocumentInfo } from '../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import type { SyncStatus } from '../../extension/lib/messages.ts';
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
import { RecordingProxy } from './recording-proxy.ts';
import { ask, create as createFor, eventually, list as listFor, openPage } from './sync-helpers.ts';
import { setPreferences } from './ui-support.ts';

let server: RunningServer;
let proxyB: RecordingProxy;
let a: Profile;
let b: Profile;
let document: DocumentInfo;

const OLD = '重点任务';
const NEW = '重点工作';

const list = (profile: Profile) => listFor(profile, document.key);
const create = (profile: Profile, quote: string, tags: string[]) => createFor(profile, document, quote, { tags });
const tagsOf = (annotations: Annotation[]) => [...new Set(annotations.flatMap((x) => x.tags))].sort();

async function openLibrary(profile: Profile): Promise<Page> {
  const panel = await profile.context.newPage();
  await panel.setViewportSize({ width: 420, height: 1000 });
  await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(document.url)}`);
  await panel.getByRole('tab', { name: '团队资料库' }).click();
  return panel;
}

/** The tags the library lists, as the user sees them. */
const libraryTags = (panel: Page) =>
  panel
    .locator('.pz-tag-manager li[data-tag]')
    .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.tag ?? ''));
/** The units the library lists: name and the former names line. */
const libraryUnits = (panel: Page) =>
  panel
    .locator('[data-testid="unit-manager"] li[data-unit]')
    .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).textContent.replace(/\s+/g, ' ').trim()));

describe('the team’s tag renames and units across two browsers', () => {
  beforeAll(async () => {
    server = await startServer();
    const team = createTeam(server.dataDir, '教育局政策研究组');
    proxyB = await new RecordingProxy(server.url).start();
    const url = `${server.url}/demo`;
    document = { key: documentKeyFor(url), canonicalUrl: canonicalUrl(url), url, title: '2023年工作要点' };
    [a, b] = await Promise.all([launchProfile('vocab-a'), launchProfile('vocab-b')]);
    await joinTeam(a, server.url, team.inviteCode, '张伟');
    await joinTeam(b, proxyB.url, team.inviteCode, '李娜');
    await Promise.all([setPreferences(a, { language: 'zh_CN' }), setPreferences(b, { language: 'zh_CN' })]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await proxyB?.stop();
    await server?.stop();
  });

  it('applies a rename made while a colleague was offline to the uses that colleague makes later', async () => {
    await create(a, '促进学生身心健康全面发展', [OLD]);
    await create(b, '深化体教融合', [OLD, '体育']);
    await eventually(
      async () => {
        await Promise.all([ask(a, { type: 'sync.now' }), ask(b, { type: 'sync.now' })]);
        return Promise.all([list(a), list(b)]);
      },
      ([x, y]) => x.length === 2 && y.length === 2,
      'both profiles to hold both annotations',
    );

    proxyB.offline = true;
    await eventually(
      () => ask<SyncStatus>(b, { type: 'sync.status' }),
      (s) => s.state === 'offline',
      'B to notice it is offline',
    );

    // A renames through the library, as a user does.
    const panelA = await openLibrary(a);
    const row = panelA.locator(`.pz-tag-manager li[data-tag="${OLD}"]`);
    await row.getByRole('button', { name: '重命名' }).click();
    await row.getByRole('textbox').fill(NEW);
    await row.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => libraryTags(panelA)).toEqual(expect.arrayContaining([NEW, '体育']));
    expect(await libraryTags(panelA)).not.toContain(OLD);

    // B, still offline, has not heard of the rename and tags a new clause with the old name.
    const late = await create(b, '坚持立德树人', [OLD]);
    expect(tagsOf(await list(b))).toContain(OLD);

    proxyB.offline = false;
    await eventually(
      () => ask<SyncStatus>(b, { type: 'sync.now' }),
      (s) => s.state === 'online',
      'B to sync once back',
    );
    const [rowsA, rowsB] = await eventually(
      async () => {
        await Promise.all([ask(a, { type: 'sync.now' }), ask(b, { type: 'sync.now' })]);
        return [await list(a), await list(b)] as const;
      },
      ([x, y]) => x.length === 3 && y.length === 3 && !tagsOf(x).includes(OLD) && !tagsOf(y).includes(OLD),
      'both profiles to read every use of the old name as the new one',
    );
    expect(rowsA.find((x) => x.id === late.id)?.tags).toEqual([NEW]);
    expect(tagsOf(rowsB)).toEqual([NEW, '体育'].sort());

    // Both libraries: one tag, counting all three uses, none under the old name.
    const panelB = await openLibrary(b);
    for (const panel of [panelA, panelB]) {
      await expect.poll(() => libraryTags(panel)).toEqual(expect.arrayContaining([NEW, '体育']));
      expect(await libraryTags(panel)).not.toContain(OLD);
      await expect.poll(() => panel.locator(`.pz-tag-manager li[data-tag="${NEW}"]`).textContent()).toContain('3 条');
    }
    await panelB.screenshot({ path: artifactPath('team-vocabulary-tags.png'), fullPage: true });
    await Promise.all([panelA.close(), panelB.close()]);
  });

  it('adds, merges and renames the team’s units; a colleague’s library follows with the former names', async () => {
    // B reads the notice: the team room is connected while a page of the team is, so B hears changes live.
    const notice = await openPage(b, document.url);
    const [panelA, panelB] = await Promise.all([openLibrary(a), openLibrary(b)]);
    const managerA = panelA.locator('[data-testid="unit-manager"]');
    for (const name of ['基础教育科', '基教科', '办公室']) {
      await managerA.locator('input[name="unitName"]').fill(name);
      await managerA.getByRole('button', { name: '添加' }).click();
      await expect.poll(() => managerA.locator(`li[data-unit="${name}"]`).count()).toBe(1);
    }
    // Adding a name the list already has gives the existing unit, not a duplicate.
    await managerA.locator('input[name="unitName"]').fill(' 办公室 ');
    await managerA.getByRole('button', { name: '添加' }).click();
    await expect.poll(() => managerA.locator('li[data-unit]').count()).toBe(3);

    // Merge 基教科 into 基础教育科.
    await managerA.getByRole('checkbox', { name: '选择单位 基教科' }).check();
    await managerA.getByRole('checkbox', { name: '选择单位 基础教育科' }).check();
    const into = await managerA.locator('li[data-unit="基础教育科"]').getAttribute('data-unit-id');
    await managerA.locator('select[name="unitMergeInto"]').selectOption(into!);
    await managerA.getByRole('button', { name: '合并' }).click();
    await expect.poll(() => managerA.locator('li[data-unit]').count()).toBe(2);

    // Rename 办公室 to 局办公室.
    const office = managerA.locator('li[data-unit="办公室"]');
    await office.getByRole('button', { name: '改名' }).click();
    await office.locator('input[name="unitNewName"]').fill('局办公室');
    await office.getByRole('button', { name: '保存' }).click();

    const expected = ['基础教育科 曾用名：基教科', '局办公室 曾用名：办公室'];
    const managerB = panelB.locator('[data-testid="unit-manager"]');
    await expect
      .poll(() => libraryUnits(panelA).then((rows) => rows.map(strip)), { timeout: 20_000 })
      .toEqual(expected);
    await expect
      .poll(() => libraryUnits(panelB).then((rows) => rows.map(strip)), { timeout: 20_000 })
      .toEqual(expected);
    expect(await managerB.getByRole('button', { name: '改名' }).count()).toBe(2);
    await panelB.screenshot({ path: artifactPath('team-vocabulary-units.png'), fullPage: true });
    await Promise.all([panelA.close(), panelB.close(), notice.close()]);
  });
});

/** A unit row's text without its buttons' labels. */
function strip(text: string): string {
  return text
    .replace(/\s*(改名|删除)\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
