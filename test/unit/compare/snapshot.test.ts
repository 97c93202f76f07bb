/**
 * Clause snapshots of the corpus pages: one entry per clause of segmentClauses(), with the anchoring library's
 * own clause hash, small enough for a room, identical whichever DOM read the page, and accepted by
 * parseSnapshot after a JSON round trip. (Hostile snapshots: bad-input.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetPageIndex, normalizeText, segmentClauses } from '../../../shared/anchoring/index.ts';
import {
  type ClauseSnapshot,
  parseSnapshot,
  SNAPSHOT_LIMITS,
  snapshotBytes,
  snapshotOf,
} from '../../../shared/compare/index.ts';
import { type LoadedPage, loadHtml, loadPage, pageNames } from '../anchoring/helpers/corpus.ts';

describe.each(pageNames())('snapshot of %s', (name) => {
  let page: LoadedPage;
  let snapshot: ClauseSnapshot;
  beforeAll(async () => {
    page = await loadPage(`pages/${name}.html`, 'jsdom');
    snapshot = snapshotOf(page.document);
  });
  afterAll(async () => {
    forgetPageIndex(page.document);
    await page.close();
  });

  it('has every clause, in order, with its label path, own text and the anchoring hash', () => {
    const clauses = segmentClauses(page.document);
    expect(snapshot.clauses.map((c) => c.path)).toEqual(clauses.map((c) => c.path));
    expect(snapshot.clauses.map((c) => c.hash)).toEqual(clauses.map((c) => c.hash));
    for (const [i, c] of snapshot.clauses.entries()) {
      // the own text is the clause's text from its label up to its first sub-clause, label excluded
      const whole = normalizeText(clauses[i]!.text);
      const label = c.kind === 'numbered' ? normalizeText(c.label) : '';
      expect(whole.startsWith(label + normalizeText(c.text))).toBe(true);
    }
  });

  it('survives a JSON round trip through parseSnapshot unchanged, well inside the size limit', () => {
    const stored = JSON.parse(JSON.stringify(snapshot));
    expect(parseSnapshot(stored)).toEqual(snapshot);
    expect(snapshotBytes(snapshot)).toBeLessThan(SNAPSHOT_LIMITS.jsonBytes / 2);
  });
});

describe('snapshot details', () => {
  it('reads the document title, issuer and number from the page', async () => {
    const page = await loadPage('pages/02-gov-vocational-edu-reform-2019.html', 'jsdom');
    const snapshot = snapshotOf(page.document);
    expect(snapshot.title).toContain('国家职业教育改革实施方案');
    expect(snapshot.docNumber).toBe('国发〔2019〕4号');
    forgetPageIndex(page.document);
    await page.close();
  });

  it('has the same content hash whichever DOM read the page', async () => {
    const hashes: string[] = [];
    for (const kind of ['jsdom', 'happy-dom'] as const) {
      const page = await loadPage('pages/01-suizhou-edu-2023.html', kind);
      hashes.push(snapshotOf(page.document).contentHash);
      forgetPageIndex(page.document);
      await page.close();
    }
    expect(hashes[0]).toBe(hashes[1]);
  });

  it('has a different content hash when one clause changes, the same when only its markup or spacing does', async () => {
    const html = (text: string) =>
      `<body><div class="content"><p>一、总体要求</p><p>1. ${text}</p><p>2. 加强组织领导。</p></div></body>`;
    const hashOf = async (text: string) => {
      const page = await loadHtml(html(text), 'jsdom');
      const hash = snapshotOf(page.document).contentHash;
      forgetPageIndex(page.document);
      await page.close();
      return hash;
    };
    const original = await hashOf('做好统计工作，提高数据质量。');
    expect(await hashOf('做好 <b>统计</b>工作,提高数据质量。')).toBe(original);
    expect(await hashOf('做好统计工作，提高统计数据质量。')).not.toBe(original);
  });
});
