/**
 * Which page an extension page (side panel, popup) is about: the `url` query parameter when given (a panel
 * opened in its own tab, or by a test), else the active tab of the current window.
 */
import { browser } from 'wxt/browser';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';

export type TargetPage = { url: string; documentKey: string; canonicalUrl: string; tabId?: number };

export async function targetPage(): Promise<TargetPage | null> {
  const fromQuery = new URLSearchParams(location.search).get('url');
  let url = fromQuery;
  let tabId: number | undefined;
  if (!url) {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    url = tab?.url ?? null;
    tabId = tab?.id;
  }
  if (!url) return null;
  try {
    return { url, documentKey: documentKeyFor(url), canonicalUrl: canonicalUrl(url), tabId };
  } catch {
    return null;
  }
}
