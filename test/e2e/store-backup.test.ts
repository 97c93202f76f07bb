/**
 * Local backup through the options page: export everything from one browser, import it into another (twice:
 * the second import adds nothing), and the annotations come back as they were.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation } from '../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import { artifactPath, extensionPage, launchProfile, type Profile } from './harness.ts';
import { askBackground, storedRows } from './ui-support.ts';

const URL_01 = 'http://jyj.suizhou.gov.cn/fbjd_22/zwgk/t20230329_1089222.shtml';
const document = {
  key: documentKeyFor(URL_01),
  canonicalUrl: canonicalUrl(URL_01),
  url: URL_01,
  title: '市委教育工委 市教育局关于印发2023年工作要点的通知',
};
const create = (exact: string, note: string, tags: string[]) => ({
  type: 'annotation.create',
  annotation: {
    documentKey: document.key,
    selectors: [{ type: 'TextQuoteSelector', exact }],
    clausePath: ['二、', '8.'],
    quote: exact,
    note,
    tags,
  },
  document,
});

describe('backup from the options page', () => {
  let source: Profile;
  let target: Profile;

  beforeAll(async () => {
    [source, target] = await Promise.all([launchProfile('backup-source'), launchProfile('backup-target')]);
  });

  afterAll(async () => {
    await Promise.all([source?.close(), target?.close()]);
  });

  it('exports everything and imports it into another browser, twice without duplicates', async () => {
    const answers = await askBackground(source, [
      create('促进学生身心健康全面发展', '<b>体育</b> 与 "健康"', ['体育']),
      create('加强义务教育阶段学生体育锻炼', '第二条批注', ['体育', '健康']),
    ]);
    expect(answers.every((a) => a.ok)).toBe(true);
    const original = (await storedRows<Annotation>(source, 'annotations')).sort((a, b) => a.id.localeCompare(b.id));

    const options = await source.context.newPage();
    await options.goto(extensionPage(source, 'options.html'));
    const [download] = await Promise.all([
      options.waitForEvent('download'),
      options.click('[data-testid="backup-export"]'),
    ]);
    const file = artifactPath('pizhu-backup.jsonld');
    await download.saveAs(file);
    expect(JSON.parse(readFileSync(file, 'utf8')).type).toContain('AnnotationCollection');

    const page = await target.context.newPage();
    await page.goto(extensionPage(target, 'options.html'));
    await page.setInputFiles('[data-testid="backup-file"]', file);
    await expect.poll(() => page.locator('[data-testid="backup-result"]').textContent()).toMatch(/2\D+0/);
    await page.setInputFiles('[data-testid="backup-file"]', file);
    await expect.poll(() => page.locator('[data-testid="backup-result"]').textContent()).toMatch(/0\D+2/);
    await page.screenshot({ path: artifactPath('backup-imported.png'), fullPage: true });

    const restored = (await storedRows<Annotation>(target, 'annotations')).sort((a, b) => a.id.localeCompare(b.id));
    expect(restored).toEqual(original);
  });
});
