/** Talking to the content script of the page the panel is about. */
import { browser } from 'wxt/browser';
import type { PageReport, TabMessage } from '../../lib/messages.ts';
import type { TargetPage } from '../../lib/target-page.ts';

/** The tab showing the page: the one given, else an open tab with this URL (a panel opened with ?url=). */
export async function tabOf(page: TargetPage): Promise<number | undefined> {
  if (page.tabId !== undefined) return page.tabId;
  const base = page.url.split('#', 1)[0]!;
  const tabs = await browser.tabs.query({}).catch(() => []);
  return tabs.find((tab) => tab.url && tab.url.split('#', 1)[0] === base)?.id;
}

export async function tellPage<T = unknown>(page: TargetPage, message: TabMessage): Promise<T> {
  const tabId = await tabOf(page);
  if (tabId === undefined) throw new Error('no-tab');
  return (await browser.tabs.sendMessage(tabId, message)) as T;
}

export async function readReport(page: TargetPage): Promise<PageReport | null> {
  try {
    const report = await tellPage<PageReport | undefined>(page, { type: 'page.report' });
    return report && report.documentKey === page.documentKey ? report : null;
  } catch {
    return null;
  }
}
