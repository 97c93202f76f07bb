#!/usr/bin/env node
// Renders extension/public/icon/pizhu.svg to the PNG sizes browsers ask for (16, 32, 48, 96, 128), with the
// system Chromium. Run after editing the SVG: `node scripts/make-icons.mjs`. The PNGs are committed.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const DIR = resolve(import.meta.dirname, '../extension/public/icon');
const SIZES = [16, 32, 48, 96, 128];
const svg = readFileSync(join(DIR, 'pizhu.svg'), 'utf8');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
try {
  for (const size of SIZES) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    await page.screenshot({ path: join(DIR, `${size}.png`), omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`Wrote ${SIZES.map((s) => `${s}.png`).join(', ')} to ${DIR}`);
