import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { PageUi } from '../../components/page/PageUi.tsx';
import pageUiCss from '../../components/page/page-ui.css?inline';
import taskDialogCss from '../../components/page/tasks/task-dialog.css?inline';
import { ask } from '../../lib/ask.ts';
import { setLanguage } from '../../lib/i18n.ts';
import { type SettingsView, type TabMessage, tabMessageSchema } from '../../lib/messages.ts';
import { PageSession } from '../../lib/page/session.ts';
import { CONTENT_SCRIPT_MARK } from '../../lib/site.ts';

const UI_TAG = 'pizhu-ui';
const LOADED = Symbol.for(CONTENT_SCRIPT_MARK);

/**
 * Registered at runtime (never in the manifest) for the sites the user granted: loopback by default, others
 * from the popup; the popup can also inject it once into the open tab, and the background starts it in tabs
 * that loaded before it was registered (see background/site-access.ts). Runs in the top frame only; a body
 * inside a same-origin or srcdoc iframe is reached from here.
 */
export default defineContentScript({
  matches: ['http://127.0.0.1/*', 'http://localhost/*'],
  registration: 'runtime',
  cssInjectionMode: 'manual',
  async main(ctx) {
    if (!/^https?:$/.test(location.protocol)) return;
    // Injected more than once in the same page (registered, and started by the popup or the background): run once.
    const scope = globalThis as unknown as Record<symbol, boolean>;
    if (scope[LOADED]) return;
    scope[LOADED] = true;

    const settings = await readSettings();
    setLanguage(settings?.preferences.language ?? 'auto');
    if (settings?.preferences.disabledSites.includes(location.origin)) {
      scope[LOADED] = false;
      return;
    }
    const session = new PageSession(document, {
      settings,
      isOwnUi: (target) => (target as Element | null)?.nodeName?.toLowerCase() === UI_TAG,
    });
    const ui = await createShadowRootUi(ctx, {
      name: UI_TAG,
      position: 'overlay',
      zIndex: 2147483647,
      css: `${pageUiCss}\n${taskDialogCss}`,
      onMount(container) {
        const root = createRoot(container);
        root.render(<PageUi session={session} />);
        return root;
      },
      onRemove(root) {
        root?.unmount();
      },
    });
    session.start();
    ui.mount();

    const onMessage = (raw: unknown, sender: { id?: string }, sendResponse: (value: unknown) => void): boolean => {
      // Only this extension's own pages may drive the page; anything malformed is ignored.
      if (sender.id !== browser.runtime.id) return false;
      const parsed = tabMessageSchema.safeParse(raw);
      if (!parsed.success) return false;
      void handle(parsed.data).then(sendResponse);
      return true;
    };
    const handle = async (message: TabMessage): Promise<unknown> => {
      switch (message.type) {
        case 'page.scrollTo':
          return { ok: session.cards.scrollTo(message.id, true) };
        case 'page.reattach':
          return session.actions.reattach(message.id);
        case 'page.command':
          session.command(message.command);
          return { ok: true };
        case 'page.report':
          return session.report();
        case 'page.disable':
          stop();
          return { ok: true };
        case 'page.takeSnapshot': {
          const taken = session.takeSnapshot();
          return taken ? { documentKey: session.getState().documentKey, ...taken } : { error: 'no-body' };
        }
      }
    };
    const stop = () => {
      browser.runtime.onMessage.removeListener(onMessage);
      session.stop();
      ui.remove();
      scope[LOADED] = false;
    };
    browser.runtime.onMessage.addListener(onMessage);
    ctx.onInvalidated(stop);
  },
});

/** The user's settings; null when the background cannot answer now (the page starts anyway and reconnects). */
async function readSettings(): Promise<SettingsView | null> {
  try {
    return await ask({ type: 'settings.get' });
  } catch {
    return null;
  }
}
