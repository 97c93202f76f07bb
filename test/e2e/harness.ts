/**
 * End-to-end harness: the real server (`node dist/server/main.js`, as a user starts it) on a free loopback port
 * with a fresh SQLite file, and real Chromium (Playwright) and Firefox (Puppeteer over WebDriver BiDi) profiles
 * with the built extension loaded. Nothing is mocked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import puppeteer, { type Browser as FirefoxBrowser, type Page as FirefoxPage } from 'puppeteer-core';
import { SERVER_MAIN, serverCli } from '../server-process.ts';
import { CHROME_BUILD, chromiumPath, HEADLESS_CHROMIUM_ARGS } from '../browser.ts';
import { highlightRangeTexts } from './in-page.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-results/e2e');

export function requireBuiltExtension(): void {
  if (!existsSync(join(CHROME_BUILD, 'manifest.json'))) {
    throw new Error('The extension is not built: run `npx wxt build` (npm test does it for you)');
  }
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export type RunningServer = {
  url: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
};

export { serverCli };

export function createTeam(dataDir: string, name: string): { teamId: string; inviteCode: string } {
  return JSON.parse(serverCli(dataDir, ['team', 'create', name, '--json'])) as { teamId: string; inviteCode: string };
}

/**
 * Starts the server as `npm run server` does, with a fresh data directory unless given one; `port` restarts a
 * stopped server where its clients look for it, `env` adds settings (PIZHU_LOCALE, limits…).
 */
