/**
 * The popup (this site on or off, this page's counts) and the options page (server URL checked, defaults,
 * display name, shortcuts, language, sites), in real Chromium with the built extension. The popup is opened as
 * a tab with ?tabId=&url= (a test cannot click the toolbar button); the browser's permission prompt cannot be
 * answered headless, so switching a not-yet-granted site on is not covered here (loopback is granted at install).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, extensionPage, launchProfile, type Profile } from './harness.ts';
import { askBackground, dragSelectIn, highlightTextsIn, openWithPizhu, tabIdOf, waitForPainted } from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

type Settings = {
  preferences: {
    defaultColor: string;
    defaultVisibility: string;
    language: string;
    displayName?: string;
    disabledSites: string[];
  };
};

async function settings(profile: Profile): Promise<Settings> {
  const [answer] = await askBackground(profile, [{ type: 'settings.get' }]);
  return answer!.value as Settings;
}

describe('popup and options', () => {
  let server: StaticServer;
  let profile: Profile;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    server = await startStaticServer();
    profile = await launchProfile('ui-popup');
    url = `${server.url}/${PAGES.reference}`;
  });

  afterAll(async () => {
    await profile?.close();
    await server?.close();
  });

  async function openPopup(): Promise<Page> {
    const tabId = await tabIdOf(profile.worker, url);
    const popup = await profile.context.newPage();
    await popup.setViewportSize({ width: 320, height: 420 });
    await popup.goto(`${extensionPage(profile, 'popup.html')}?tabId=${tabId}&url=${encodeURIComponent(url)}`);
    await popup.locator('[role="switch"]').waitFor();
    return popup;
  }

  it('options: checks the server URL before sending anything, in the chosen language', async () => {
    const options = await profile.context.newPage();
    await options.goto(extensionPage(profile, 'options.html'));
    await options.locator('[data-testid="no-team"]').waitFor();
    await options.selectOption('select[name="language"]', 'zh_CN');
    await options.getByRole('heading', { name: '批注设置' }).waitFor();

    await options.fill('input[name="serverUrl"]', 'ftp://example.org');
    await options.fill('input[name="inviteCode"]', 'abc');
    await options.fill('input[name="displayName"]', '王芳');
    await options.getByRole('button', { name: '加入' }).click();
    await options.getByText('服务器地址必须以 http:// 或 https:// 开头').waitFor();
    await options.fill('input[name="serverUrl"]', 'not a url');
    await options.locator('input[name="serverUrl"]').blur();
    await options.getByText('这不是有效的网址').waitFor();
    expect(await options.locator('input[name="serverUrl"]').getAttribute('aria-invalid')).toBe('true');
    // A well-formed URL where no server listens: a clear error, nothing saved.
    await options.fill('input[name="serverUrl"]', 'http://127.0.0.1:9');
    await options.getByRole('button', { name: '加入' }).click();
    await options
      .locator('form[aria-labelledby="join-title"] [role="alert"]')
      .waitFor({ timeout: 20_000 })
      .catch(async (error: unknown) => {
        await options.screenshot({ path: artifactPath('ui-options-join-error.png'), fullPage: true });
        console.log(await options.locator('form[aria-labelledby="join-title"]').textContent());
        throw error;
      });
    expect((await settings(profile)).preferences.displayName).toBeUndefined();
    await options.close();
  });

  it('options: default colour and visibility, display name, shortcuts, sites', async () => {
    const options = await profile.context.newPage();
    await options.goto(extensionPage(profile, 'options.html'));
    await options.getByRole('heading', { name: '批注默认设置' }).waitFor();
    await options.getByLabel('紫色').check();
    await options.fill('input[name="preferredName"]', '王芳');
    await options.getByRole('button', { name: '保存', exact: true }).click();
    await expect
      .poll(async () => (await settings(profile)).preferences)
      .toMatchObject({ defaultColor: 'purple', displayName: '王芳' });

    const shortcuts = await options
      .locator('tr[data-command]')
      .evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute('data-command'), row.querySelector('td')!.textContent]),
      );
    expect(Object.fromEntries(shortcuts)).toEqual({
      'highlight-selection': 'Alt+Shift+H',
      'tag-selection': 'Alt+Shift+G',
      'next-annotation': 'Alt+Shift+J',
      'previous-annotation': '未设置',
      'open-side-panel': 'Alt+Shift+S',
    });
    expect(await options.locator('[data-testid="granted-sites"]').textContent()).toContain('http://127.0.0.1/*');
    await options.screenshot({ path: artifactPath('ui-options.png'), fullPage: true });
    await options.close();
  });

  it('a new highlight uses the default colour, and is private before joining a team', async () => {
    page = await openWithPizhu(profile, url);
    await waitForPainted(page, 0);
    await dragSelectIn(page, page.mainFrame(), '促进学生身心健康全面发展');
    const toolbar = page.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    expect(await toolbar.locator('.pz-swatch[aria-checked="true"]').getAttribute('data-color')).toBe('purple');
    expect(await toolbar.locator('.pz-visibility').isDisabled()).toBe(true);
    await toolbar.locator('.pz-primary').click();
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-purple']))['pizhu-purple'])
      .toEqual(['促进学生身心健康全面发展']);
  });

  it('popup: shows the site on and the page counts; turning it off removes Pizhu from the page and keeps it off', async () => {
    const popup = await openPopup();
    expect(await popup.locator('[role="switch"]').getAttribute('aria-checked')).toBe('true');
    expect(await popup.locator('.pz-site-name').textContent()).toBe(new URL(url).host);
    await expect.poll(() => popup.locator('[data-testid="count-total"]').textContent()).toBe('1');
    expect(await popup.locator('[data-testid="count-mine"]').textContent()).toBe('1');
    await popup.screenshot({ path: artifactPath('ui-popup-on.png') });

    await popup.locator('[role="switch"]').click();
    await expect.poll(() => popup.locator('[role="switch"]').getAttribute('aria-checked')).toBe('false');
    await expect.poll(() => page.locator('pizhu-ui').count()).toBe(0);
    expect((await highlightTextsIn(page, ['pizhu-purple']))['pizhu-purple']).toEqual([]);
    expect((await settings(profile)).preferences.disabledSites).toEqual([new URL(url).origin]);
    await popup.screenshot({ path: artifactPath('ui-popup-off.png') });

    await page.reload();
    await page.waitForTimeout(1_500);
    expect(await page.locator('pizhu-ui').count()).toBe(0);
    await popup.close();
  });

  it('popup: turning it back on starts Pizhu in the open tab at once', async () => {
    const popup = await openPopup();
    expect(await popup.locator('[role="switch"]').getAttribute('aria-checked')).toBe('false');
    await popup.locator('[role="switch"]').click();
    await expect.poll(() => popup.locator('[role="switch"]').getAttribute('aria-checked')).toBe('true');
    await page.waitForSelector('pizhu-ui', { state: 'attached' });
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-purple']))['pizhu-purple'])
      .toEqual(['促进学生身心健康全面发展']);
    expect((await settings(profile)).preferences.disabledSites).toEqual([]);
    await popup.close();
  });

  it('language: switching to English changes every extension page and the in-page UI', async () => {
    const options = await profile.context.newPage();
    await options.goto(extensionPage(profile, 'options.html'));
    await options.selectOption('select[name="language"]', 'en');
    await options.getByRole('heading', { name: 'Pizhu settings' }).waitFor();
    expect(await options.evaluate(() => document.documentElement.lang)).toBe('en');
    await options.close();
    await page.reload();
    await page.waitForSelector('pizhu-ui', { state: 'attached' });
    await page.locator('pizhu-ui .pz-mode').waitFor();
    expect(await page.locator('pizhu-ui .pz-mode').textContent()).toBe('Clause mode');
    const popup = await openPopup();
    expect(await popup.getByRole('button', { name: 'Open side panel' }).count()).toBe(1);
    await popup.close();
  });
});
