/**
 * Site access in a real Firefox: a notice on a site Pizhu was never granted (127.0.0.2, outside the loopback
 * origins granted at install). Switched on from the popup, Firefox's optional host permission is granted (its
 * prompt answered "Allow": see launchFirefoxProfile), Pizhu starts in the open tab at once and, through the
 * content script registered for the granted sites, on every load after; switched off, the permission goes, Pizhu
 * leaves the page and is unregistered for the site.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirefoxProfile, launchFirefoxProfile, openFirefoxExtensionPage } from './harness.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

type Browser = {
  tabs: { query(filter: object): Promise<{ id?: number }[]> };
  permissions: { getAll(): Promise<{ origins?: string[] }> };
  scripting: { getRegisteredContentScripts(): Promise<{ matches?: string[] }[]> };
};

describe('Firefox: switching Pizhu on and off for a site from the popup', () => {
  let site: StaticServer;
  let profile: FirefoxProfile;
  /** An extension page kept open to ask the extension's APIs. */
  let probe: Page;
  let page: Page;
  let tabId: number;
  let url: string;

  /** What this profile has granted, and the sites its content script is registered for. */
  async function access(): Promise<{ origins: string[]; registered: string[] }> {
    return probe.evaluate(async () => {
      const api = (globalThis as unknown as { browser: Browser }).browser;
      const { origins = [] } = await api.permissions.getAll();
      const scripts = await api.scripting.getRegisteredContentScripts();
      return { origins, registered: scripts.flatMap((s) => s.matches ?? []) };
    });
  }

  async function tabIds(): Promise<number[]> {
    return probe.evaluate(async () => {
      const tabs = await (globalThis as unknown as { browser: Browser }).browser.tabs.query({});
      return tabs.map((tab) => tab.id ?? -1);
    });
  }

  async function openPopup(): Promise<Page> {
    const popup = await openFirefoxExtensionPage(profile, `popup.html?tabId=${tabId}&url=${encodeURIComponent(url)}`);
    await popup.waitForSelector('[role="switch"]:not([disabled])', { timeout: 15_000 });
    return popup;
  }

  beforeAll(async () => {
    site = await startStaticServer('127.0.0.2');
    url = `${site.url}/${PAGES.reference}`;
    profile = await launchFirefoxProfile('site-access');
    probe = await openFirefoxExtensionPage(profile, 'options.html');
    // Without access to a site the extension cannot read its tabs' URLs: the notice's tab is the one that is new.
    const before = await tabIds();
    page = await profile.browser.newPage();
    await page.goto(url);
    const opened = (await tabIds()).filter((id) => !before.includes(id));
    if (opened.length !== 1) throw new Error(`Expected one new tab, found ${opened.length}`);
    tabId = opened[0]!;
  }, 180_000);

  afterAll(async () => {
    await profile?.close();
    await site?.close();
  });

  it('is off on a site never granted, and asks for access', async () => {
    expect((await access()).origins).not.toContain('http://127.0.0.2/*');
    const popup = await openPopup();
    expect(await popup.$eval('[role="switch"]', (s) => s.getAttribute('aria-checked'))).toBe('false');
    expect(await page.$('pizhu-ui')).toBeNull();
    await popup.close();
  });

  it('switched on: the site is granted, Pizhu starts in the open tab at once and again after a reload', async () => {
    const popup = await openPopup();
    await popup.click('[role="switch"]');
    await popup.waitForSelector('[role="switch"][aria-checked="true"]:not([disabled])', { timeout: 15_000 });
    await page.waitForSelector('pizhu-ui', { timeout: 15_000 });
    await popup.close();

    const granted = await access();
    expect(granted.origins).toContain('http://127.0.0.2/*');
    expect(granted.registered).toContain('http://127.0.0.2/*');
    await page.reload();
    await page.waitForSelector('pizhu-ui', { timeout: 15_000 });
  });

  it('switched off: the permission is removed, Pizhu leaves the page and is no longer registered for the site', async () => {
    const popup = await openPopup();
    await popup.click('[role="switch"]');
    await popup.waitForSelector('[role="switch"][aria-checked="false"]:not([disabled])', { timeout: 15_000 });
    await page.waitForSelector('pizhu-ui', { hidden: true, timeout: 15_000 });
    await popup.close();

    const removed = await access();
    expect(removed.origins).not.toContain('http://127.0.0.2/*');
    expect(removed.registered).not.toContain('http://127.0.0.2/*');
  });
});
