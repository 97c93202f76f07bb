import { describe, expect, it } from 'vitest';
import { type Annotation, ValidationError } from '../model/annotation.ts';
import { parseDeepLinkHash } from '../model/deep-link.ts';
import {
  englishSample,
  li,
  makeAnnotation,
  procuratorate,
  safetyZone,
  sampleData,
  suizhou,
  vocational,
  wang,
  zhang,
} from '../../test/unit/briefing/sample.ts';
import { type Briefing, type BriefingInput, buildBriefing, notesToPrint } from './model.ts';
import { defaultScope, includesPrivate } from './options.ts';

const sample = sampleData();
const build = (overrides: Partial<BriefingInput> = {}): Briefing =>
  buildBriefing({ annotations: sample.annotations, documents: sample.documents, now: sample.now, ...overrides });

const noteIds = (b: Briefing) => b.groups.flatMap((g) => g.entries.flatMap((e) => e.notes.map((n) => n.annotationId)));
const live = sample.annotations.filter((a) => !a.deleted && a.visibility === 'team');

describe('selection', () => {
  it('includes every team annotation exactly once and leaves out deleted and private ones', () => {
    for (const groupBy of ['tag', 'document', 'author'] as const) {
      const ids = noteIds(build({ options: { groupBy } }));
      expect([...ids].sort()).toEqual(live.map((a) => a.id).sort());
    }
    expect(noteIds(build())).not.toContain('gone');
    expect(noteIds(build())).not.toContain('mine-private');
  });

  it('includes the viewer’s private notes on request, never someone else’s', () => {
    expect(noteIds(build({ viewer: zhang, options: { includePrivate: true } }))).toContain('mine-private');
    expect(noteIds(build({ viewer: li, options: { includePrivate: true } }))).not.toContain('mine-private');
  });

  it('says in its scope line when it holds private notes, in either language', () => {
    const withPrivate = build({ viewer: zhang, options: { includePrivate: true } });
    expect(withPrivate.stats.privateNotes).toBe(1);
    expect(withPrivate.scope).toContain('含仅本人可见的批注1条');
    expect(build({ viewer: zhang, options: { includePrivate: true, language: 'en' } }).scope).toContain(
      'includes 1 private note (“Only me”)',
    );
    expect(build({ viewer: zhang }).scope).not.toContain('仅本人可见');
  });

  it('starts every export from one scope: the team’s shared notes, or before joining a team the user’s own', () => {
    expect(defaultScope(true)).toEqual({ who: 'team' });
    expect(includesPrivate({ ...defaultScope(true), includePrivate: undefined })).toBe(false);
    expect(defaultScope(false)).toEqual({ who: 'mine' });
    expect(includesPrivate({ ...defaultScope(false), includePrivate: undefined })).toBe(true);
    expect(includesPrivate({ who: 'team', includePrivate: true })).toBe(true);
  });

  it('"mine" keeps the viewer’s annotations (private ones included by default) and needs a viewer', () => {
    const ids = noteIds(build({ viewer: li, options: { who: 'mine' } }));
    expect(ids.sort()).toEqual(
      live
        .filter((a) => a.author.id === li.id)
        .map((a) => a.id)
        .sort(),
    );
    const mine = noteIds(build({ viewer: zhang, options: { who: 'mine' } }));
    expect(mine).toContain('mine-private');
    expect(() => build({ options: { who: 'mine' } })).toThrow(ValidationError);
  });

  it('filters by document ("this page")', () => {
    const b = build({ options: { documents: [suizhou.key] } });
    expect(new Set(b.groups.flatMap((g) => g.entries.map((e) => e.documentKey)))).toEqual(new Set([suizhou.key]));
    expect(noteIds(b).sort()).toEqual(['s-10', 's-12', 's-2']);
  });

  it('filters by tag, a reply following its highlight', () => {
    const b = build({ options: { tags: ['制度建设'] } });
    expect(noteIds(b)).toEqual(['v-sys', 'v-sys-r']);
    expect(b.groups.map((g) => g.heading)).toEqual(['制度建设']);
    // Tags are compared in normalised form.
    expect(noteIds(build({ options: { tags: [' 制度建设 '] } }))).toEqual(['v-sys', 'v-sys-r']);
  });

  it('filters by creation date in the briefing’s time zone, both ends inclusive', () => {
    // 2024-03-04 09:30 Beijing is T0; the sample's annotations are made a minute apart from 09:31.
    const day = build({ options: { from: '2024-03-04', to: '2024-03-04' } });
    expect(noteIds(day)).toHaveLength(live.length);
    expect(noteIds(build({ options: { to: '2024-03-03' } }))).toEqual([]);
    // In New York it is still the evening of 3 March.
    expect(noteIds(build({ options: { from: '2024-03-04', timeZone: 'America/New_York' } }))).toEqual([]);
    expect(noteIds(build({ options: { to: '2024-03-03', timeZone: 'America/New_York' } }))).toHaveLength(live.length);
  });

  it('leaves replies out on request', () => {
    expect(noteIds(build({ options: { includeReplies: false } }))).not.toContain('v-sys-r');
  });
});

