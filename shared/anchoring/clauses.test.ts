/**
 * Clause segmentation on small pages built for one difficulty each: labels split across elements, several
 * clauses in one paragraph, clauses starting mid-paragraph, numbering gaps, tables of contents, soft
 * enumerations, cross-references, levels in each document's own order, English numbering, end matter.
 */
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clauseAt,
  clauseByPath,
  clauseRange,
  coversClause,
  forgetPageIndex,
  segmentClauses,
  snapToClause,
} from './index.ts';

const windows: Window[] = [];
afterEach(async () => {
  for (const w of windows.splice(0)) {
    forgetPageIndex(w.document as unknown as Document);
    await w.happyDOM.close();
  }
});

function page(body: string): Document {
  const win = new Window();
  windows.push(win);
  win.document.write(
    `<!DOCTYPE html><html><body><div class="nav"><a href="#">首页</a> &gt; <a href="#">通知</a></div><div id="zoom">${body}</div><div class="footer">主办单位：某市人民政府办公室</div></body></html>`,
  );
  return win.document as unknown as Document;
}

const outline = (doc: Document) =>
  segmentClauses(doc).map((c) => `${c.level} ${c.path.join('/')}${c.inline ? ' (inline)' : ''}`);

describe('clause segmentation', () => {
  it('reads labels split across elements, and labels in their own element without a space', () => {
    const doc = page(
      '<p><span>第十</span><span>三条</span>　纳税人应当留存相关资料。</p>' +
        '<p><b>一、</b><span style="font-family:黑体">总体要求</span></p>' +
        '<p><strong>第十四条</strong>纳税人本人或者配偶发生的首套住房贷款利息支出。</p>',
    );
    expect(segmentClauses(doc).map((c) => c.label)).toEqual(['第十三条', '一、', '第十四条']);
    expect(segmentClauses(doc)[0]!.text.startsWith('第十三条 纳税人应当留存相关资料。\n')).toBe(true);
  });

  it('finds several clauses in one paragraph, and a list that starts mid-paragraph', () => {
    const doc = page(
      '<p>一、工作任务</p><p>（一）加强领导。（二）完善制度；（三）强化考核。</p>' +
        '<p>二、保障措施</p><p>各地要做好以下工作：（一）落实责任。（二）加强督查。</p>',
    );
    expect(outline(doc)).toEqual([
      '1 一、',
      '2 一、/（一）',
      '2 一、/（二） (inline)',
      '2 一、/（三） (inline)',
      '1 二、',
      '2 二、/（一） (inline)',
      '2 二、/（二） (inline)',
    ]);
    const second = segmentClauses(doc)[2]!;
    expect(second.text).toBe('（二）完善制度；');
  });

  it('does not take cross-references, quoted numbers or soft enumerations for clauses', () => {
    const doc = page(
      '<p>一、总体要求</p><p>一是加强领导，二是完善制度，三是强化考核。</p>' +
        '<p>依照本规则第十三条（一）项的规定办理。</p><p>第五条规定的情形除外。</p><p>二、工作要求</p>',
    );
    expect(outline(doc)).toEqual(['1 一、', '1 二、']);
  });

  it('keeps numbering gaps and restarts', () => {
    const doc = page('<p>一、甲</p><p>1. 子一</p><p>3. 子三</p><p>四、乙</p><p>1. 子一</p><p>（2）细目</p>');
    expect(outline(doc)).toEqual(['1 一、', '2 一、/1.', '2 一、/3.', '1 四、', '2 四、/1.', '3 四、/1./（2）']);
  });

  it('nests styles in the order the document uses them, not by a fixed table', () => {
    const reversed = page(
      '<p>（一）总体要求</p><p>一、指导思想</p><p>二、基本原则</p><p>（二）主要任务</p><p>一、任务一</p>',
    );
    expect(outline(reversed)).toEqual(['1 （一）', '2 （一）/一、', '2 （一）/二、', '1 （二）', '2 （二）/一、']);
    const law = page(
      '<p>第一章　总则</p><p>第一条　目的。</p><p>第二章　管辖</p><p>第一节　一般规定</p><p>第二条　范围。</p><p>（一）甲；</p><p>第二节　特别规定</p><p>第三条　例外。</p><p>第三章　附则</p><p>第四条　施行。</p>',
    );
    expect(outline(law)).toEqual([
      '1 第一章',
      '2 第一章/第一条',
      '1 第二章',
      '2 第二章/第一节',
      '3 第二章/第一节/第二条',
      '4 第二章/第一节/第二条/（一）',
      '2 第二章/第二节',
      '3 第二章/第二节/第三条',
      '1 第三章',
      '2 第三章/第四条',
    ]);
  });

  it('drops a table of contents that repeats the headings, and reads decimal numbering by depth', () => {
    const doc = page(
      '<p>目　　录</p><p>1　总则</p><p>1.1　目的</p><p>2　组织</p><p>2.1　机构</p>' +
        '<p>1　总则</p><p>1.1　目的</p><p>为了做好工作，制定本预案。</p><p>1.2　分级</p><p>1.2.1　一级：严重。</p><p>（1）情形一。</p><p>2　组织</p><p>2.1　机构</p><p>设立指挥部。</p>',
    );
    expect(outline(doc)).toEqual([
      '1 1',
      '2 1/1.1',
      '2 1/1.2',
      '3 1/1.2/1.2.1',
      '4 1/1.2/1.2.1/（1）',
      '1 2',
      '2 2/2.1',
    ]);
  });

  it('reads English numbering, with letters that look like roman numerals', () => {
    const doc = page(
      '<h2>I. Background</h2><h3>A. History</h3><p>Text.</p><h3>B. Scope</h3><h3>C. Cost</h3><h2>II. Rule</h2>' +
        '<p>(a) <em>Scope.</em> (1) First item.</p><p>(2) Second item.</p><p>(b) <em>Other.</em></p>' +
        '<p>(h) Eighth.</p><p>(i) Ninth, a letter after (h).</p>',
    );
    expect(outline(doc)).toEqual([
      '1 I.',
      '2 I./A.',
      '2 I./B.',
      '2 I./C.',
      '1 II.',
      '2 II./(a)',
      '3 II./(a)/(1) (inline)',
      '3 II./(a)/(2)',
      '2 II./(b)',
      '2 II./(h)',
      '2 II./(i)',
    ]);
  });

  it('ends the last clause before the closing formula, signature and date', () => {
    const doc = page(
      '<p>一、要求</p><p>请认真贯彻执行。</p><p>特此通知。</p><p>某市人民政府办公室</p><p>2023年3月29日</p>',
    );
    expect(segmentClauses(doc)[0]!.text).toBe('一、要求\n请认真贯彻执行。');
    const signed = page('<p>一、要求</p><p>请认真贯彻执行。</p><p>某市人民政府办公室</p><p>2023年3月29日</p>');
    expect(segmentClauses(signed)[0]!.text).toBe('一、要求\n请认真贯彻执行。');
  });

  it('ends the body at an attachment note, whose numbered titles are not clauses', () => {
    const note = page(
      '<p>三、工作要求</p><p>1. 按时报送。</p><p>2. 加强督查。</p>' +
        '<p>附件：1. 工作方案</p><p>2. 任务分工表</p><p>3. 联络员名单</p><p>某市人民政府办公室</p><p>2024年3月15日</p>' +
        '<p>附件1</p><p>工作方案</p><p>一、总体目标</p><p>二、重点任务</p><p>1. 推行一件事一次办。</p>',
    );
    expect(outline(note)).toEqual(['1 三、', '2 三、/1.', '2 三、/2.', '1 一、', '1 二、', '2 二、/1.']);
    expect(segmentClauses(note)[2]!.text).toBe('2. 加强督查。');
    // a bare "附件：" with a list after the signature, a title starting with a year, "1、" numbering
    const links = page(
      '<p>一、要求</p><p>1. 严格执行。</p><p>某区教育局</p><p>2024年4月19日</p>' +
        '<p>附件：</p><p><a href="#">1.2024年日程安排.docx</a></p><p><a href="#">2.片区划分表.xlsx</a></p>',
    );
    expect(outline(links)).toEqual(['1 一、', '2 一、/1.']);
    const dun = page('<p>一、要求</p><p>1、按时报送。</p><p>附件：</p><p>1、方案</p><p>2、分工表</p>');
    expect(outline(dun)).toEqual(['1 一、', '2 一、/1、']);
  });

  it('keeps an attachment note from swallowing clauses that are not its list', () => {
    // a single attachment starts no list; a numbered sentence is prose, not a title; the list must count up
    const single = page('<p>一、要求</p><p>附件：推广清单</p><p>1. 这是正文之后的说明。</p>');
    expect(outline(single)).toEqual(['1 一、', '1 1.']);
    const prose = page('<p>附件：</p><p>1. 方案</p><p>2. 各单位要按时报送材料。</p>');
    expect(outline(prose)).toEqual(['1 2.']);
    const skipped = page('<p>附件：1. 方案</p><p>3. 名单</p>');
    expect(outline(skipped)).toEqual(['1 3.']);
  });

  it('makes amendatory instructions and the § sections they introduce siblings', () => {
    const doc = page(
      '<p>PART 165—REGULATED NAVIGATION AREAS</p>' +
        '<p>1. The authority citation for part 165 continues to read as follows:</p>' +
        '<p>2. Add § 165.T09–0118 to read as follows:</p>' +
        '<p>§ 165.T09–0118 Safety Zone; Cuyahoga River.</p>' +
        '<p>(a) <em>Location.</em> The zone.</p><p>(b) <em>Regulations.</em> (1) No entry.</p><p>(2) Permission.</p>' +
        '<p>3. Amend § 165.939 by revising paragraph (b) to read as follows:</p>' +
        '<p>§ 165.939 Safety Zones; Fireworks.</p><p>* * * * *</p><p>(b) <em>Enforcement.</em> July 4.</p>',
    );
    expect(outline(doc)).toEqual([
      '1 1.',
      '1 2.',
      '1 § 165.T09–0118',
      '2 § 165.T09–0118/(a)',
      '2 § 165.T09–0118/(b)',
      '3 § 165.T09–0118/(b)/(1) (inline)',
      '3 § 165.T09–0118/(b)/(2)',
      '1 3.',
      '1 § 165.939',
      '2 § 165.939/(b)',
    ]);
    // a numbered item that is not an instruction still holds a § under it
    const list = page('<p>1. Sections affected</p><p>§ 12.3 Definitions.</p><p>(a) Terms.</p>');
    expect(outline(list)).toEqual(['1 1.', '2 1./§ 12.3', '3 1./§ 12.3/(a)']);
  });

  it('takes no clause from a signer’s initials after the closing', () => {
    const doc = page(
      '<p>(a) <em>Enforcement.</em> Daily.</p><p>Dated: February 20, 2024.</p><p>J. M. Ostrowski,</p>' +
        '<p>Captain, U.S. Coast Guard.</p>',
    );
    expect(outline(doc)).toEqual(['1 (a)']);
    // other numbering after a closing date stays (a date cell in a table, an attachment without its heading)
    const dated = page('<p>一、安排</p><p>2024年3月15日</p><p>二、要求</p><p>（二）按时完成。</p>');
    expect(outline(dated)).toEqual(['1 一、', '1 二、', '2 二、/（二）']);
  });

  it('gives the clause at a point, a clause by path, its Range, and snaps a selection to its clause', () => {
    const doc = page(
      '<p>一、总体要求</p><p>（一）指导思想。坚持稳中求进。</p><p>（二）基本原则。</p><p>二、主要任务</p>',
    );
    const p = doc.querySelectorAll('#zoom p')[1]!;
    const text = p.firstChild as Text;
    expect(clauseAt(doc, text)?.path).toEqual(['一、', '（一）']);
    expect(clauseAt(doc, { node: text, offset: 8 })?.path).toEqual(['一、', '（一）']);
    const clause = clauseByPath(doc, ['一、', '（二）'])!;
    expect(clauseRange(doc, clause)!.toString()).toBe('（二）基本原则。');
    const selection = doc.createRange();
    selection.setStart(text, 9);
    selection.setEnd(text, 11);
    expect(snapToClause(doc, selection)!.toString()).toBe('（一）指导思想。坚持稳中求进。');
    // a selection across two clauses snaps to the clause holding both
    const across = doc.createRange();
    across.setStart(text, 9);
    across.setEnd(doc.querySelectorAll('#zoom p')[2]!.firstChild!, 2);
    expect(clauseAt(doc, across)?.path).toEqual(['一、']);
  });

  it('tells whether a selection already covers its whole clause', () => {
    const doc = page(
      '<p>一、总体要求</p><p>（一）指导思想。坚持稳中求进。</p><p>（二）基本原则。</p><p>二、主要任务</p>',
    );
    for (const clause of segmentClauses(doc)) expect(coversClause(doc, clauseRange(doc, clause)!, clause)).toBe(true);
    const text = doc.querySelectorAll('#zoom p')[1]!.firstChild as Text;
    const part = doc.createRange();
    part.setStart(text, 9);
    part.setEnd(text, 11);
    const clause = clauseAt(doc, part)!;
    expect(coversClause(doc, part, clause)).toBe(false);
    expect(coversClause(doc, snapToClause(doc, part)!, clause)).toBe(true);
    // the whole clause and a little more still covers it
    const more = snapToClause(doc, part)!;
    more.setEnd(doc.querySelectorAll('#zoom p')[2]!.firstChild!, 2);
    expect(coversClause(doc, more, clause)).toBe(true);
  });

  it('clauses serialise to JSON with their text and hash, and keep their text after the page changes', () => {
    const doc = page('<p>一、总体要求</p><p>（一）指导思想。坚持稳中求进。</p>');
    const before = segmentClauses(doc)[1]!;
    const json = JSON.parse(JSON.stringify(before));
    expect(json).toMatchObject({
      level: 2,
      label: '（一）',
      path: ['一、', '（一）'],
      text: '（一）指导思想。坚持稳中求进。',
    });
    expect(json.hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    doc.querySelectorAll('#zoom p')[1]!.textContent = '（一）改写后的内容。';
    const after = segmentClauses(doc)[1]!;
    expect(after.text).toBe('（一）改写后的内容。');
    expect(after.hash).not.toBe(json.hash);
    expect(before.text).toBe('（一）指导思想。坚持稳中求进。');
  });
});
