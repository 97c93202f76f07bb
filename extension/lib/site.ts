/**
 * Whether Pizhu runs on a site, and switching it. Pizhu asks for access one site at a time (optional host
 * permissions), so "on" means: the site's origin is granted and the user has not switched it off.
 *
 * Switching off removes the site's permission, so Pizhu can no longer read that site at all and the content
 * script is unregistered for it (see background/site-access.ts). Install-time grants (loopback, for a
 * self-hosted server's demo page) cannot be removed, so those are recorded in `preferences.disabledSites`
 * instead, which the content script checks before it starts.
 */
import { browser } from 'wxt/browser';
import { ask } from './ask.ts';
import type { Preferences, TabMessage } from './messages.ts';

export const CONTENT_SCRIPT_FILE = '/content-scripts/content.js';
/**
 * Symbol.for key the content script sets in its world while it is loaded (true while it runs, false once
 * stopped or switched off there), so it runs once per page however often it is injected.
 */
export const CONTENT_SCRIPT_MARK = 'pizhu.content-script';

export type SiteState = {
  origin: string;
  /** The match pattern asked for: "https://www.gov.cn/*". */
  pattern: string;
  granted: boolean;
  /** Granted in the manifest, so it can only be switched off through preferences. */
  builtIn: boolean;
  disabled: boolean;
  on: boolean;
};

/** The site of a page URL, or null for pages Pizhu never runs on (browser pages, files, the extension). */
export function siteOf(url: string | undefined): { origin: string; pattern: string } | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return { origin: parsed.origin, pattern: `${parsed.protocol}//${parsed.hostname}/*` };
  } catch {
    return null;
  }
}

function builtInPatterns(): string[] {
  const manifest = browser.runtime.getManifest() as { host_permissions?: string[] };
  return manifest.host_permissions ?? [];
}

export async function siteState(url: string | undefined, preferences: Preferences): Promise<SiteState | null> {
  const site = siteOf(url);
  if (!site) return null;
  const granted = await browser.permissions.contains({ origins: [site.pattern] });
  const builtIn = builtInPatterns().includes(site.pattern);
  const disabled = preferences.disabledSites.includes(site.origin);
  return { ...site, granted, builtIn, disabled, on: granted && !disabled };
}

/**
 * Asks the browser for access to the site. Call it first thing in a click handler: the permission prompt
 * needs the user's gesture, which any earlier `await` would lose.
 */
export function requestSiteAccess(pattern: string): Promise<boolean> {
  return browser.permissions.request({ origins: [pattern] });
}

/** After access was granted (or for a one-time run through activeTab): start Pizhu in the open tab now. */
export async function startInTab(tabId: number): Promise<void> {
  await browser.scripting.executeScript({ target: { tabId }, files: [CONTENT_SCRIPT_FILE] });
}

export async function enableSite(state: SiteState, preferences: Preferences, tabId: number | undefined): Promise<void> {
  if (state.disabled) {
    await ask({
      type: 'settings.update',
      patch: { disabledSites: preferences.disabledSites.filter((o) => o !== state.origin) },
    });
  }
  if (tabId !== undefined) await startInTab(tabId);
}

export async function disableSite(
  state: SiteState,
  preferences: Preferences,
  tabId: number | undefined,
): Promise<void> {
  let removed = false;
  if (!state.builtIn) removed = await browser.permissions.remove({ origins: [state.pattern] }).catch(() => false);
  if (!removed && !preferences.disabledSites.includes(state.origin)) {
    await ask({ type: 'settings.update', patch: { disabledSites: [...preferences.disabledSites, state.origin] } });
  }
  if (tabId !== undefined) {
    const message: TabMessage = { type: 'page.disable' };
    await browser.tabs.sendMessage(tabId, message).catch(() => undefined);
  }
}
