/**
 * Opens Pizhu's panel beside the page: Chrome's side panel, Firefox's sidebar. Must be called straight from a
 * user gesture (a click, a keyboard command) with nothing awaited before it, or the browser refuses.
 */
import { browser } from 'wxt/browser';
import { PizhuError } from './errors.ts';

type FirefoxSidebar = { sidebarAction?: { open(): Promise<void> } };

export function openSidePanel(windowId: number | undefined): Promise<void> {
  const firefox = (browser as unknown as FirefoxSidebar).sidebarAction;
  if (firefox) return firefox.open();
  if (!browser.sidePanel || windowId === undefined) return Promise.reject(new PizhuError('no_side_panel'));
  return browser.sidePanel.open({ windowId });
}
