/**
 * Starts an extension page (side panel, popup, options): applies the language chosen in the options, then
 * renders. A background that cannot be reached still gets the page rendered, in the browser's language.
 */
import type { ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { ask } from '../../lib/ask.ts';
import { currentLanguage, setLanguage } from '../../lib/i18n.ts';

export async function applyLanguagePreference(): Promise<void> {
  try {
    const settings = await ask({ type: 'settings.get' });
    setLanguage(settings.preferences?.language ?? 'auto');
  } catch {
    setLanguage('auto');
  }
}

export async function renderExtensionPage(app: ReactNode): Promise<void> {
  await applyLanguagePreference();
  document.documentElement.lang = currentLanguage() === 'en' ? 'en' : 'zh-CN';
  createRoot(document.getElementById('root')!).render(app);
}
