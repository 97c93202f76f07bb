/**
 * A stand-in for `wxt/browser` in component tests (happy-dom): i18n from the real English catalogue, and
 * runtime/tabs calls recorded so tests can answer them and check what the UI sent.
 */
import { vi } from 'vitest';
import enMessages from '../../../extension/public/_locales/en/messages.json';
import { formatMessage } from '../../../extension/lib/i18n-format.ts';

export type Sent = { to: 'background' | 'tab'; tabId?: number; message: { type: string; [key: string]: unknown } };

export function createFakeBrowser() {
  const sent: Sent[] = [];
  let backgroundAnswer: (message: Sent['message']) => unknown = () => ({ ok: true, value: null });
  let tabAnswer: (tabId: number, message: Sent['message']) => unknown = () => undefined;
  const browser = {
    i18n: {
      getMessage: (key: string, substitutions?: string | string[]) => formatMessage(enMessages, key, substitutions),
      getUILanguage: () => 'en-US',
    },
    runtime: {
      id: 'pizhu-test',
      sendMessage: vi.fn(async (message: Sent['message']) => {
        sent.push({ to: 'background', message });
        return backgroundAnswer(message);
      }),
      openOptionsPage: vi.fn(async () => undefined),
      getManifest: () => ({ host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'] }),
    },
    tabs: {
      query: vi.fn(async () => [{ id: 7, url: 'http://127.0.0.1:8080/notice.html', windowId: 1 }]),
      sendMessage: vi.fn(async (tabId: number, message: Sent['message']) => {
        sent.push({ to: 'tab', tabId, message });
        return tabAnswer(tabId, message);
      }),
      create: vi.fn(async () => ({})),
      onActivated: { addListener: vi.fn(), removeListener: vi.fn() },
      onUpdated: { addListener: vi.fn(), removeListener: vi.fn() },
    },
    permissions: {
      getAll: vi.fn(async () => ({ origins: ['http://127.0.0.1/*'] })),
      contains: vi.fn(async () => true),
      request: vi.fn(async () => true),
      remove: vi.fn(async () => true),
    },
    commands: { getAll: vi.fn(async () => []) },
  };
  return {
    browser,
    sent,
    answerBackground(fn: typeof backgroundAnswer) {
      backgroundAnswer = fn;
    },
    answerTab(fn: typeof tabAnswer) {
      tabAnswer = fn;
    },
  };
}
