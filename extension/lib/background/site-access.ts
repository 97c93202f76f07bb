/**
 * Pizhu runs only on the sites the user granted (optional host permissions, asked per site from the popup),
 * plus loopback for a self-hosted server's demo page. The content script is registered at runtime for exactly
 * the granted origins, and kept so whenever permissions change.
 *
 * A registered script only reaches pages that load after the registration. At browser start the tabs it
 * restores load while the registration may be missing (Chrome drops runtime-registered scripts when it loads
 * the extension anew: an update, an unpacked build) and the worker has not run yet; a page that finished
 * loading first never got Pizhu, and showed nothing until reloaded. So whenever the worker wakes it also starts
 * Pizhu in the open tabs of granted sites that lack it (the content script runs once per page, see
 * CONTENT_SCRIPT_MARK).
 */
import { browser } from 'wxt/browser';
import { CONTENT_SCRIPT_FILE, CONTENT_SCRIPT_MARK } from '../site.ts';

const SCRIPT_ID = 'pizhu-content';

export function isPageOrigin(pattern: string): boolean {
  return /^(https?|\*):\/\//.test(pattern) || pattern === '<all_urls>';
}

export async function grantedPageOrigins(): Promise<string[]> {
  const { origins = [] } = await browser.permissions.getAll();
  return origins.filter(isPageOrigin);
}

/**
 * Registers the content script for the granted origins (changing a registration in place, so no page loading
 * meanwhile falls in a gap), then starts it in the open tabs that loaded without it.
 */
export async function syncContentScriptRegistration(): Promise<void> {
  const matches = await grantedPageOrigins();
  const [existing] = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (!matches.length) {
    if (existing) await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
    return;
  }
  if (!existing) {
    await browser.scripting.registerContentScripts([
      { id: SCRIPT_ID, js: [CONTENT_SCRIPT_FILE], matches, runAt: 'document_idle', persistAcrossSessions: true },
    ]);
  } else if (!sameSet(existing.matches ?? [], matches)) {
    await browser.scripting.updateContentScripts([{ id: SCRIPT_ID, js: [CONTENT_SCRIPT_FILE], matches }]);
  }
  await startInOpenTabs(matches);
}

/** Starts the content script in every open tab of these origins that does not run it yet. */
async function startInOpenTabs(matches: string[]): Promise<void> {
  const tabs = await browser.tabs.query({ url: matches });
  await Promise.all(
    tabs.map(async ({ id: tabId, discarded }) => {
      // A discarded tab has no page yet: it gets the registered script when it loads.
      if (tabId === undefined || discarded) return;
      try {
        const [probe] = await browser.scripting.executeScript({
          target: { tabId },
          func: (mark: string) => (globalThis as Record<symbol, unknown>)[Symbol.for(mark)] !== undefined,
          args: [CONTENT_SCRIPT_MARK],
        });
        if (probe?.result === true) return;
        await browser.scripting.executeScript({ target: { tabId }, files: [CONTENT_SCRIPT_FILE] });
      } catch {
        // The tab closed or navigated meanwhile, or shows a page no script may run in (an error page).
      }
    }),
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}