describe('entries', () => {
  it('puts different officials’ notes on the same clause together, each attributed, in time order', () => {
    const b = build({ options: { groupBy: 'document' } });
    const entry = b.groups.flatMap((g) => g.entries).find((e) => e.id === 'v-1x')!;
    expect(entry.notes.map((n) => [n.author.name, n.text])).toEqual([
      ['王五', '试点院校名单需在3月底前上报。'],
      ['李四', '与人社部门的职业技能等级认定如何衔接？'],
    ]);
    expect(entry.tags).toEqual(['职业教育', '证书制度']);
    const thread = b.groups.flatMap((g) => g.entries).find((e) => e.id === 'v-sys')!;
    expect(thread.notes.map((n) => [n.author.name, n.isReply])).toEqual([
      ['张三', false],
      ['李四', true],
    ]);
  });

  it('words times in the time zone and labels clauses by their path', () => {
    const entry = build()
      .groups.flatMap((g) => g.entries)
      .find((e) => e.id === 'v-sys')!;
    expect(entry.notes[0]!.time).toBe('2024年3月4日 09:31');
    expect(entry.clauseLabel).toBe('一、（一）');
    const london = build({ options: { timeZone: 'Europe/London' } })
      .groups.flatMap((g) => g.entries)
      .find((e) => e.id === 'v-sys')!;
    expect(london.notes[0]!.time).toBe('2024年3月4日 01:31');
  });

  it('marks orphaned clauses, from a record or a Map', () => {
    for (const anchoring of [
      { [sample.orphanId]: 'orphan' as const },
      new Map([[sample.orphanId, 'orphan' as const]]),
    ]) {
      const b = build({ anchoring });
      const orphaned = b.groups.flatMap((g) => g.entries).filter((e) => e.orphaned);
      expect(orphaned.map((e) => e.id)).toEqual([sample.orphanId]);
      expect(b.stats.orphans).toBe(1);
      expect(b.lead).toMatch(/1处条款在原文页面上已无法定位/);
    }
    expect(build({ anchoring: { 'v-sys': 'anchored' } }).stats.orphans).toBe(0);
  });

  it('links each entry to its highlight, and not at all when the document is unknown', () => {
    const entries = build().groups.flatMap((g) => g.entries);
    const entry = entries.find((e) => e.id === 's-12')!;
    expect(entry.link!.startsWith(`${suizhou.url}#pizhu=s-12:~:text=`)).toBe(true);
    expect(parseDeepLinkHash(new URL(entry.link!).hash)).toBe('s-12');
    const unknown = entries.find((e) => e.id === 'unknown-doc')!;
    expect(unknown.link).toBeNull();
    expect(unknown.documentTitle).toBe('来源不详的文件');
    expect(unknown.clauseLabel).toBe('（未识别条款）');
  });
});

