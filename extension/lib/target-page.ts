/**
 * Which page an extension page (side panel, popup) is about: the `url` (and optional `tabId`) query parameters
 * when given (a panel opened in its own tab, or by a test), else the active tab of the current window.
 */
import { browser } from 'wxt/browser';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';

export type TargetPage = {
  url: string;
  documentKey: string;
  canonicalUrl: string;
  tabId?: number;
  windowId?: number;
};

export async function targetPage(search: string = location.search): Promise<TargetPage | null> {
  const query = new URLSearchParams(search);
  let url = query.get('url');
  const tabParam = Number(query.get('tabId'));
  let tabId: number | undefined = Number.isInteger(tabParam) && tabParam > 0 ? tabParam : undefined;
  let windowId: number | undefined;
  if (!url) {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    url = tab?.url ?? null;
    tabId = tab?.id;
    windowId = tab?.windowId;
  }
  if (!url) return null;
  try {
    return { url, documentKey: documentKeyFor(url), canonicalUrl: canonicalUrl(url), tabId, windowId };
  } catch {
    return null;
  }
}

/** Calls back when the user switches tabs or the active tab navigates (a side panel follows the page). */
export function onTargetChange(callback: () => void): () => void {
  if (new URLSearchParams(location.search).get('url')) return () => undefined;
  const onActivated = () => callback();
  const onUpdated = (_id: number, change: { url?: string; status?: string }) => {
    if (change.url || change.status === 'complete') callback();
  };
  browser.tabs.onActivated.addListener(onActivated);
  browser.tabs.onUpdated.addListener(onUpdated);
  return () => {
    browser.tabs.onActivated.removeListener(onActivated);
    browser.tabs.onUpdated.removeListener(onUpdated);
  };
}
