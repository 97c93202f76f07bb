/**
 * Bad and awkward input: an empty page, a page with no numbering, a 1,000,000-character page, malformed selectors
 * and selectors from another page, ranges across <br>, characters outside the BMP, a range inside an iframe.
 * Bad input gets a clear error (describe) or an orphan with a reason (anchor), never an exception from anchor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  anchor,
  AnchoringError,
  clauseAt,
  createPageIndex,
  describe as describeRange,
  findBody,
  forgetPageIndex,
  normalizeText,
  pageTextHash,
  segmentClauses,
} from '../../../shared/anchoring/index.ts';
import type { Selector } from '../../../shared/model/annotation.ts';
import { type DomKind, loadHtml, type LoadedPage } from './helpers/corpus.ts';

const open: LoadedPage[] = [];
afterEach(async () => {
  for (const page of open.splice(0)) {
    forgetPageIndex(page.document);
    await page.close();
  }
});

async function page(html: string, kind: DomKind = 'happy-dom'): Promise<Document> {
  const loaded = await loadHtml(html, kind);
  open.push(loaded);
  return loaded.document;
}

function textRange(doc: Document, node: Node, start: number, endNode: Node, end: number): Range {
  const range = doc.createRange();
  range.setStart(node, start);
  range.setEnd(endNode, end);
  return range;
}

const quoteOf = (selectors: Selector[]) =>
  selectors.find((s) => s.type === 'TextQuoteSelector') as Extract<Selector, { type: 'TextQuoteSelector' }>;

for (const kind of ['happy-dom', 'jsdom'] as DomKind[]) {
  describe(`bad and awkward input (${kind})`, () => {
    it('an empty page: no clauses, anchors are orphans, describe refuses', async () => {
      const doc = await page('<!DOCTYPE html><html><head></head><body></body></html>', kind);
      expect(segmentClauses(doc)).toEqual([]);
      expect(anchor(doc, [{ type: 'TextQuoteSelector', exact: '任何文字' }]).status).toBe('orphan');
      expect(() => describeRange(doc, doc.createRange())).toThrow(AnchoringError);
      expect(typeof pageTextHash(doc)).toBe('string');
      expect(findBody(doc)).not.toBeUndefined();
    });

    it('a page without numbering falls back to paragraphs as clauses', async () => {
      const doc = await page(
        '<body><div id="main"><p>这是第一段没有编号的文字，讲述背景。</p><p>这是第二段，提出要求。</p><p>这是第三段，作出说明。</p></div></body>',
        kind,
      );
      const clauses = segmentClauses(doc);
      expect(clauses.map((c) => c.label)).toEqual(['¶1', '¶2', '¶3']);
      expect(clauses.every((c) => c.kind === 'paragraph' && c.level === 1)).toBe(true);
      expect(clauses[1]!.text).toBe('这是第二段，提出要求。');
      const p2 = doc.querySelectorAll('p')[1]!.firstChild!;
      const selectors = describeRange(doc, textRange(doc, p2, 2, p2, 6));
      expect(selectors.find((s) => s.type === 'ClauseSelector')).toMatchObject({ path: ['¶2'] });
      const result = anchor(doc, selectors);
      expect(result.status).toBe('exact');
      expect(result.range!.toString()).toBe('第二段，');
    });

    it('malformed selectors and selectors from another page give orphans with a reason, never an exception', async () => {
      const doc = await page(
        '<body><div id="zoom"><p>一、总体要求</p><p>（一）指导思想。坚持稳中求进。</p></div></body>',
        kind,
      );
      const bad: unknown[] = [
        null,
        undefined,
        42,
        'TextQuoteSelector',
        {},
        [],
        [null],
        [{ type: 'TextQuoteSelector' }],
        [{ type: 'TextQuoteSelector', exact: '' }],
        [{ type: 'TextQuoteSelector', exact: 42 }],
        [{ type: 'TextQuoteSelector', exact: '   \n\t ' }],
        [{ type: 'TextPositionSelector', start: 5, end: 2 }],
        [{ type: 'TextPositionSelector', start: 0, end: 5 }],
        [{ type: 'ClauseSelector', path: ['一、'], hash: 'x' }],
        [{ type: 'Unknown', exact: '指导思想' }],
        [{ type: 'TextQuoteSelector', exact: 'x'.repeat(30_000) }],
      ];
      for (const selectors of bad) {
        const result = anchor(doc, selectors as Selector[]);
        expect(result.status, JSON.stringify(selectors)?.slice(0, 60)).toBe('orphan');
        expect(result.range).toBeNull();
        expect(result.reason).toBeTruthy();
      }
      // from another page: the quote is not here
      const other: Selector[] = [
        { type: 'TextQuoteSelector', exact: '纳税人的子女接受全日制学历教育', prefix: '第五条', suffix: '的相关支出' },
        { type: 'TextPositionSelector', start: 3, end: 18 },
        { type: 'ClauseSelector', path: ['第二章', '第五条'], hash: 'AAAAAAAAAAAAAAAAAAAAAA' },
      ];
      expect(anchor(doc, other)).toMatchObject({ status: 'orphan', range: null });
      // a valid quote among garbage still anchors
      const mixed = [null, { type: 'Nope' }, { type: 'TextQuoteSelector', exact: '指导思想' }] as unknown as Selector[];
      expect(anchor(doc, mixed).status).toBe('exact');
    });

    it('describe refuses what it cannot describe, with AnchoringError', async () => {
      const doc = await page('<body><div id="zoom"><p>一、总体要求</p></div></body>', kind);
      const other = await page('<body><p>另一个页面</p></body>', kind);
      const t = other.querySelector('p')!.firstChild!;
      expect(() => describeRange(doc, textRange(other, t, 0, t, 3))).toThrow(AnchoringError);
      expect(() => describeRange(doc, {} as Range)).toThrow(AnchoringError);
      const p = doc.querySelector('p')!.firstChild!;
      expect(() => describeRange(doc, textRange(doc, p, 2, p, 2))).toThrow(/no text/);
      expect(() => segmentClauses(null as unknown as Document)).toThrow(AnchoringError);
    });

    it('a range across <br> describes and anchors consistently', async () => {
      const doc = await page(
        '<body><div id="UCAP-CONTENT">第一条　纳税人在中国境内接受学历<br>（学位）继续教育的支出，<br><br>在规定期间内按照每月400元定额扣除。<br>第二条　本办法自2019年1月1日起施行。</div></body>',
        kind,
      );
      const nodes = Array.from(doc.getElementById('UCAP-CONTENT')!.childNodes).filter((n) => n.nodeType === 3);
      const range = textRange(doc, nodes[0]!, 12, nodes[2]!, 5);
      const selectors = describeRange(doc, range);
      const quote = quoteOf(selectors);
      // <br> becomes a line break in the stored quote; comparison ignores it, so the stored quote is what is compared
      expect(quote.exact).toBe('接受学历\n（学位）继续教育的支出，\n在规定期间');
      expect(normalizeText(quote.exact)).toBe(normalizeText(range.toString()));
      const result = anchor(doc, selectors);
      expect(result.status).toBe('exact');
      expect(result.range!.toString()).toBe(range.toString());
      expect(clauseAt(doc, range)?.label).toBe('第一条');
    });

    it('characters outside the BMP count as one code point and anchor exactly', async () => {
      const doc = await page(
        '<body><div id="zoom"><p>一、关于𠀀𠀁字和😀符号的规定。</p><p>二、其他𪚥事项。</p></div></body>',
        kind,
      );
      const t = doc.querySelector('p')!.firstChild as Text;
      const from = t.data.indexOf('𠀀');
      const to = t.data.indexOf('符号') + 2;
      const selectors = describeRange(doc, textRange(doc, t, from, t, to));
      const position = selectors.find((s) => s.type === 'TextPositionSelector') as { start: number; end: number };
      // 𠀀 𠀁 字 和 😀 符 号 = 7 code points (10 UTF-16 units)
      expect(to - from).toBe(10);
      expect(position.end - position.start).toBe(7);
      const result = anchor(doc, selectors);
      expect(result.status).toBe('exact');
      expect(result.range!.toString()).toBe('𠀀𠀁字和😀符号');
      // a different rare character is a different character
      const other = anchor(doc, [{ type: 'TextQuoteSelector', exact: '𠀁𠀁字和😀符号' }]);
      expect(other.status).not.toBe('exact');
    });

    it('a 1,000,000-character page: segments, describes and anchors', async () => {
      const rows: string[] = [];
      let chars = 0;
      for (let i = 1; chars < 1_000_000; i++) {
        const text = `第${i}条　本条规定第${i}项事务的办理程序，有关部门应当在收到申请之日起${(i % 30) + 1}个工作日内作出决定，并书面告知申请人理由和依据。`;
        rows.push(`<p>${text}</p>`);
        chars += text.length;
      }
      const doc = await page(`<body><div id="fontzoom">${rows.join('')}</div></body>`, kind);
      const clauses = segmentClauses(doc);
      expect(clauses.length).toBe(rows.length);
      const index = createPageIndex(doc);
      expect(index.bodyEnd - index.bodyStart).toBeGreaterThan(900_000);
      const p = doc.querySelectorAll('p')[rows.length - 10]!.firstChild as Text;
      const selectors = describeRange(doc, textRange(doc, p, 3, p, 30));
      const result = anchor(doc, selectors);
      expect(result.status).toBe('exact');
      expect(result.range!.toString()).toBe(p.data.slice(3, 30));
      // edited in place: still found (fuzzy), on the same clause
      p.data = `${p.data.slice(0, 12)}依法${p.data.slice(12)}`;
      const fuzzy = anchor(doc, selectors);
      expect(fuzzy.status).toBe('fuzzy');
      expect(fuzzy.clause?.label).toBe(clauses[rows.length - 10]!.label);
    }, 120_000);
  });
}

describe('a range inside an iframe', () => {
  const html = (inner: string) =>
    `<body><div class="nav"><a href="#">首页</a></div><iframe id="f" srcdoc="${inner.replace(/"/g, '&quot;')}"></iframe><div class="footer">版权所有</div></body>`;
  const inner =
    '<html><body><div id="UCAP-CONTENT"><p>一、总体要求</p><p>（一）指导思想。全面贯彻落实党的精神，推进政务公开。</p><p>（二）工作目标。到2020年建成政务新媒体体系。</p></div></body></html>';

  for (const kind of ['happy-dom', 'jsdom'] as DomKind[]) {
    it(`describes and anchors a range in a srcdoc frame, given the outer document (${kind})`, async () => {
      const doc = await page(html(inner), kind);
      const body = findBody(doc)!;
      expect(body.id).toBe('UCAP-CONTENT');
      expect(body.ownerDocument).not.toBe(doc);
      expect(segmentClauses(doc).map((c) => c.path.join(' '))).toEqual(['一、', '一、 （一）', '一、 （二）']);
      const frameDoc = body.ownerDocument;
      const t = frameDoc.querySelectorAll('p')[1]!.firstChild as Text;
      const range = textRange(frameDoc, t, 9, t, 17);
      const selectors = describeRange(doc, range);
      expect(selectors.find((s) => s.type === 'ClauseSelector')).toMatchObject({ path: ['一、', '（一）'] });
      const result = anchor(doc, selectors);
      expect(result.status).toBe('exact');
      expect(result.range!.startContainer.ownerDocument).toBe(frameDoc);
      expect(result.range!.toString()).toBe(range.toString());
    });
  }
});