describe('entry headings', () => {
  const entry = (quote: string, clausePath: string[] = ['三、', '12.'], documentKey = suizhou.key) =>
    buildBriefing({
      annotations: [makeAnnotation({ documentKey, clausePath, quote, note: '注', tags: ['t'] })],
      documents: sample.documents,
      now: sample.now,
    }).groups[0]!.entries[0]!;

  it('number the briefing’s own entries and keep the clause label path apart', () => {
    const e = entry('深化“双减”工作，持续规范校外培训');
    expect(e.title).toBe('（一）深化“双减”工作，持续规范校外培训');
    expect(e.headingIsQuote).toBe(true);
    expect(e.reference).toBe('三、12.');
    for (const x of build({ options: { groupBy: 'tag' } }).groups.flatMap((g) => g.entries)) {
      expect(x.heading).not.toContain(x.clauseLabel);
      expect(x.reference.endsWith(x.clauseLabel)).toBe(true);
    }
  });

  it('drop the labels a whole-clause quote starts with', () => {
    expect(entry('12. 深化“双减”工作').heading).toBe('深化“双减”工作');
    expect(entry('三、（一）加强党的建设').heading).toBe('加强党的建设');
    expect(entry('第十二条　人民检察院办理刑事案件', ['第一章', '第十二条'], procuratorate.key).heading).toBe(
      '人民检察院办理刑事案件',
    );
    // a reference and a measurement are words, not labels
    expect(entry('第五条规定的程序', ['第一章', '第六条'], procuratorate.key).heading).toBe('第五条规定的程序');
    expect(entry('100 feet from the vessel', ['(a)'], safetyZone.key).heading).toBe('100 feet from the vessel');
    expect(entry('(a) Location. The following area', ['§ 165.T11–157', '(a)'], safetyZone.key).heading).toBe(
      'Location. The following area',
    );
  });

  it('cut a long quote after a pause, and say so', () => {
    const long = entry(
      '各地区各部门要结合实际，抓好相关工作的贯彻落实，确保政策落地见效，切实把各项任务落到实处，推动高质量发展。',
    );
    expect(long.heading).toBe('各地区各部门要结合实际，抓好相关工作的贯彻落实……');
    expect(long.headingIsQuote).toBe(false);
    const english = entry(
      'The Captain of the Port San Francisco has determined that potential hazards associated with the fireworks display would be a safety concern',
      ['IV.'],
      safetyZone.key,
    );
    expect(english.heading).toBe('The Captain of the Port San Francisco has determined that potential hazards…');
    expect(entry('第一行\n第二行').headingIsQuote).toBe(false);
    expect(entry('').heading).toBe('（未摘录原文）');
  });
});

describe('highlights without a note', () => {
  it('are listed as clauses but print no note line unless asked', () => {
    const b = build();
    const entryOf = (briefing: Briefing, id: string) =>
      briefing.groups.flatMap((g) => g.entries).find((e) => e.id === id)!;
    expect(notesToPrint(entryOf(b, 'v-nine'), b.options)).toEqual([]);
    expect(entryOf(b, 'v-nine').notes.map((n) => n.annotationId)).toEqual(['v-nine']);
    const asked = build({ options: { includeEmptyNotes: true } });
    expect(notesToPrint(entryOf(asked, 'v-nine'), asked.options).map((n) => n.annotationId)).toEqual(['v-nine']);
    expect(notesToPrint(entryOf(b, 'v-sys'), b.options)).toHaveLength(2);
  });
});

