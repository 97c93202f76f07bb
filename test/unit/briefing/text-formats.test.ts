/**
 * Markdown and HTML: every selected annotation exactly once, grouped and ordered as asked, clause labels
 * right, user text shown as text. Markdown is checked by rendering it with a CommonMark parser (markdown-it),
 * HTML by parsing it with jsdom.
 */
import { JSDOM, VirtualConsole } from 'jsdom';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { type Briefing, type BriefingInput, buildBriefing } from '../../../shared/briefing/model.ts';
import { renderHtml } from '../../../shared/briefing/render-html.ts';
import { renderMarkdown } from '../../../shared/briefing/render-markdown.ts';
import { generatedData, makeAnnotation, sampleData, vocational } from './sample.ts';

const markdown = new MarkdownIt({ html: true, linkify: true });
const sample = sampleData();
const selected = sample.annotations.filter((a) => !a.deleted && a.visibility === 'team');
const build = (overrides: Partial<BriefingInput> = {}): Briefing =>
  buildBriefing({ ...sample, anchoring: { [sample.orphanId]: 'orphan' }, ...overrides });

function htmlDocument(html: string): Document {
  // A silent console: jsdom's CSS parser does not know @page margin boxes and would say so.
  return new JSDOM(html, { virtualConsole: new VirtualConsole() }).window.document;
}

