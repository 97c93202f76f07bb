/**
 * Working with the team, through the real server on loopback and two real Chromium profiles: colleagues'
 * highlights told apart by author (underline colour, legend with initials) and filterable, presence of
 * colleagues on the same page, a teammate's own note on someone else's highlight, private stays private.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { dragSelectIn, highlightPoint, highlightTextsIn, openWithPizhu, setPreferences } from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

const ITEM_8 = '促进学生身心健康全面发展';
const PRIVATE_TEXT = '加强教育系统党的领导和党的建设';
const PEERS = [0, 1, 2, 3, 4, 5, 6, 7].map((slot) => `pizhu-peer-${slot}`);

async function peerUnderlined(page: Page): Promise<string[]> {
  const all = await highlightTextsIn(page, PEERS);
  return Object.values(all).flat();
}

describe('with the team', () => {
  let server: RunningServer;
  let pages: StaticServer;
  let a: Profile;
  let b: Profile;
  let pageA: Page;
  let pageB: Page;
  let url: string;

  beforeAll(async () => {
    server = await startServer();
    pages = await startStaticServer();
    const team = createTeam(server.dataDir, '教育局政策研究组');
    [a, b] = await Promise.all([launchProfile('ui-team-a'), launchProfile('ui-team-b')]);
    await joinTeam(a, server.url, team.inviteCode, '张伟');
    await joinTeam(b, server.url, team.inviteCode, '李娜');
    await Promise.all([setPreferences(a, { language: 'zh_CN' }), setPreferences(b, { language: 'zh_CN' })]);
    url = `${pages.url}/${PAGES.reference}`;
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await pages?.close();
    await server?.stop();
  });

  it('A shares one highlight with the team and keeps one private', async () => {
    pageA = await openWithPizhu(a, url);
    await dragSelectIn(pageA, pageA.mainFrame(), ITEM_8);
    const toolbar = pageA.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    expect(await toolbar.locator('.pz-visibility').getAttribute('data-visibility')).toBe('team');
    await toolbar.locator('.pz-tags').fill('体育');
    await toolbar.locator('.pz-tags').press('Enter');
    await toolbar.locator('.pz-note').fill('纳入下季度督查');
    await toolbar.locator('.pz-primary').click();
    await expect.poll(async () => (await highlightTextsIn(pageA, ['pizhu-yellow']))['pizhu-yellow']).toEqual([ITEM_8]);

    await dragSelectIn(pageA, pageA.mainFrame(), PRIVATE_TEXT);
    await toolbar.waitFor();
    await toolbar.locator('.pz-visibility').click();
    expect(await toolbar.locator('.pz-visibility').getAttribute('data-visibility')).toBe('private');
    await toolbar.locator('.pz-primary').click();
    await expect.poll(async () => (await highlightTextsIn(pageA, ['pizhu-yellow']))['pizhu-yellow']).toHaveLength(2);
    // The user's own highlights carry no colleague underline.
    expect(await peerUnderlined(pageA)).toEqual([]);
  });

  it('B sees A’s highlight underlined in A’s colour, never A’s private one, and A appears in the legend', async () => {
    pageB = await openWithPizhu(b, url);
    await expect.poll(() => peerUnderlined(pageB), { timeout: 10_000 }).toEqual([ITEM_8]);
    expect((await highlightTextsIn(pageB, ['pizhu-yellow']))['pizhu-yellow']).toEqual([ITEM_8]);
    await pageB.locator('pizhu-ui .pz-badge button[aria-expanded]').click();
    const legend = pageB.locator('pizhu-ui .pz-legend');
    await legend.waitFor();
    expect(await legend.textContent()).toContain('张伟');
    // The badge shows the surname, in the colour of A's member id (the underline's colour too).
    const badge = legend.locator('.pz-avatar');
    expect(await badge.allTextContents()).toEqual(['张']);
    expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      await legend.locator('.pz-underline-sample').evaluate((el) => getComputedStyle(el).borderBottomColor),
    );
    await pageB.screenshot({ path: artifactPath('ui-team-legend.png') });
  });

  it('presence: each sees the other reading the same page', async () => {
    await expect
      .poll(() => pageB.locator('pizhu-ui [data-testid="presence"]').getAttribute('aria-label'), { timeout: 15_000 })
      .toContain('张伟');
    await expect
      .poll(() => pageA.locator('pizhu-ui [data-testid="presence"]').getAttribute('aria-label'), { timeout: 15_000 })
      .toContain('李娜');
    await pageA.screenshot({ path: artifactPath('ui-team-presence.png') });
  });

  it('B hides A’s highlights with the legend switch, and shows them again', async () => {
    const toggle = pageB.locator('pizhu-ui .pz-legend input[type="checkbox"]');
    await toggle.uncheck();
    await expect.poll(() => peerUnderlined(pageB)).toEqual([]);
    await toggle.check();
    await expect.poll(() => peerUnderlined(pageB)).toEqual([ITEM_8]);
    await pageB.locator('pizhu-ui .pz-badge button[aria-expanded]').click();
  });

  it('B cannot edit A’s note but adds her own; A sees it on the card and in the side panel', async () => {
    const point = await highlightPoint(pageB, pageB.mainFrame(), 'pizhu-yellow');
    await pageB.mouse.click(point.x, point.y);
    const card = pageB.locator('pizhu-ui .pz-card');
    await card.waitFor();
    expect(await card.locator('textarea').count()).toBe(0);
    expect(await card.locator('.pz-note-text').textContent()).toBe('纳入下季度督查');
    expect(await card.locator('.pz-danger').count()).toBe(0);
    await card.locator('.pz-reply-input').fill('同意，建议同时列入简报');
    await card.locator('.pz-reply-form button[type="submit"]').click();
    await expect
      .poll(() => card.locator('.pz-reply').allTextContents())
      .toEqual([expect.stringContaining('同意，建议同时列入简报')]);
    await pageB.screenshot({ path: artifactPath('ui-team-reply.png') });

    const pointA = await highlightPoint(pageA, pageA.mainFrame(), 'pizhu-yellow', 0);
    await pageA.mouse.click(pointA.x, pointA.y);
    const cardA = pageA.locator('pizhu-ui .pz-card');
    await cardA.waitFor();
    await expect
      .poll(() => cardA.locator('.pz-reply').allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining('李娜')]);

    const panel = await a.context.newPage();
    await panel.setViewportSize({ width: 400, height: 800 });
    await panel.goto(`${extensionPage(a, 'sidepanel.html')}?url=${encodeURIComponent(url)}`);
    await panel.locator('[data-reply-id]').waitFor();
    expect(await panel.locator('[data-reply-id]').textContent()).toContain('同意，建议同时列入简报');
    await panel.selectOption('select[name="filterAuthor"]', { label: '李娜' });
    // A's highlight stays listed: her colleague's note is on it.
    expect(await panel.locator('.pz-clause-group blockquote').allTextContents()).toEqual([ITEM_8]);
    await panel.screenshot({ path: artifactPath('ui-team-panel.png') });
    await panel.close();
  });
});
