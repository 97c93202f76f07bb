import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { t } from '../../lib/i18n.ts';

function Popup() {
  return (
    <main className="pz-page">
      <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
        {t('options_title')}
      </button>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<Popup />);
