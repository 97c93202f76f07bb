/**
 * End-to-end harness: the real server (`node dist/server/main.js`, as a user starts it) on a free loopback port
 * with a fresh SQLite file, and real Chromium profiles with the built extension loaded. Nothing is mocked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { SERVER_MAIN, serverCli } from '../server-process.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROME_BUILD = join(ROOT, '.output/chrome-mv3');
export const ARTIFACTS = join(ROOT, 'test-results/e2e');

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('Chromium is missing: sudo apt-get install -y chromium fonts-noto-cjk');
  return found;
}

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

export async function startServer(dataDir = mkdtempSync(join(tmpdir(), 'pizhu-e2e-data-'))): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_MAIN], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir },
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

/** A fresh Chromium profile with the built extension loaded. */
export async function launchProfile(
  name: string,
  dir = mkdtempSync(join(tmpdir(), `pizhu-${name}-`)),
): Promise<Profile> {
  requireBuiltExtension();
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    headless: true,
    acceptDownloads: true,
    locale: 'zh-CN',
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=zh-CN',
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

/** Joins a team through the options page, as a user would. */
export async function joinTeam(profile: Profile, serverUrl: string, inviteCode: string, name: string): Promise<void> {
  const page = await profile.context.newPage();
  await page.goto(extensionPage(profile, 'options.html'));
  await page.fill('input[name="serverUrl"]', serverUrl);
  await page.fill('input[name="inviteCode"]', inviteCode);
  await page.fill('input[name="displayName"]', name);
  await page.click('button[type="submit"]');
  await page.waitForSelector('.pz-success', { timeout: 15_000 });
  await page.close();
}

/** The text of every range in a named CSS highlight of the page (read from the page's own world). */
export async function highlightTexts(page: Page, name: string): Promise<string[]> {
  return page.evaluate((name) => {
    const highlight = (CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights.get(name);
    return highlight ? [...highlight].map((range) => range.toString()) : [];
  }, name);
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
