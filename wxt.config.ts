import { defineConfig } from 'wxt';

/**
 * Keyboard shortcuts (browser commands, rebindable in the browser's shortcut settings). Chrome honours at most
 * four suggested keys, so "previous annotation" starts unbound; the in-page card also has previous/next buttons.
 */
export const COMMANDS = {
  'highlight-selection': { suggested_key: { default: 'Alt+Shift+H' }, description: '__MSG_command_highlight__' },
  'tag-selection': { suggested_key: { default: 'Alt+Shift+G' }, description: '__MSG_command_tag__' },
  'next-annotation': { suggested_key: { default: 'Alt+Shift+J' }, description: '__MSG_command_next__' },
  'previous-annotation': { description: '__MSG_command_previous__' },
  'open-side-panel': { suggested_key: { default: 'Alt+Shift+S' }, description: '__MSG_command_side_panel__' },
} as const;

// Pizhu's extension. Source lives in extension/ (WXT's srcDir); shared/ is imported by relative path.
export default defineConfig({
  srcDir: 'extension',
  publicDir: 'extension/public',
  modules: ['@wxt-dev/module-react'],
  imports: false,
  // The sources zip (for store review) leaves out local state and test artefacts: databases, screenshots, reports.
  zip: { excludeSources: ['data/**', 'test-results/**', 'bench/**/results.json'] },
  // MV3 for Firefox too (WXT would build MV2 for it by default): one manifest model, host access asked per site.
  manifestVersion: 3,
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'zh_CN',
    permissions: ['storage', 'activeTab', 'scripting', 'alarms', ...(browser === 'firefox' ? [] : ['sidePanel'])],
    // Access is asked per site (see the popup), never for every site at install.
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    action: { default_title: '__MSG_extName__' },
    commands: COMMANDS,
    ...(browser === 'firefox'
      ? {
          // Firefox's default MV3 policy adds upgrade-insecure-requests, which turns the socket to a team server
          // at ws://… into wss://… and fails (servers on a LAN or this machine speak plain HTTP). Chrome's default
          // has no such directive; the rest is Firefox's default.
          content_security_policy: { extension_pages: "script-src 'self'" },
          browser_specific_settings: {
            gecko: {
              id: 'pizhu@pizhu.dev',
              strict_min_version: '142.0', // data_collection_permissions: Firefox 140 desktop, 142 Android
              // Nothing leaves the browser until the user joins a team; joining asks for this consent (options page).
              data_collection_permissions: {
                required: ['none'],
                optional: ['websiteContent', 'personallyIdentifyingInfo'],
              },
            },
          },
        }
      : {}),
  }),
});
