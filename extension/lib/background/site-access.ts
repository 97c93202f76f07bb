/**
 * Pizhu runs only on the sites the user granted (optional host permissions, asked per site from the popup),
 * plus loopback for a self-hosted server's demo page. The content script is registered at runtime for exactly
 * the granted origins, and re-registered whenever permissions change.
 */
import { browser } from 'wxt/browser';

const SCRIPT_ID = 'pizhu-content';
const CONTENT_SCRIPT = 'content-scripts/content.js';

export function isPageOrigin(pattern: string): boolean {
  return /^(https?|\*):\/\//.test(pattern) || pattern === '<all_urls>';
}

export async function grantedPageOrigins(): Promise<string[]> {
  const { origins = [] } = await browser.permissions.getAll();
  return origins.filter(isPageOrigin);
}

export async function syncContentScriptRegistration(): Promise<void> {
  const matches = await grantedPageOrigins();
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (existing.length) await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  if (!matches.length) return;
  await browser.scripting.registerContentScripts([
    { id: SCRIPT_ID, js: [CONTENT_SCRIPT], matches, runAt: 'document_idle', persistAcrossSessions: true },
  ]);
}