describe('grouping and order', () => {
  it('by document: documents by publication date, clauses in document order', () => {
    const b = build({ options: { groupBy: 'document' } });
    expect(b.groups.map((g) => g.heading)).toEqual([
      `《${vocational.title}》`,
      `《${procuratorate.title}》`,
      `《${suizhou.title}》`,
      '《来源不详的文件》',
    ]);
    expect(b.groups[0]!.entries.map((e) => e.clauseLabel)).toEqual([
      '一、（一）',
      '二、（六）',
      '三、（九）',
      '三、（十）',
    ]);
    expect(b.groups[1]!.entries.map((e) => e.clauseLabel)).toEqual(['第一章第二条', '第一章第十二条']);
    expect(b.groups[2]!.entries.map((e) => e.clauseLabel)).toEqual(['一、2.', '二、10.', '三、12.']);
    expect(b.groups.map((g) => g.title)).toEqual(
      b.groups.map((g, i) => `${['一', '二', '三', '四'][i]}、${g.heading}`),
    );
    expect(b.groups[0]!.entries.map((e) => e.label)).toEqual(['（一）', '（二）', '（三）', '（四）']);
  });

  it('by document: the order the user chose', () => {
    const b = build({ options: { groupBy: 'document', documents: [suizhou.key, vocational.key] } });
    expect(b.groups.map((g) => g.entries[0]!.documentKey)).toEqual([suizhou.key, vocational.key]);
  });

  it('by tag: an entry under its first tag, groups by size then name, untagged last', () => {
    const untagged = makeAnnotation({
      id: 'plain',
      documentKey: vocational.key,
      quote: '无标签的一段',
      clausePath: ['四、'],
    });
    const b = build({ annotations: [...sample.annotations, untagged] });
    const headings = b.groups.map((g) => g.heading);
    expect(headings.at(-1)).toBe('未分类');
    const sizes = b.groups.slice(0, -1).map((g) => g.entries.length);
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
    expect(b.groups.find((g) => g.heading === '职业教育')!.entries.map((e) => e.id)).toEqual(['v-sys', 'v-1x']);
    // With a tag filter, the filter's tags come first and in its order.
    const filtered = build({ options: { tags: ['证书制度', '职业教育'] } });
    expect(filtered.groups.map((g) => g.heading)).toEqual(['证书制度', '职业教育']);
    expect(filtered.groups[0]!.entries.map((e) => e.id)).toEqual(['v-1x']);
  });

  it('by author: each note under its author, so a shared clause appears once per author', () => {
    const b = build({ options: { groupBy: 'author' } });
    expect(b.groups.map((g) => g.heading)).toEqual(['李四的批注', '王五的批注', '张三的批注']);
    for (const group of b.groups) {
      const authors = new Set(group.entries.flatMap((e) => e.notes.map((n) => n.author.name)));
      expect(authors.size).toBe(1);
    }
    const ids = b.groups.flatMap((g) => g.entries.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('orders by time when asked', () => {
    const oldest = build({ options: { groupBy: 'document', order: 'oldest' } }).groups[0]!.entries.map((e) => e.id);
    expect(oldest).toEqual(['v-sys', 'v-1x', 'v-ten', 'v-nine']);
    const newest = build({ options: { groupBy: 'document', order: 'newest' } }).groups[0]!.entries.map((e) => e.id);
    expect(newest).toEqual(['v-nine', 'v-ten', 'v-1x', 'v-sys']);
  });

  it('orders clauses numerically, falling back to the position on the page', () => {
    const key = vocational.key;
    const at = (id: string, clausePath: string[], start: number): Annotation =>
      makeAnnotation({
        id,
        documentKey: key,
        clausePath,
        quote: `引文${id}`,
        tags: ['t'],
        selectors: [
          { type: 'TextQuoteSelector', exact: `引文${id}` },
          { type: 'TextPositionSelector', start, end: start + 3 },
        ],
      });
    const annotations = [
      at('c', ['十、'], 50),
      at('a', ['二、', '10.'], 10),
      at('b', ['二、', '9.'], 900),
      at('d', [], 5),
      at('e', ['二、', '9.'], 100),
      at('f', ['二、'], 999),
    ];
    const b = buildBriefing({ annotations, documents: [vocational], now: 0, options: { groupBy: 'document' } });
    expect(b.groups[0]!.entries.map((e) => e.id)).toEqual(['d', 'f', 'e', 'b', 'a', 'c']);
  });
});

describe('header, lead, sources, closing', () => {
  it('words the header from the options, with defaults', () => {
    const b = build({ options: { unit: '办公室', issueNumber: '3', mark: '内部资料', date: '2024-03-05' } });
    expect(b.header).toEqual({
      masthead: '工作简报',
      title: '政策文件学习批注要点',
      unit: '办公室',
      issue: '第3期',
      date: '2024年3月5日',
      isoDate: '2024-03-05',
      mark: '内部资料',
    });
    expect(build({ options: { issueNumber: '2024年第3期' } }).header.issue).toBe('2024年第3期');
    expect(build().header.isoDate).toBe('2024-03-07');
    expect(build({ options: { documents: [vocational.key] } }).header.title).toBe(
      `《${vocational.title}》学习批注要点`,
    );
    expect(build({ options: { tags: ['双减'] } }).header.title).toBe('“双减”相关条款批注要点');
  });

  it('counts officials, documents, clauses and notes in the lead', () => {
    const b = build();
    expect(b.stats).toEqual({
      notes: live.length,
      annotators: 3,
      entries: 10,
      documents: 4,
      orphans: 0,
      privateNotes: 0,
    });
    expect(b.lead).toMatch(/^本期汇总3位同志对4份文件中10处条款所作的12条批注，涉及“/);
  });

  it('numbers sources in order of first mention and cites each once', () => {
    const b = build({ options: { groupBy: 'document' } });
    expect(b.sources.map((s) => s.documentKey)).toEqual([
      vocational.key,
      procuratorate.key,
      suizhou.key,
      'no-metadata-doc',
    ]);
    expect(b.sources[0]!.text).toBe(
      `《${vocational.title}》，国务院，国发〔2019〕4号，2019年2月13日发布，${vocational.url}，2024年3月3日阅读。`,
    );
    expect(b.sources[3]!.text).toBe('《来源不详的文件》。');
    expect(b.groups.map((g) => g.citesSource)).toEqual([true, true, true, true]);
    expect(b.groups.flatMap((g) => g.entries).some((e) => e.citesSource)).toBe(false);
    const byTag = build();
    const citing = byTag.groups.flatMap((g) => g.entries).filter((e) => e.citesSource);
    expect(citing.map((e) => e.sourceNumber)).toEqual([1, 2, 3, 4]);
  });

  it('builds the closing block only when there is something to put in it', () => {
    expect(build().closing).toBeNull();
    expect(build({ options: { unit: '办公室', reportTo: '市政府', copies: 20, date: '2024-03-05' } }).closing).toEqual({
      lines: [{ label: '报：', text: '市政府' }],
      unit: '办公室',
      issued: '2024年3月5日印发',
      copies: '（共印20份）',
    });
  });

  it('keeps the selected annotations and their documents for the JSON format', () => {
    const b = build();
    expect(b.annotations.map((a) => a.id)).toEqual(noteIds(b));
    expect(b.documents.map((d) => d.key).sort()).toEqual([vocational.key, suizhou.key, procuratorate.key].sort());
  });
});

describe('language', () => {
  it('switches to English for English documents', () => {
    const en = englishSample();
    const b = buildBriefing({ ...en, options: { issueNumber: '7' } });
    expect(b.language).toBe('en');
    expect(b.header.masthead).toBe('Briefing');
    expect(b.header.issue).toBe('No. 7');
    expect(b.groups[0]!.title).toBe('1. safety');
    expect(b.groups[0]!.entries.map((e) => e.title)).toEqual([
      '1.1 The Coast Guard is issuing this rule without prior notice',
      '1.2 The Captain of the Port San Francisco has determined that potential hazards…',
    ]);
    expect(b.groups[0]!.entries.map((e) => e.reference)).toEqual(['II.', 'IV.']);
    expect(b.lead).toBe(
      'This briefing brings together 3 notes by 2 colleagues on 3 clauses in 1 document. Tags: “safety” (2), “regulatory” (1).',
    );
    expect(buildBriefing({ ...en, options: { language: 'zh' } }).language).toBe('zh');
  });

  it('reads the quotes when a document does not say its language', () => {
    const quote = (text: string) => makeAnnotation({ documentKey: 'undeclared', quote: text, tags: ['x'] });
    expect(buildBriefing({ annotations: [quote('The rule applies')], documents: [], now: 0 }).language).toBe('en');
    expect(buildBriefing({ annotations: [quote('本规则适用')], documents: [], now: 0 }).language).toBe('zh');
  });
});

describe('bad input', () => {
  it('makes a clear empty briefing from no annotations', () => {
    const b = buildBriefing({ annotations: [], documents: [], now: sample.now });
    expect(b.groups).toEqual([]);
    expect(b.summary).toEqual([]);
    expect(b.sources).toEqual([]);
    expect(b.lead).toBe('本期无符合条件的批注。');
    expect(b.stats.notes).toBe(0);
  });

  it('survives reply cycles and replies to missing or deleted highlights', () => {
    const x = makeAnnotation({ id: 'x', documentKey: vocational.key, quote: '甲', replyTo: 'y', tags: ['t'] });
    const y = makeAnnotation({ id: 'y', documentKey: vocational.key, quote: '乙', replyTo: 'x', tags: ['t'] });
    const orphanReply = makeAnnotation({
      id: 'z',
      documentKey: vocational.key,
      quote: '丙',
      replyTo: 'gone',
      tags: ['t'],
    });
    const b = buildBriefing({ annotations: [x, y, orphanReply], documents: [vocational], now: 0 });
    expect(noteIds(b).sort()).toEqual(['x', 'y', 'z']);
  });

  it('keeps the latest version when a record appears twice', () => {
    const older = makeAnnotation({
      id: 'dup',
      documentKey: vocational.key,
      quote: '甲',
      note: 'old',
      updatedAt: 1,
      createdAt: 1,
    });
    const newer = { ...older, note: 'new', updatedAt: 2 };
    const b = buildBriefing({ annotations: [newer, older], documents: [vocational], now: 0 });
    expect(b.groups[0]!.entries[0]!.notes.map((n) => n.text)).toEqual(['new']);
  });

  it('handles 10,000 annotations', { timeout: 120_000 }, async () => {
    const { generatedData } = await import('../../test/unit/briefing/sample.ts');
    const data = generatedData(10_000, 50);
    const b = buildBriefing({ ...data, options: { groupBy: 'document' } });
    expect(noteIds(b)).toHaveLength(10_000);
    expect(new Set(noteIds(b)).size).toBe(10_000);
    expect(b.sources).toHaveLength(50);
  });

  it('only lists people by the name they gave', () => {
    const annotations = [makeAnnotation({ documentKey: vocational.key, quote: '甲', author: wang, tags: ['a'] })];
    expect(buildBriefing({ annotations, documents: [vocational], now: 0 }).summary[0]!.annotators).toBe('王五');
  });
});

describe('summary', () => {
  it('has one row per clause, with the document when there are several and the orphan mark', () => {
    const b = build({ anchoring: { [sample.orphanId]: 'orphan' } });
    expect(b.summary.map((r) => r.entryId)).toEqual(b.groups.flatMap((g) => g.entries.map((e) => e.id)));
    const orphan = b.summary.find((r) => r.entryId === sample.orphanId)!;
    expect(orphan.clause).toBe('二、10.\n《市委教育工委 市教育局关于…》\n【原文未定位】');
    const shared = b.summary.find((r) => r.entryId === 'v-1x')!;
    expect(shared).toEqual({
      entryId: 'v-1x',
      tags: '职业教育、证书制度',
      clause: '二、（六）\n《国务院关于印发国家职业教育…》',
      quote: '启动1+X证书制度试点工作',
      annotators: '王五、李四',
      notes: '王五：试点院校名单需在3月底前上报；李四：与人社部门的职业技能等级认定如何衔接？',
    });
    const single = build({ options: { documents: [vocational.key] } }).summary[0]!;
    expect(single.clause).not.toContain('《');
  });

  it('cuts long quotes and notes', () => {
    const long = makeAnnotation({
      documentKey: vocational.key,
      quote: '长'.repeat(500),
      note: '注'.repeat(500),
      tags: ['t'],
    });
    const row = buildBriefing({ annotations: [long], documents: [vocational], now: 0 }).summary[0]!;
    expect([...row.quote]).toHaveLength(60);
    expect(row.quote.endsWith('…')).toBe(true);
    expect([...row.notes]).toHaveLength(120);
  });
});