/** Markdown rendered to a DOM, as a reader would see it. */
function markdownDocument(md: string): Document {
  return htmlDocument(`<!DOCTYPE html><body>${markdown.render(md)}</body>`);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe.each(['tag', 'document', 'author'] as const)('grouped by %s', (groupBy) => {
  const briefing = build({ options: { groupBy, summaryTable: false, includeEmptyNotes: true } });

  it('Markdown: every selected annotation exactly once, under its group, in order', () => {
    const doc = markdownDocument(renderMarkdown(briefing));
    const bylines = [...doc.querySelectorAll('ul > li')].map((li) => li.textContent ?? '');
    expect(bylines).toHaveLength(selected.length);
    const expected = briefing.groups.flatMap((g) =>
      g.entries.flatMap((e) => e.notes.map((n) => `${n.author.name}${briefing.labels.noteMeta(n.time, n.isReply)}`)),
    );
    expect(bylines.map((b) => b.slice(0, b.indexOf('）') + 1))).toEqual(expected);
    for (const a of selected.filter((x) => x.note)) {
      expect(bylines.filter((b) => b.includes(a.note.split('\n')[0]!))).toHaveLength(1);
    }
    const h2 = [...doc.querySelectorAll('h2')].map((h) => h.textContent);
    expect(h2.at(-1)).toBe('资料来源');
    expect(h2.slice(0, -1)).toEqual(
      briefing.groups.map((g) => `${g.title}${g.sourceNumber !== null ? ` [${g.sourceNumber}]` : ''}`),
    );
    const h3 = [...doc.querySelectorAll('h3')].map((h) => (h.textContent ?? '').replace(/ \[\d+\]$/, ''));
    expect(h3).toEqual(briefing.groups.flatMap((g) => g.entries.map((e) => e.title)));
  });

  it('HTML: every selected annotation exactly once, under its group, in order', () => {
    const doc = htmlDocument(renderHtml(briefing));
    const notes = [...doc.querySelectorAll('[data-annotation]')].map((n) => n.getAttribute('data-annotation'));
    expect([...notes].sort()).toEqual(selected.map((a) => a.id).sort());
    expect(notes).toEqual(briefing.annotations.map((a) => a.id));
    const groups = [...doc.querySelectorAll('section.group')];
    expect(groups.map((g) => g.querySelector('h2')!.textContent!.replace(/\[\d+\]$/, ''))).toEqual(
      briefing.groups.map((g) => g.title),
    );
    groups.forEach((section, i) => {
      const titles = [...section.querySelectorAll('h3')].map((h) => h.textContent!.replace(/\[\d+\]$/, ''));
      expect(titles).toEqual(briefing.groups[i]!.entries.map((e) => e.title));
    });
  });
});

describe('highlights without a note', () => {
  const noteless = selected.filter((a) => a.note.trim() === '');

  it('print no "（仅标注，未加批注）" line by default, but their clauses stay', () => {
    expect(noteless.length).toBeGreaterThan(0);
    const b = build();
    const md = renderMarkdown(b);
    const html = renderHtml(b);
    expect(md).not.toContain('仅标注');
    expect(html).not.toContain('仅标注');
    const doc = htmlDocument(html);
    for (const a of noteless) {
      expect(doc.querySelector(`[data-annotation="${a.id}"]`)).toBeNull();
      expect(doc.querySelector(`[data-entry="${a.id}"]`)).not.toBeNull();
    }
  });

  it('print one on request', () => {
    const b = build({ options: { includeEmptyNotes: true } });
    expect(count(renderMarkdown(b), '（仅标注，未加批注）')).toBe(noteless.length);
    const doc = htmlDocument(renderHtml(b));
    for (const a of noteless) {
      expect(doc.querySelector(`[data-annotation="${a.id}"] .text`)!.textContent).toBe('（仅标注，未加批注）');
    }
  });
});

describe('clause labels and order', () => {
  it('numbers the briefing’s own entries once and shows each clause’s label path on its own line', () => {
    const b = build({ options: { groupBy: 'document', documents: [vocational.key, sample.documents[1]!.key] } });
    const entries = b.groups.flatMap((g) => g.entries);
    const md = markdownDocument(renderMarkdown(b));
    const h3 = [...md.querySelectorAll('h3')].map((h) => h.textContent!.replace(/ \[\d+\]$/, ''));
    expect(h3).toEqual([
      '（一）健全国家职业教育制度框架，把握好正确的改革方向',
      '（二）启动1+X证书制度试点工作',
      '（三）坚持知行合一、工学结合',
      '（四）推动校企全面加强深度合作',
      '（一）加强教育系统党的领导和党的建设',
      '（二）# 不是标题 > 不是引用 1. 不是列表 | 不是表格 |',
      '（三）深化“双减”工作，持续规范校外培训',
    ]);
    const references = [...md.querySelectorAll('p')]
      .map((p) => p.textContent ?? '')
      .filter((t) => t.startsWith('条款：'))
      .map((t) => t.replace(/ 查看原文$/, ''));
    expect(references).toEqual([
      '条款：一、（一）',
      '条款：二、（六）',
      '条款：三、（九）',
      '条款：三、（十）',
      '条款：一、2.',
      '条款：二、10.',
      '条款：三、12.',
    ]);
    const html = htmlDocument(renderHtml(b));
    expect([...html.querySelectorAll('h3')].map((h) => h.textContent)).toEqual(h3);
    expect([...html.querySelectorAll('.reference')].map((p) => p.textContent!.replace(/ 〔查看原文〕$/, ''))).toEqual(
      references,
    );
    // the quote is not repeated under a heading that holds all of it
    expect(html.querySelectorAll('blockquote')).toHaveLength(entries.filter((e) => !e.headingIsQuote).length);
  });

  it('orders ten thousand annotations over many clauses correctly', { timeout: 120_000 }, () => {
    const data = generatedData(10_000, 20);
    const b = buildBriefing({ ...data, options: { groupBy: 'document' } });
    const html = renderHtml(b);
    const md = renderMarkdown(b);
    expect(count(html, 'data-annotation=')).toBe(10_000);
    expect(count(md, '\n- **')).toBe(10_000);
    for (const group of b.groups) {
      const labels = group.entries.map((e) => e.clauseLabel);
      const numbers = labels.map((l) => {
        const [top, sub] = l.split('、');
        const cn = (s: string) => '一二三四五六七八九十'.indexOf(s) + 1;
        const topN = top!.length === 1 ? cn(top!) : top === '十一' ? 11 : top === '十二' ? 12 : 10;
        const subN = sub!.length === 3 ? cn(sub![1]!) : 10;
        return topN * 100 + subN;
      });
      expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    }
  });
});

describe('orphans, sources, header', () => {
  it('marks orphaned clauses in both formats', () => {
    const b = build();
    const md = renderMarkdown(b);
    expect(count(md, '**【原文未定位】**')).toBe(1);
    const html = htmlDocument(renderHtml(b));
    const orphaned = [...html.querySelectorAll('article.orphaned')];
    expect(orphaned.map((a) => a.getAttribute('data-entry'))).toEqual([sample.orphanId]);
    expect(orphaned[0]!.querySelector('.orphan')!.textContent).toContain('【原文未定位】');
  });

  it('cites sources as numbered lists', () => {
    const b = build();
    const md = markdownDocument(renderMarkdown(b));
    const sources = [...md.querySelectorAll('h2')].find((h) => h.textContent === '资料来源')!.nextElementSibling!;
    expect(sources.tagName).toBe('OL');
    expect([...sources.querySelectorAll('li')].map((li) => li.textContent)).toEqual(b.sources.map((s) => s.text));
    const html = htmlDocument(renderHtml(b));
    expect([...html.querySelectorAll('.sources li')].map((li) => li.textContent)).toEqual(b.sources.map((s) => s.text));
    for (const a of html.querySelectorAll('sup a'))
      expect(html.getElementById(a.getAttribute('href')!.slice(1))).not.toBeNull();
  });

  it('shows the header, lead and closing block', () => {
    const b = build({
      options: {
        unit: '办公室',
        issueNumber: '3',
        mark: '内部资料',
        reportTo: '市政府',
        copies: 20,
        date: '2024-03-07',
      },
    });
    const html = htmlDocument(renderHtml(b));
    expect(html.querySelector('.masthead h1')!.textContent).toBe('工作简报');
    expect(html.querySelector('.masthead .issue')!.textContent).toBe('第3期');
    expect(html.querySelector('.masthead .mark')!.textContent).toBe('内部资料');
    expect(html.querySelector('.unit-date')!.textContent).toBe('办公室2024年3月7日');
    expect(html.querySelector('h1.title')!.textContent).toBe(b.header.title);
    expect(html.querySelector('.closing')!.textContent!.replace(/\s+/g, '')).toBe(
      '报：市政府办公室2024年3月7日印发（共印20份）',
    );
    const md = renderMarkdown(b);
    expect(md.startsWith('**工作简报** · 第3期 · 内部资料\n\n办公室 · 2024年3月7日\n\n---\n\n# ')).toBe(true);
    expect(md).toContain('报：市政府');
  });

  it('prints what changed since the earlier version right after the lead, when given', () => {
    const summary = '新增 1 条，修改 3 条，删除 0 条：新增一、6.；修改三、16.（原三、15.）。';
    const b = build({ options: { changeSummary: summary } });
    expect(b.changes).toBe(`与上一版本相比，${summary}`);
    const html = htmlDocument(renderHtml(b));
    expect(html.querySelector('p.lead + p.changes')!.textContent).toBe(b.changes);
    const md = markdownDocument(renderMarkdown(b));
    const paragraphs = [...md.querySelectorAll('p')].map((p) => p.textContent);
    expect(paragraphs[paragraphs.indexOf(b.lead) + 1]).toBe(b.changes);
    expect(build().changes).toBe('');
    expect(htmlDocument(renderHtml(build())).querySelector('p.changes')).toBeNull();
  });

  it('prints A4 with page numbers in the margin, odd right and even left', () => {
    const css = htmlDocument(renderHtml(build())).querySelector('style')!.textContent!;
    expect(css).toMatch(/@page \{ size: A4; margin: 37mm 26mm 35mm 28mm; \}/);
    expect(css).toMatch(/@page :right \{ @bottom-right \{ content: "— " counter\(page\) " —"/);
    expect(css).toMatch(/@page :left \{ @bottom-left \{ content: "— " counter\(page\) " —"/);
  });

  it('has a summary table with one row per clause', () => {
    const b = build();
    const html = htmlDocument(renderHtml(b));
    const rows = [...html.querySelectorAll('.summary tbody tr')];
    expect(rows).toHaveLength(b.summary.length);
    expect([...html.querySelectorAll('.summary th')].map((th) => th.textContent)).toEqual([
      '标签',
      '条款',
      '原文摘录',
      '批注人',
      '批注要点',
    ]);
    const md = markdownDocument(renderMarkdown(b));
    expect(md.querySelectorAll('table tbody tr')).toHaveLength(b.summary.length);
    expect(md.querySelectorAll('table tbody tr')[0]!.querySelectorAll('td')).toHaveLength(5);
  });

  it('makes a clear empty briefing', () => {
    const b = buildBriefing({ annotations: [], documents: [], now: sample.now });
    const html = htmlDocument(renderHtml(b));
    expect(html.querySelector('.lead')!.textContent).toBe('本期无符合条件的批注。');
    expect(html.querySelectorAll('section.group')).toHaveLength(0);
    expect(renderMarkdown(b)).toContain('本期无符合条件的批注。');
  });
});

describe('hostile notes and quotes are shown as text', () => {
  const hostile = [
    '<script>alert("x")</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">click</a>',
    '[click](javascript:alert(1))',
    '**not bold** _not em_ `not code`',
    '# not a heading',
    '> not a quote',
    '| not | a | table |',
    '&lt;already escaped&gt;',
    '</blockquote></article><script>x</script>',
  ];
  const annotations = hostile.map((text, i) =>
    makeAnnotation({
      id: `h${i}`,
      documentKey: vocational.key,
      clausePath: ['一、', `${i + 1}.`],
      quote: `${text}\n第二行 ${text}`,
      note: `${text}\n\n${text}`,
      tags: [text.slice(0, 40)],
      author: { id: `p${i}`, name: `${text.slice(0, 30)}` },
    }),
  );
  const b = buildBriefing({
    annotations,
    documents: [vocational],
    now: 0,
    options: { title: '<script>t</script>', unit: '<b>u</b>', groupBy: 'document' },
  });

  it('HTML: no element, attribute or link comes from user text, and every text is intact', () => {
    const html = renderHtml(b);
    const doc = htmlDocument(html);
    expect(doc.querySelectorAll('script, img, iframe, object, embed, form, b:not(.masthead b)')).toHaveLength(
      doc.querySelectorAll('.note .who b, .orphan b').length,
    );
    for (const element of doc.querySelectorAll('*')) {
      for (const attribute of element.getAttributeNames()) expect(attribute.startsWith('on')).toBe(false);
    }
    for (const link of doc.querySelectorAll('a[href]'))
      expect(link.getAttribute('href')).toMatch(/^(https?:\/\/|#source-)/);
    expect(html).toContain("default-src 'none'");
    const notes = [...doc.querySelectorAll('.note .text')].map((n) => n.textContent);
    expect(notes).toEqual(hostile.map((t) => `${t}\n\n${t}`));
    const quotes = [...doc.querySelectorAll('blockquote')].map((q) => q.textContent);
    expect(quotes).toEqual(hostile.map((t) => `${t}\n第二行 ${t}`));
    const headings = [...doc.querySelectorAll('h3')].map((h) => h.textContent);
    expect(headings).toEqual(b.groups[0]!.entries.map((e) => e.title));
    expect(doc.querySelector('h1.title')!.textContent).toBe('<script>t</script>');
    expect(doc.title).toBe('<script>t</script>');
  });

  it('Markdown: rendered by a CommonMark parser, no markup or link comes from user text', () => {
    const md = renderMarkdown(b);
    const doc = markdownDocument(md);
    expect(doc.querySelectorAll('script, img, iframe, em, code, h1 ~ h1, pre')).toHaveLength(0);
    // The only bold text is the names (and no user text ever renders bold by itself).
    const strong = [...doc.querySelectorAll('strong')].map((s) => s.textContent);
    expect(strong).toEqual([
      '工作简报',
      ...b.groups.flatMap((g) => g.entries.flatMap((e) => e.notes.map((n) => n.author.name))),
    ]);
    for (const link of doc.querySelectorAll('a[href]')) expect(link.getAttribute('href')).toMatch(/^https?:\/\//);
    // Headings are only ours: the title, the groups and the entries.
    expect(doc.querySelectorAll('h1')).toHaveLength(1);
    expect(doc.querySelector('h1')!.textContent).toBe('<script>t</script>');
    const items = [...doc.querySelectorAll('ul > li')].map((li) => li.textContent ?? '');
    hostile.forEach((text, i) => {
      expect(items[i]).toContain(text);
      const name = text.slice(0, 30);
      expect(count(items[i]!, text)).toBe(name === text ? 3 : 2);
    });
    const quotes = [...doc.querySelectorAll('blockquote')].map((q) => q.textContent ?? '');
    hostile.forEach((text, i) => {
      expect(quotes[i]).toContain(`${text}\n第二行 ${text}`);
    });
  });

  it('keeps very long quotes whole', () => {
    const long = '长'.repeat(20_000);
    const one = buildBriefing({
      annotations: [makeAnnotation({ documentKey: vocational.key, quote: long, note: long, tags: ['t'] })],
      documents: [vocational],
      now: 0,
    });
    expect(count(renderMarkdown(one), long)).toBe(2);
    const doc = htmlDocument(renderHtml(one));
    expect(doc.querySelector('blockquote')!.textContent).toContain(long);
    expect(doc.querySelector('.summary td:nth-child(3)')!.textContent).toBe(`${'长'.repeat(59)}…`);
  });
});
