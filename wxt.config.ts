import { defineConfig } from 'wxt';

// Pizhu's extension. Source lives in extension/ (WXT's srcDir); shared/ is imported by relative path.
export default defineConfig({
  srcDir: 'extension',
  publicDir: 'extension/public',
  modules: ['@wxt-dev/module-react'],
  imports: false,
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'zh_CN',
    permissions: ['storage', 'activeTab', 'scripting', 'alarms', ...(browser === 'firefox' ? [] : ['sidePanel'])],
    // Access is asked per site (see the popup), never for every site at install.
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: { gecko: { id: 'pizhu@pizhu.dev', strict_min_version: '140.0' } },
        }
      : {}),
  }),
});
