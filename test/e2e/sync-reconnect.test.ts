/**
 * Coming back after the server was down, with the real server process stopped and started again on the same
 * port and data: a page being read is connected again within 5 s of the server being reachable (the retries are
 * capped, and reaching the server starts the catch-up that sends what was made offline); meanwhile the side panel
 * and the popup say how many changes wait to be sent and offer "立即重连", which, like opening the panel, tries at
 * once instead of waiting out the catch-up's backoff.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentInfo } from '../../shared/model/annotation.ts';
import { documentKeyFor, canonicalUrl } from '../../shared/model/canonical-url.ts';
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
import { ask, create } from './sync-helpers.ts';
import { dragSelectIn, highlightTextsIn, openWithPizhu, setPreferences, tabIdOf } from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

/**
 * Long enough for a room's retries to reach their cap (3 s, after about 4 failures) several times over, and for
 * the catch-up to fail and back off; the old uncapped retries were tens of seconds apart by then.
 */
const OUTAGE_MS = 20_000;
/** A person notices a wait longer than this. */
const RECONNECT_BUDGET_MS = 5_000;

const badgeState = (page: Page) => page.locator('pizhu-ui .pz-badge').getAttribute('data-sync-state');
const status = (profile: Profile) => ask(profile, { type: 'sync.status' });

