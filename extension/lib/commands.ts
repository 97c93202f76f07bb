/**
 * Keyboard shortcuts are browser commands (declared in wxt.config.ts, rebindable by the user). They arrive in
 * the background: the side panel opens from here (a command counts as a user gesture); the others go to the
 * active tab's content script, which acts on the page's selection and highlights.
 */
import { browser } from 'wxt/browser';
import { PAGE_COMMANDS, type PageCommand, type TabMessage } from './messages.ts';
import { openSidePanel } from './side-panel.ts';

export function isPageCommand(command: string): command is PageCommand {
  return (PAGE_COMMANDS as readonly string[]).includes(command);
}

export function installCommandHandlers(): void {
  browser.commands?.onCommand.addListener((command, tab) => {
    if (command === 'open-side-panel') {
      void openSidePanel(tab?.windowId).catch((error) => console.warn('[pizhu] could not open the side panel', error));
    } else if (isPageCommand(command) && tab?.id !== undefined) {
      const message: TabMessage = { type: 'page.command', command };
      // No content script on this tab (Pizhu is off for the site): nothing to do.
      void browser.tabs.sendMessage(tab.id, message).catch(() => undefined);
    }
  });
}