export async function startServer(
  dataDir = mkdtempSync(join(tmpdir(), 'pizhu-e2e-data-')),
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [SERVER_MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The server did not start within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export type Profile = {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  dir: string;
  close(): Promise<void>;
};

/** A fresh Chromium profile with the built extension loaded; the browser speaks Chinese unless told otherwise. */
export async function launchProfile(
  name: string,
  dir = mkdtempSync(join(tmpdir(), `pizhu-${name}-`)),
  options: { locale?: string } = {},
): Promise<Profile> {
  requireBuiltExtension();
  const locale = options.locale ?? 'zh-CN';
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    headless: true,
    acceptDownloads: true,
    locale,
    viewport: { width: 1280, height: 900 },
    args: [
      ...HEADLESS_CHROMIUM_ARGS,
      `--lang=${locale}`,
      `--disable-extensions-except=${CHROME_BUILD}`,
      `--load-extension=${CHROME_BUILD}`,
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  await waitForContentScriptRegistration(worker);
  return {
    context,
    extensionId,
    worker,
    dir,
    close: async () => {
      await context.close();
    },
  };
}

/** The background registers the content script at start; pages opened before that would miss it. */
async function waitForContentScriptRegistration(worker: Worker): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const count = await worker.evaluate(async () => {
      type Scripting = { scripting: { getRegisteredContentScripts(): Promise<unknown[]> } };
      const api = (globalThis as unknown as { chrome: Scripting }).chrome;
      return (await api.scripting.getRegisteredContentScripts()).length;
    });
    if (count > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The extension did not register its content script');
}

export function extensionPage(profile: Profile, path: string): string {
  return `chrome-extension://${profile.extensionId}/${path}`;
}

/** What the join form needs of a page, in Playwright (Chromium) and Puppeteer (Firefox) alike. */
type FormDriver = {
  locator(selector: string): { fill(value: string): Promise<void>; click(): Promise<void> };
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  close(): Promise<void>;
};

/** Joins a team through the options page, as a user would, in a Chromium or a Firefox profile. */
export async function joinTeam(
  profile: Profile | FirefoxProfile,
  serverUrl: string,
  inviteCode: string,
  name: string,
): Promise<void> {
  let page: FormDriver;
  if ('context' in profile) {
    const chromiumPage = await profile.context.newPage();
    await chromiumPage.goto(extensionPage(profile, 'options.html'));
    page = chromiumPage;
  } else {
    page = await openFirefoxExtensionPage(profile, 'options.html');
  }
  await page.locator('input[name="serverUrl"]').fill(serverUrl);
  await page.locator('input[name="inviteCode"]').fill(inviteCode);
  await page.locator('input[name="displayName"]').fill(name);
  await page.locator('button[type="submit"]').click();
  await page.waitForSelector('.pz-success', { timeout: 15_000 });
  await page.close();
}

/** The text of every range in a named CSS highlight of the page (read from the page's own world). */
export async function highlightTexts(page: Page, name: string): Promise<string[]> {
  return page.evaluate(highlightRangeTexts, name);
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// --- Firefox ---------------------------------------------------------------------------------------------------
// Debian's firefox-esr driven by Puppeteer over WebDriver BiDi, with the Firefox build installed as a temporary
// add-on (what about:debugging's "Load Temporary Add-on" does).

export const FIREFOX_BUILD = join(ROOT, '.output/firefox-mv3');
const FIREFOX_OUTPUT_LIMIT = 200_000;

export function firefoxPath(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('Firefox is missing: sudo apt-get install -y firefox-esr');
  return found;
}

/** The add-on id of the Firefox build (browser_specific_settings.gecko.id, set in wxt.config.ts). */
function firefoxAddonId(): string {
  const path = join(FIREFOX_BUILD, 'manifest.json');
  if (!existsSync(path)) {
    throw new Error('The Firefox extension is not built: run `npx wxt build -b firefox` (npm test does it for you)');
  }
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${path} declares no gecko id`);
  return id;
}

export type FirefoxProfile = {
  browser: FirefoxBrowser;
  /** The host of the extension's pages, moz-extension://<uuid>/: Firefox gives each profile its own. */
  uuid: string;
  dir: string;
  /** Where downloads land (Firefox saves them without asking). */
  downloads: string;
  /** Firefox's output, with the extension's console messages (background included): read it when a step fails. */
  output(): string;
  /** Ends Firefox and deletes the profile. */
  close(): Promise<void>;
};

/** A fresh Firefox profile with the built extension installed, its content script registered. */
export async function launchFirefoxProfile(
  name: string,
  dir = mkdtempSync(join(tmpdir(), `pizhu-firefox-${name}-`)),
): Promise<FirefoxProfile> {
  const addonId = firefoxAddonId();
  const uuid = randomUUID();
  const downloads = join(dir, 'downloads');
  mkdirSync(downloads, { recursive: true });
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    protocol: 'webDriverBiDi',
    headless: true,
    userDataDir: dir,
    timeout: 90_000,
    defaultViewport: { width: 1280, height: 900 },
    // To WebDriver BiDi a moz-extension:// page is a privileged URL: navigating a tab there needs this flag.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      // The extension's pages live at moz-extension://<uuid>/; Firefox takes the uuid from this pref when the
      // add-on is installed, so the test chooses it instead of digging it out of the profile afterwards.
      'extensions.webextensions.uuids': JSON.stringify({ [addonId]: uuid }),
      // permissions.request() is granted as if the user clicked "Allow" in Firefox's prompt (which a headless
      // browser cannot show): joining a team asks for consent to send page content and the member's name.
      'extensions.webextOptionalPermissionPrompts': false,
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'devtools.console.stdout.content': true,
    },
  });
  let output = '';
  const record = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-FIREFOX_OUTPUT_LIMIT);
  };
  browser.process()?.stdout?.on('data', record);
  browser.process()?.stderr?.on('data', record);
  const profile: FirefoxProfile = {
    browser,
    uuid,
    dir,
    downloads,
    output: () => output,
    close: async () => {
      await browser.close().catch(() => undefined);
      removeDir(dir);
    },
  };
  try {
    const installed = await browser.installExtension(FIREFOX_BUILD);
    if (installed !== addonId) throw new Error(`Firefox installed ${installed}, expected ${addonId}`);
    await waitForFirefoxContentScriptRegistration(profile);
  } catch (error) {
    await profile.close();
    throw error;
  }
  return profile;
}

/**
 * Opens one of the extension's pages (options.html, sidepanel.html?url=…) in a new tab. Puppeteer's goto() waits
 * for a navigation event that Firefox 153 does not send for moz-extension:// loads (its BiDi navigation tracking
 * fails on the switch to the extension process), so the tab is navigated with the BiDi command directly.
 */
export async function openFirefoxExtensionPage(profile: FirefoxProfile, path: string): Promise<FirefoxPage> {
  const url = `moz-extension://${profile.uuid}/${path}`;
  const page = await profile.browser.newPage();
  type BidiFrame = { browsingContext?: { navigate(url: string, wait: 'complete'): Promise<unknown> } };
  const context = (page.mainFrame() as unknown as BidiFrame).browsingContext;
  if (!context) throw new Error('puppeteer-core changed: its BiDi frame has no browsingContext to navigate');
  await context.navigate(url, 'complete');
  const landed = await page.evaluate(() => location.href);
  if (landed !== url) throw new Error(`Opening ${url} landed on ${landed}`);
  return page;
}

/** The background registers the content script when it starts; a page opened before that would miss it. */
async function waitForFirefoxContentScriptRegistration(profile: FirefoxProfile): Promise<void> {
  const page = await openFirefoxExtensionPage(profile, 'options.html');
  try {
    await page.waitForFunction(
      async () => {
        type Scripting = { scripting: { getRegisteredContentScripts(): Promise<unknown[]> } };
        const api = (globalThis as unknown as { browser: Scripting }).browser;
        return (await api.scripting.getRegisteredContentScripts()).length > 0;
      },
      { timeout: 30_000, polling: 100 },
    );
  } catch (error) {
    throw new Error(`The extension did not register its content script in Firefox: ${error}\n${profile.output()}`);
  } finally {
    await page.close();
  }
}
