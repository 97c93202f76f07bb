/**
 * UI text comes only from the browser's i18n catalogues (extension/public/_locales). Keys are typed from the
 * Chinese catalogue, so a missing key is a compile error; a test checks both catalogues have the same keys.
 *
 * By default the browser picks the catalogue (Chinese for a Chinese browser). A user who chose a language in
 * the options overrides that: the chosen catalogue (bundled) is then formatted here with the same placeholder
 * rules as `i18n.getMessage`, because the browser API cannot switch languages at run time.
 */
import { browser } from 'wxt/browser';
import enMessages from '../public/_locales/en/messages.json';
import zhMessages from '../public/_locales/zh_CN/messages.json';
import { errorInfo, errorParamNames } from './errors.ts';
import { formatMessage, type Catalogue } from './i18n-format.ts';

export { formatMessage } from './i18n-format.ts';

export type MessageKey = keyof typeof zhMessages;
export type Language = 'auto' | 'zh_CN' | 'en';

const CATALOGUES: Record<Exclude<Language, 'auto'>, Catalogue> = { zh_CN: zhMessages, en: enMessages };

let chosen: Catalogue | null = null;
let chosenLanguage: Language = 'auto';

/** Uses a language chosen in the options ('auto' follows the browser). */
export function setLanguage(language: Language): void {
  chosenLanguage = language;
  chosen = language === 'auto' ? null : CATALOGUES[language];
}

/** The language text is shown in now. */
export function currentLanguage(): Exclude<Language, 'auto'> {
  if (chosenLanguage !== 'auto') return chosenLanguage;
  return /^zh/i.test(browser.i18n.getUILanguage()) ? 'zh_CN' : 'en';
}

export function t(key: MessageKey, substitutions?: string | string[]): string {
  if (chosen) return formatMessage(chosen, key, substitutions) || key;
  return browser.i18n.getMessage(key, substitutions) || key;
}

/**
 * Any error in the UI language: its code's text (`error_<code>`, the params in the order errors.ts lists them),
 * else, for a code this version does not know (a newer server) or an internal failure, a generic line with what
 * it said.
 */
export function errorText(error: unknown): string {
  const { code, params, detail } = errorInfo(error);
  const key = `error_${code}`;
  if (code !== 'internal' && /^[a-z0-9_]+$/.test(code)) {
    const values = errorParamNames(code).map((name) => String(params?.[name] ?? ''));
    const text = t(key as MessageKey, values);
    if (text && text !== key) return text;
  }
  return detail ? t('error_unknown', detail) : t('error_internal');
}

/** The label of a sync state ("not-joined" → status_not_joined: catalogue keys allow only [A-Za-z0-9_]). */
export function syncStateLabel(state: string): string {
  return t(`status_${state.replace(/-/g, '_')}` as MessageKey);
}
