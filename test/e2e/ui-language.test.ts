/**
 * Every word in the user's language, with the real server (started as users start it) and real Chromium: the
 * server's refusals are worded from their codes in Chinese or English, an unreachable server too, the first team
 * is named in the server's locale, and date fields follow the UI language even in an American browser.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  extensionPage,
  launchProfile,
  type Profile,
  type RunningServer,
  startServer,
} from './harness.ts';
import { setPreferences } from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

/** Where nothing listens. */
const NO_SERVER = 'http://127.0.0.1:9';

describe('every word in the user’s language', () => {
  let server: RunningServer;
  let pages: StaticServer;
  let chinese: Profile;
  let american: Profile;
  let firstInvite: string;

  beforeAll(async () => {
    server = await startServer();
    pages = await startStaticServer();
    firstInvite = /Invite code: (\S+)/.exec(server.output())?.[1] ?? '';
    [chinese, american] = await Promise.all([
      launchProfile('language-zh'),
      launchProfile('language-us', undefined, { locale: 'en-US' }),
    ]);
    // Headless Chromium's own language is English whatever --lang says: set each profile's interface language.
    await Promise.all([setPreferences(chinese, { language: 'zh_CN' }), setPreferences(american, { language: 'en' })]);
  });

  afterAll(async () => {
    await Promise.all([chinese?.close(), american?.close()]);
    await pages?.close();
    await server?.stop();
  });

  async function tryToJoin(profile: Profile, serverUrl: string, inviteCode: string): Promise<Page> {
    const options = await profile.context.newPage();
    await options.goto(extensionPage(profile, 'options.html'));
    await options.fill('input[name="serverUrl"]', serverUrl);
    await options.fill('input[name="inviteCode"]', inviteCode);
    await options.fill('input[name="displayName"]', '王处长');
    await options.locator('button[type="submit"]').click();
    return options;
  }

  const refusal = (options: Page) =>
    options.locator('form[aria-labelledby="join-title"] [role="alert"]').textContent({ timeout: 20_000 });

  it('the server names its first team in its locale: 我的团队 by default, My team with PIZHU_LOCALE=en', async () => {
    expect(firstInvite).toMatch(/^[A-Z0-9-]{8,}$/);
    expect(server.output()).toContain('created the team "我的团队"');
    const english = await startServer(undefined, { env: { PIZHU_LOCALE: 'en' } });
    try {
      expect(english.output()).toContain('created the team "My team"');
    } finally {
      await english.stop();
    }
  });

  it('in Chinese: a wrong invite code and an unreachable server are said in Chinese; the first team is 我的团队', async () => {
    const wrong = await tryToJoin(chinese, server.url, 'WRNG-CODE-0000');
    expect(await refusal(wrong)).toBe('邀请码无效，请核对后重试');
    await wrong.close();

    const unreachable = await tryToJoin(chinese, NO_SERVER, firstInvite);
    expect(await refusal(unreachable)).toBe(`无法连接服务器 ${NO_SERVER}，请确认服务器已启动、地址无误`);
    await unreachable.screenshot({ path: artifactPath('ui-language-unreachable.png'), fullPage: true });
    await unreachable.close();

    const joined = await tryToJoin(chinese, server.url, firstInvite);
    await joined.locator('[data-testid="membership"]').waitFor({ timeout: 15_000 });
    expect(await joined.locator('[data-testid="team-name"]').textContent()).toBe('我的团队');
    await joined.close();
  });

  it('in English: the same refusals are said in English', async () => {
    const wrong = await tryToJoin(american, server.url, 'WRNG-CODE-0000');
    expect(await wrong.getByRole('heading', { level: 1 }).textContent()).toBe('Pizhu settings');
    expect(await refusal(wrong)).toBe('This invite code is not valid; check it and try again');
    await wrong.close();
    const unreachable = await tryToJoin(american, NO_SERVER, firstInvite);
    expect(await refusal(unreachable)).toBe(
      `Cannot reach the server at ${NO_SERVER}: is it running, and is the address right?`,
    );
    await unreachable.close();
  });

  it('dates follow the UI language, not the browser’s locale (Chinese Pizhu in an American browser)', async () => {
    await setPreferences(american, { language: 'zh_CN' });
    const panel = await american.context.newPage();
    await panel.goto(
      `${extensionPage(american, 'sidepanel.html')}?url=${encodeURIComponent(`${pages.url}/${PAGES.reference}`)}`,
    );
    await panel.locator('[data-export="dialog"]').click();
    const dialog = panel.getByRole('dialog');
    const from = dialog.locator('input[name="from"]');
    expect(await from.getAttribute('placeholder')).toBe('年-月-日');
    // An American would read 03/05/2024 as 5 March; Pizhu in Chinese takes year, month, day and says so.
    await from.fill('03/05/2024');
    await from.press('Tab');
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByTestId('date-hint').first().textContent()).toBe('请按“年-月-日”填写，例如 2024-03-05');
    await from.fill('2024/3/5');
    await from.press('Tab');
    expect(await from.inputValue()).toBe('2024-03-05');
    expect(await from.getAttribute('aria-invalid')).toBe('false');
    expect(await dialog.getByTestId('date-hint').first().textContent()).toBe('2024年3月5日');
    await panel.screenshot({ path: artifactPath('ui-language-dates-zh.png') });
    await panel.keyboard.press('Escape');

    await setPreferences(american, { language: 'en' });
    await panel.reload();
    await panel.locator('[data-export="dialog"]').click();
    const english = panel.getByRole('dialog').locator('input[name="from"]');
    expect(await english.getAttribute('placeholder')).toBe('YYYY-MM-DD');
    await english.fill('2024年3月5日');
    await english.press('Tab');
    expect(await english.inputValue()).toBe('2024-03-05');
    expect(await panel.getByRole('dialog').getByTestId('date-hint').first().textContent()).toBe('5 March 2024');
    await panel.close();
  });
});
