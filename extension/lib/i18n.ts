/**
 * UI text comes only from the browser's i18n catalogues (extension/public/_locales). Keys are typed from the
 * Chinese catalogue, so a missing key is a compile error; a test checks both catalogues have the same keys.
 */
import { browser } from 'wxt/browser';
import type zhMessages from '../public/_locales/zh_CN/messages.json';

export type MessageKey = keyof typeof zhMessages;

export function t(key: MessageKey, substitutions?: string | string[]): string {
  return browser.i18n.getMessage(key, substitutions) || key;
}
