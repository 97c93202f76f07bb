/**
 * Runs the benchmark inside headless Chromium (the Debian package at /usr/bin/chromium, driven by playwright-core):
 * the measurement module and the three libraries are bundled with esbuild and evaluated in a blank page, on the
 * page and its edited copy parsed with DOMParser. Real DOM Ranges and tree walks cost what they cost in a browser,
 * so the ratios reflect the algorithms rather than a DOM implemented in JavaScript.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Edit, Options } from './measure.ts';
import { HEADLESS_CHROMIUM_ARGS } from '../../test/browser.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function runInChromium(
  v1: string,
  v2: string,
  edits: [number, Edit[]][],
  options: Options,
): Promise<void> {
  const bundle = await build({
    entryPoints: [path.join(here, 'browser-entry.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: HEADLESS_CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const { lines } = await page.evaluate(([a, b, c, d]) => window.pizhuBench(a, b, c, d), [
      v1,
      v2,
      edits,
      options,
    ] as const);
    for (const line of lines) console.log(line);
  } finally {
    await browser.close();
  }
}
