/**
 * Both builds: the Chrome MV3 manifest and the Firefox MV3 one, checked against what each browser needs, and the
 * Firefox build linted by Mozilla's own linter (web-ext lint, offline). `npm test` builds both before this runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness.ts';

const CHROME = join(ROOT, '.output/chrome-mv3');
const FIREFOX = join(ROOT, '.output/firefox-mv3');
const WEB_EXT = join(ROOT, 'node_modules/.bin/web-ext');

type Manifest = Record<string, unknown> & {
  manifest_version: number;
  permissions?: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  background?: { service_worker?: string; scripts?: string[] };
  commands?: Record<string, { description?: string }>;
  icons?: Record<string, string>;
  default_locale?: string;
  browser_specific_settings?: {
    gecko?: { id?: string; strict_min_version?: string; data_collection_permissions?: { required?: string[] } };
  };
  sidebar_action?: { default_panel?: string };
  content_security_policy?: { extension_pages?: string };
  side_panel?: { default_path?: string };
  action?: { default_popup?: string };
};

function manifestOf(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npx wxt build\` and \`npx wxt build -b firefox\` (npm test does)`);
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

/** Every __MSG_key__ in the manifest names a message of the default catalogue. */
function missingMessages(dir: string, manifest: Manifest): string[] {
  const catalogue = JSON.parse(
    readFileSync(join(dir, `_locales/${manifest.default_locale}/messages.json`), 'utf8'),
  ) as Record<string, unknown>;
  const keys = [...JSON.stringify(manifest).matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)].map((m) => m[1]!);
  return keys.filter((key) => !(key in catalogue));
}

function common(dir: string, manifest: Manifest): void {
  expect(manifest.manifest_version).toBe(3);
  expect(missingMessages(dir, manifest)).toEqual([]);
  expect(
    existsSync(join(dir, '_locales/zh_CN/messages.json')) && existsSync(join(dir, '_locales/en/messages.json')),
  ).toBe(true);
  for (const file of Object.values(manifest.icons ?? {})) expect(existsSync(join(dir, file)), file).toBe(true);
  expect(Object.keys(manifest.icons ?? {}).sort()).toEqual(['128', '16', '32', '48', '96']);
  // Access is asked per site: no host is granted at install except loopback (a self-hosted server's demo page).
  expect(manifest.host_permissions).toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
  expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
  expect(manifest.permissions).toContain('activeTab');
  expect(Object.keys(manifest.commands ?? {}).sort()).toEqual([
    'highlight-selection',
    'next-annotation',
    'open-side-panel',
    'previous-annotation',
    'tag-selection',
  ]);
  expect(existsSync(join(dir, manifest.action!.default_popup!))).toBe(true);
}

describe('extension manifests', () => {
  it('Chrome MV3: a service worker and the side panel', () => {
    const manifest = manifestOf(CHROME);
    common(CHROME, manifest);
    expect(manifest.background).toEqual({ service_worker: 'background.js' });
    expect(manifest.side_panel?.default_path).toBe('sidepanel.html');
    expect(manifest.permissions).toContain('sidePanel');
    expect(manifest.sidebar_action).toBeUndefined();
    expect(manifest.browser_specific_settings).toBeUndefined();
  });

  it('Firefox MV3: gecko id and minimum version, background scripts, a sidebar instead of the side panel', () => {
    const manifest = manifestOf(FIREFOX);
    common(FIREFOX, manifest);
    const gecko = manifest.browser_specific_settings?.gecko;
    expect(gecko?.id).toMatch(/^[\w.-]+@[\w.-]+$/);
    // 128: optional host permissions in MV3; 140 is the project's floor.
    expect(Number(gecko?.strict_min_version?.split('.')[0])).toBeGreaterThanOrEqual(128);
    expect(gecko?.data_collection_permissions?.required).toEqual(['none']);
    expect(manifest.background?.scripts).toEqual(['background.js']);
    expect(manifest.background?.service_worker).toBeUndefined();
    expect(manifest.sidebar_action?.default_panel).toBe('sidepanel.html');
    expect(existsSync(join(FIREFOX, 'sidepanel.html'))).toBe(true);
    expect(manifest.side_panel).toBeUndefined();
    expect(manifest.permissions).not.toContain('sidePanel');
    // Firefox's default adds upgrade-insecure-requests, which turns ws:// to a plain-HTTP team server into wss://.
    expect(manifest.content_security_policy?.extension_pages).toBe("script-src 'self'");
  });

  it('Firefox MV3: web-ext lint finds no error', () => {
    manifestOf(FIREFOX);
    const result = spawnSync(WEB_EXT, ['lint', '--source-dir', FIREFOX, '--output', 'json', '--no-config-discovery'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_UPDATE_NOTIFIER: '1' },
    });
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
      summary: { errors: number; warnings: number; notices: number };
      errors: { code: string; message: string; file?: string }[];
      warnings: { code: string; message: string; file?: string }[];
    };
    console.log(
      `[web-ext lint] ${report.summary.errors} errors, ${report.summary.warnings} warnings: ` +
        report.warnings.map((w) => `${w.code} (${w.file})`).join(', '),
    );
    expect(report.errors).toEqual([]);
    // The manifest itself is clean; warnings are about bundled library code (React's innerHTML, zod's eval probe).
    expect(report.warnings.filter((w) => w.file === 'manifest.json')).toEqual([]);
  });
});
