/**
 * The first page opened right after the browser starts (every tab a browser restores at startup) gets Pizhu:
 * its badge and its highlights. A profile that already belongs to a team and holds annotations is copied
 * afresh for each of ten launches, and the notice is opened the moment the browser is up, without waiting for
 * the extension's worker. Before the fix, most launches showed nothing at all: the page loaded before the worker
 * had registered the content script, and nothing started it in tabs already open.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import { createTeam, joinTeam, launchProfile, removeDir, type RunningServer, startServer } from './harness.ts';
import { askBackground, highlightTextsIn } from './ui-support.ts';
import {
  CHROME_BUILD,
  chromiumPath,
  HEADLESS_CHROMIUM_ARGS,
  PAGES,
  startStaticServer,
  type StaticServer,
} from '../browser.ts';

const QUOTES = ['促进学生身心健康全面发展', '广泛开展学生阅读活动'];
const LAUNCHES = 10;

describe('the first page after the browser starts', () => {
  let server: RunningServer;
  let pages: StaticServer;
  let seedDir: string;
  let url: string;

  beforeAll(async () => {
    server = await startServer();
    const team = createTeam(server.dataDir, '教育局');
    pages = await startStaticServer();
    url = `${pages.url}/${PAGES.reference}`;
    const seed = await launchProfile('startup-seed');
    await joinTeam(seed, server.url, team.inviteCode, '张伟');
    const document = { key: documentKeyFor(url), canonicalUrl: canonicalUrl(url), url, title: '工作要点' };
    const answers = await askBackground(
      seed,
      QUOTES.map((exact) => ({
        type: 'annotation.create',
        annotation: {
          documentKey: document.key,
          selectors: [{ type: 'TextQuoteSelector', exact }],
          clausePath: [],
          quote: exact,
        },
        document,
      })),
    );
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    seedDir = seed.dir;
    await seed.close();
  });

  afterAll(async () => {
    await pages?.close();
    await server?.stop();
    if (seedDir) removeDir(seedDir);
  });

  it(`shows the badge and the highlights in ${LAUNCHES} of ${LAUNCHES} launches, the page opened at once`, async () => {
    const outcomes: string[] = [];
    for (let launch = 1; launch <= LAUNCHES; launch++) {
      const dir = mkdtempSync(join(tmpdir(), 'pizhu-startup-'));
      cpSync(seedDir, dir, { recursive: true });
      const context = await chromium.launchPersistentContext(dir, {
        executablePath: chromiumPath(),
        headless: true,
        locale: 'zh-CN',
        args: [
          ...HEADLESS_CHROMIUM_ARGS,
          `--disable-extensions-except=${CHROME_BUILD}`,
          `--load-extension=${CHROME_BUILD}`,
        ],
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(url);
        const shown = await page
          .locator('pizhu-ui .pz-badge')
          .waitFor({ timeout: 15_000 })
          .then(async () => {
            await expect
              .poll(async () => (await highlightTextsIn(page, ['pizhu-yellow']))['pizhu-yellow']!.sort(), {
                timeout: 15_000,
              })
              .toEqual([...QUOTES].sort());
            return 'badge and highlights';
          })
          .catch((error: Error) => `missing: ${error.message.split('\n')[0]}`);
        outcomes.push(`launch ${launch}: ${shown}`);
      } finally {
        await context.close();
        removeDir(dir);
      }
    }
    expect(outcomes).toEqual(Array.from({ length: LAUNCHES }, (_, i) => `launch ${i + 1}: badge and highlights`));
  }, 400_000);
});
