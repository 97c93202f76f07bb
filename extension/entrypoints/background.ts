import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { installCommandHandlers } from '../lib/commands.ts';
import { errorMessage } from '../lib/errors.ts';
import { acceptPagePort } from '../lib/background/page-ports.ts';
import { handleRequest } from '../lib/background/router.ts';
import { PizhuService } from '../lib/background/service.ts';
import { syncContentScriptRegistration } from '../lib/background/site-access.ts';

/** The periodic catch-up; alarms outlive the service worker, so a stopped worker is woken to sync. */
const SYNC_ALARM = 'pizhu-catch-up';
const SYNC_PERIOD_MINUTES = 1;

export default defineBackground(() => {
  const service = new PizhuService(undefined, {
    openPage: async (path) => {
      await browser.tabs.create({ url: browser.runtime.getURL(path as '/compare.html') });
    },
  });

  // Only this extension's own parts may talk to the background; pages cannot (no externally_connectable).
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== browser.runtime.id) return false;
    void handleRequest(service, message).then(sendResponse);
    return true;
  });

  browser.runtime.onConnect.addListener((port) => acceptPagePort(service.pages, port, browser.runtime.id));

  // Creating an alarm again would restart its period; the worker restarts often, so create it only once.
  void browser.alarms.get(SYNC_ALARM).then((existing) => {
    if (!existing) return browser.alarms.create(SYNC_ALARM, { periodInMinutes: SYNC_PERIOD_MINUTES });
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SYNC_ALARM) void service.catchUpIfDue().catch(logError);
  });
  globalThis.addEventListener?.('online', () => void service.syncNow().catch(logError));
  void service.start().catch(logError);
  installCommandHandlers();

  // On every wake (the browser started, an event, a page's port), and when access changes: the content script is
  // registered and running in the open tabs of granted sites (see site-access.ts). The onStartup listener makes
  // the browser start the worker with itself, so the tabs it restores get Pizhu without waiting for an event.
  const attach = () => void syncContentScriptRegistration().catch(logError);
  attach();
  browser.runtime.onStartup.addListener(() => {});
  browser.permissions.onAdded.addListener(attach);
  browser.permissions.onRemoved.addListener(attach);
});

function logError(error: unknown): void {
  console.warn('[pizhu] background sync:', errorMessage(error));
}
