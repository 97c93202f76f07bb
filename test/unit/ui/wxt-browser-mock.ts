/**
 * `wxt/browser` for component tests, as a module: `vi.mock('wxt/browser', () => import('./wxt-browser-mock.ts'))`,
 * then `const { fake } = await import('./wxt-browser-mock.ts')` to answer and inspect what the UI sends. Each test
 * file gets its own (vitest isolates test files).
 */
import { createFakeBrowser } from './fake-browser.ts';

export const fake = createFakeBrowser();
export const browser = fake.browser;
