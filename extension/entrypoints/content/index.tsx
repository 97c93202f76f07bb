import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { PageUi } from '../../components/page/PageUi.tsx';
import { applyLanguagePreference } from '../../components/common/bootstrap.tsx';
import { tabMessageSchema, type TabMessage } from '../../lib/messages.ts';
import { PageSession } from '../../lib/page/session.ts';
import pageUiCss from '../../components/page/page-ui.css?inline';

const UI_TAG = 'pizhu-ui';
const LOADED = Symbol.for('pizhu.content-script');

/**
 * Registered at runtime (never in the manifest) for the sites the user granted: loopback by default, others
 * from the popup; the popup can also inject it once into the open tab. Runs in the top frame only; a body inside
 * a same-origin or srcdoc iframe is reached from here.
 */
export default defineContentScript({
  matches: ['http://127.0.0.1/*', 'http://localhost/*'],
  registration: 'runtime',
  cssInjectionMode: 'manual',
  async main(ctx) {
    if (!/^https?:$/.test(location.protocol)) return;
    // Registered and injected by the popup in the same tab: run once.
    const scope = globalThis as unknown as Record<symbol, boolean>;
    if (scope[LOADED]) return;
    scope[LOADED] = true;

    await applyLanguagePreference();
    const paintLog: object[] = [];
    const session = new PageSession(document, {
      isOwnUi: (target) => (target as Element | null)?.nodeName?.toLowerCase() === UI_TAG,
      onStats: (stats) => {
        const host = ui.shadowHost;
        host.dataset.painted = String(stats.painted);
        host.dataset.orphans = String(stats.orphans);
        host.dataset.paintSlices = String(stats.slices);
        host.dataset.longestSliceMs = stats.longestSliceMs.toFixed(1);
        host.dataset.indexMs = stats.indexMs.toFixed(1);
        host.dataset.slowestAnchorMs = stats.slowestAnchorMs.toFixed(1);
        host.dataset.paintWindow = `${stats.startedAt.toFixed(1)}-${stats.endedAt.toFixed(1)}`;
        // The last few runs, for tests and benchmarks: how long each piece of work held the page.
        paintLog.push({
          anchored: stats.anchored,
          slices: stats.slices,
          indexMs: Math.round(stats.indexMs),
          longestSliceMs: Math.round(stats.longestSliceMs),
          slowestAnchorMs: Math.round(stats.slowestAnchorMs),
          startedAt: Math.round(stats.startedAt),
          endedAt: Math.round(stats.endedAt),
        });
        host.dataset.paintLog = JSON.stringify(paintLog.slice(-8));
      },
    });
    const ui = await createShadowRootUi(ctx, {
      name: UI_TAG,
      position: 'overlay',
      zIndex: 2147483647,
      css: pageUiCss,
      onMount(container) {
        const root = createRoot(container);
        root.render(<PageUi session={session} />);
        return root;
      },
      onRemove(root) {
        root?.unmount();
      },
    });
    if (!(await session.start())) {
      scope[LOADED] = false;
      return;
    }
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
          return { ok: session.scrollTo(message.id, true) };
        case 'page.reattach':
          return session.reattach(message.id);
        case 'page.command':
          session.command(message.command);
          return { ok: true };
        case 'page.report':
          return session.report();
        case 'page.disable':
          stop();
          return { ok: true };
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
