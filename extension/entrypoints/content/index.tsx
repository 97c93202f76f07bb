import { createRoot } from 'react-dom/client';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { PageUi } from '../../components/page/PageUi.tsx';
import { PageSession } from '../../lib/page/session.ts';
import pageUiCss from '../../components/page/page-ui.css?inline';

/**
 * Registered at runtime (never in the manifest) for the sites the user granted: loopback by default, others
 * from the popup. Runs in the top frame only; a body inside a same-origin or srcdoc iframe is reached from here.
 */
export default defineContentScript({
  matches: ['http://127.0.0.1/*', 'http://localhost/*'],
  registration: 'runtime',
  cssInjectionMode: 'manual',
  async main(ctx) {
    if (!/^https?:$/.test(location.protocol)) return;
    const session = new PageSession(document);
    const ui = await createShadowRootUi(ctx, {
      name: 'pizhu-ui',
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
    ui.mount();
    session.start();
    ctx.onInvalidated(() => session.stop());
  },
});