describe('reconnecting after the server was down', () => {
  let server: RunningServer;
  let port: number;
  let pages: StaticServer;
  let reader: Profile;
  let away: Profile;
  let url: string;

  beforeAll(async () => {
    server = await startServer();
    port = Number(new URL(server.url).port);
    pages = await startStaticServer();
    const team = createTeam(server.dataDir, '教育局政策研究组');
    [reader, away] = await Promise.all([launchProfile('reconnect-reader'), launchProfile('reconnect-away')]);
    await joinTeam(reader, server.url, team.inviteCode, '王处长');
    await joinTeam(away, server.url, team.inviteCode, '李科长');
    await Promise.all([setPreferences(reader, { language: 'zh_CN' }), setPreferences(away, { language: 'zh_CN' })]);
    url = `${pages.url}/${PAGES.reference}`;
  });

  afterAll(async () => {
    await Promise.all([reader?.close(), away?.close()]);
    await pages?.close();
    await server?.stop();
  });

  async function restartServer(): Promise<number> {
    server = await startServer(server.dataDir, { port });
    return Date.now();
  }

  it('a page being read is connected again within 5 s of the server being back, and sends what was made offline', async () => {
    const page = await openWithPizhu(reader, url);
    await expect.poll(() => badgeState(page), { timeout: 15_000 }).toBe('online');

    await server.stop();
    const down = Date.now();
    await expect.poll(() => badgeState(page), { timeout: 15_000 }).toBe('offline');
    await dragSelectIn(page, page.mainFrame(), '促进学生身心健康全面发展');
    const toolbar = page.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    await toolbar.locator('.pz-note').fill('断网时写的批注');
    await toolbar.locator('.pz-primary').click();
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-yellow']))['pizhu-yellow'])
      .toEqual(['促进学生身心健康全面发展']);

    // The side panel says what waits and offers to reconnect.
    const panel = await reader.context.newPage();
    const tabId = await tabIdOf(reader.worker, url);
    await panel.goto(`${extensionPage(reader, 'sidepanel.html')}?url=${encodeURIComponent(url)}&tabId=${tabId}`);
    const notice = panel.locator('[data-testid="sync-notice"]');
    await notice.waitFor();
    await expect.poll(() => notice.locator('[data-testid="sync-unsent"]').textContent()).toBe('1 处修改待发送');
    expect(await notice.textContent()).toContain(`无法连接服务器 ${server.url}`);
    expect(await notice.getByRole('button', { name: '立即重连' }).count()).toBe(1);
    await panel.screenshot({ path: artifactPath('sync-reconnect-offline-panel.png') });

    await page.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - down)));
    const back = await restartServer();
    await expect.poll(() => badgeState(page), { timeout: 30_000, interval: 100 }).toBe('online');
    const reconnectMs = Date.now() - back;
    console.log(`[reconnect] page online ${reconnectMs} ms after the server was back (outage ${back - down} ms)`);
    expect(reconnectMs).toBeLessThan(RECONNECT_BUDGET_MS);

    // What was made offline reached the server: nothing waits, the panel's notice is gone.
    await expect.poll(async () => (await status(reader)).pending, { timeout: RECONNECT_BUDGET_MS }).toBeUndefined();
    await notice.waitFor({ state: 'detached', timeout: 10_000 });
    await page.close();
    await panel.close();
  });

  /** A document no page shows: only the catch-up (with its backoff) carries its changes. */
  const unopened = (n: number): DocumentInfo => {
    const address = `${pages.url}/not-open-${n}.html`;
    return {
      key: documentKeyFor(address),
      canonicalUrl: canonicalUrl(address),
      url: address,
      title: `未打开的通知 ${n}`,
    };
  };

  /**
   * A change while the server is down, and failed catch-ups enough for a backoff of a minute or more: nothing
   * but the action under test brings this browser back within seconds.
   */
  async function changeWhileDown(n: number): Promise<void> {
    await server.stop();
    await create(away, unopened(n), '第一条', { note: `断网时写的 ${n}`, visibility: 'team' });
    for (let attempt = 0; attempt < 4; attempt++) {
      expect((await ask(away, { type: 'sync.now' })).state).toBe('offline');
    }
    expect((await status(away)).unsent).toBe(1);
  }

  const online = async (profile: Profile) => (await status(profile)).state === 'online';

  it('the popup says what waits; "立即重连" reaches the server at once instead of waiting out the backoff', async () => {
    await changeWhileDown(1);
    const popup = await away.context.newPage();
    await popup.setViewportSize({ width: 320, height: 480 });
    await popup.goto(`${extensionPage(away, 'popup.html')}?url=${encodeURIComponent(unopened(1).url)}`);
    const notice = popup.locator('[data-testid="sync-notice"]');
    await notice.waitFor();
    expect(await notice.locator('[data-testid="sync-unsent"]').textContent()).toBe('1 处修改待发送');
    await popup.screenshot({ path: artifactPath('sync-reconnect-offline-popup.png') });

    await restartServer();
    expect(await online(away)).toBe(false);
    const clicked = Date.now();
    await notice.getByRole('button', { name: '立即重连' }).click();
    await expect.poll(() => online(away), { timeout: 15_000, interval: 100 }).toBe(true);
    const reconnectMs = Date.now() - clicked;
    console.log(`[reconnect] popup online ${reconnectMs} ms after "立即重连"`);
    expect(reconnectMs).toBeLessThan(RECONNECT_BUDGET_MS);
    expect((await status(away)).pending).toBeUndefined();
    await notice.waitFor({ state: 'detached', timeout: 5_000 });
    await popup.close();
  });

  it('opening the side panel tries the server at once', async () => {
    await changeWhileDown(2);
    await restartServer();
    expect(await online(away)).toBe(false);
    const opened = Date.now();
    const panel = await away.context.newPage();
    await panel.goto(`${extensionPage(away, 'sidepanel.html')}?url=${encodeURIComponent(unopened(2).url)}`);
    await expect
      .poll(() => panel.locator('.pz-header .pz-sync').getAttribute('data-sync-state'), {
        timeout: 15_000,
        interval: 100,
      })
      .toBe('online');
    const reconnectMs = Date.now() - opened;
    console.log(`[reconnect] side panel online ${reconnectMs} ms after it opened`);
    expect(reconnectMs).toBeLessThan(RECONNECT_BUDGET_MS);
    expect((await status(away)).pending).toBeUndefined();
    await panel.close();
  });
});
