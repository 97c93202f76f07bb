/**
 * Once joined, the options page shows the membership (team, role, server, leave) instead of the join form with
 * the used code, and the side panel's empty state no longer asks to join; leaving asks first, revokes the token on
 * the real server (DELETE /api/me/token) and keeps every annotation on this computer.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKeyFor } from '../../shared/model/canonical-url.ts';
import {
  artifactPath,
  createTeam,
  extensionPage,
  launchProfile,
  type Profile,
  type RunningServer,
  startServer,
} from './harness.ts';
import { ask } from './sync-helpers.ts';
import { dragSelectIn, highlightTextsIn, openWithPizhu, setPreferences, storedRows } from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

const QUOTE = '促进学生身心健康全面发展';

describe('membership', () => {
  let server: RunningServer;
  let pages: StaticServer;
  let profile: Profile;
  let options: Page;
  let team: { teamId: string; inviteCode: string };
  let url: string;

  beforeAll(async () => {
    server = await startServer();
    pages = await startStaticServer();
    team = createTeam(server.dataDir, '教育局政策研究组');
    profile = await launchProfile('membership');
    await setPreferences(profile, { language: 'zh_CN' });
    url = `${pages.url}/${PAGES.reference}`;
  });

  afterAll(async () => {
    await profile?.close();
    await pages?.close();
    await server?.stop();
  });

  it('after joining, the options page shows the team, role, server and a way to leave, not the join form', async () => {
    options = await profile.context.newPage();
    await options.goto(extensionPage(profile, 'options.html'));
    await options.fill('input[name="serverUrl"]', server.url);
    await options.fill('input[name="inviteCode"]', team.inviteCode);
    await options.fill('input[name="displayName"]', '王处长');
    await options.getByRole('button', { name: '加入', exact: true }).click();
    const membership = options.locator('[data-testid="membership"]');
    await membership.waitFor({ timeout: 15_000 });
    expect(await options.locator('.pz-success').textContent()).toBe('已加入团队“教育局政策研究组”');
    expect(await membership.locator('[data-testid="team-name"]').textContent()).toBe('教育局政策研究组');
    // The first to join a team owns it.
    expect(await membership.locator('[data-testid="team-role"]').textContent()).toBe('管理员');
    expect(await membership.locator('[data-testid="team-server"]').textContent()).toBe(server.url);
    expect(await membership.getByRole('button', { name: '退出团队' }).count()).toBe(1);
    expect(await options.locator('input[name="inviteCode"]').count()).toBe(0);
    await options.screenshot({ path: artifactPath('ui-membership-joined.png'), fullPage: true });
    // And after a reload, as anyone opening the settings later sees it.
    await options.reload();
    await options.locator('[data-testid="membership"]').waitFor();
    expect(await options.locator('form[aria-labelledby="join-title"]').count()).toBe(0);
  });

  it('the side panel’s empty state tells a member that colleagues’ annotations come here, and asks nothing', async () => {
    const panel = await profile.context.newPage();
    await panel.goto(`${extensionPage(profile, 'sidepanel.html')}?url=${encodeURIComponent(url)}`);
    const empty = panel.locator('[data-testid="empty-page"]');
    await empty.waitFor();
    await expect.poll(() => empty.textContent()).toContain('同事在此页共享的批注会自动显示在这里');
    expect(await empty.textContent()).not.toContain('邀请码');
    expect(await panel.getByRole('button', { name: '加入团队' }).count()).toBe(0);
    expect(await panel.locator('[data-testid="account"]').textContent()).toContain('教育局政策研究组');
    const membership = await panel.locator('[data-testid="empty-membership"]').textContent();
    expect(membership).toContain('教育局政策研究组');
    expect(membership).toContain('管理员');
    expect(membership).toContain(server.url);
    expect(await panel.getByRole('button', { name: '管理团队或退出' }).count()).toBe(1);
    await panel.close();
  });

  it('leaving asks first, revokes the token on the server and keeps the annotations on this computer', async () => {
    const page = await openWithPizhu(profile, url);
    await dragSelectIn(page, page.mainFrame(), QUOTE);
    const toolbar = page.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    await toolbar.locator('.pz-note').fill('退出团队后也要留着');
    await toolbar.locator('.pz-primary').click();
    await expect.poll(async () => (await highlightTextsIn(page, ['pizhu-yellow']))['pizhu-yellow']).toEqual([QUOTE]);
    const token = (await storedRows<{ token: string }>(profile, 'teams'))[0]!.token;
    const me = () => fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);

    // Cancelling changes nothing.
    const questions: string[] = [];
    options.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await options.getByRole('button', { name: '退出团队' }).click();
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toBe('确定退出团队吗？服务器将不再接受本机的登录凭据；本机已保存的批注会保留。');
    expect(await options.locator('[data-testid="membership"]').count()).toBe(1);
    expect((await me()).status).toBe(200);

    options.once('dialog', (dialog) => void dialog.accept());
    await options.getByRole('button', { name: '退出团队' }).click();
    await options.locator('[data-testid="no-team"]').waitFor({ timeout: 15_000 });
    expect(await options.locator('.pz-success').textContent()).toBe('已退出团队，本机的批注都已保留。');
    expect(await options.locator('input[name="inviteCode"]').inputValue()).toBe('');
    await options.screenshot({ path: artifactPath('ui-membership-left.png'), fullPage: true });

    // The server no longer takes the token; the annotation is still here, and still on the page.
    expect((await me()).status).toBe(401);
    const kept = await ask(profile, { type: 'annotations.list', documentKey: documentKeyFor(url) });
    expect(kept.map((a) => [a.quote, a.note])).toEqual([[QUOTE, '退出团队后也要留着']]);
    await page.reload();
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-yellow']))['pizhu-yellow'], { timeout: 15_000 })
      .toEqual([QUOTE]);
    await page.close();
  });
});
