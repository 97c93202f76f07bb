import MarkdownIt from 'markdown-it';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  all,
  allText,
  first,
  type OoxmlParts,
  openOoxml,
  textOf,
  type XmlElement,
} from '../../test/fixtures/tasks/ooxml.ts';
import {
  containsUnsafeText,
  HOSTILE,
  REFERENCE_SECTIONS,
  referenceProgress,
  referenceTasks,
  SAMPLE_UNITS,
} from '../../test/fixtures/tasks/sample.ts';
import { renderProgressReport } from './render.ts';
import { buildProgressReport, type ProgressReportInput, type ReportTask, toReportTasks } from './report.ts';

const SECTIONS = REFERENCE_SECTIONS;

function referenceInput(overrides: Partial<ProgressReportInput> = {}): ProgressReportInput {
  return {
    title: '2023年工作要点第二季度落实情况',
    unit: '市教育局办公室',
    period: { from: '2023-04-01', to: '2023-06-30' },
    today: '2023-07-03',
    groupBy: 'unit',
    tasks: toReportTasks(referenceTasks(), {
      units: SAMPLE_UNITS,
      progress: referenceProgress(),
      sectionTitle: (task) => SECTIONS[task.clause.path[0]!],
    }),
    ...overrides,
  };
}

function row(overrides: Partial<ReportTask>): ReportTask {
  return { no: 1, clausePath: '一、1.', task: '任务', leadUnits: ['甲科'], units: [], status: 'todo', ...overrides };
}

describe('the 落实情况 report model', () => {
  it('counts tasks by displayed status as of the given day, overall and per lead unit', () => {
    const report = buildProgressReport(referenceInput());
    const c = report.counts;
    expect(c.total).toBe(27);
    expect(c.todo + c.doing + c.done + c.overdue).toBe(27);
    const overdue = referenceTasks().filter((t) => t.status !== 'done' && t.due?.date && t.due.date < '2023-07-03');
    expect(c.overdue).toBe(overdue.length);
    expect(report.groups.map((g) => g.title)).toContain('基础教育科');
    const basic = report.groups.find((g) => g.title === '基础教育科')!;
    // u-old (基教科) is merged into 基础教育科; item 19 has two lead units and counts under both.
    expect(basic.items.map((i) => i.no)).toEqual([6, 9, 10, 11, 12, 13, 14, 19]);
    expect(report.groups.find((g) => g.title === '教学研究室')!.items.map((i) => i.no)).toEqual([7, 19]);
    for (const group of report.groups) expect(group.counts.total).toBe(group.items.length);
  });

  it('gives each task its newest progress up to the end of the period, marked when older than the period', () => {
    const report = buildProgressReport(referenceInput());
    const items = new Map(report.groups.flatMap((g) => g.items).map((i) => [i.no, i]));
    expect(items.get(1)!.latest).toMatchObject({ at: '2023-04-05', by: '李娜', inPeriod: true });
    expect(items.get(3)!.latest).toMatchObject({ at: '2023-03-12', by: '张敏', inPeriod: false });
    expect(items.get(2)!.latest).toBeNull();
    const march = buildProgressReport(referenceInput({ period: { from: '2023-03-01', to: '2023-03-31' } }));
    const first = march.groups.flatMap((g) => g.items).find((i) => i.no === 1)!;
    expect(first.latest).toMatchObject({ at: '2023-03-10', inPeriod: true });
    expect(report.counts.reported).toBe([...items.values()].filter((i) => i.latest?.inPeriod).length);
  });

  it('lists what is overdue, longest overdue first, with the days', () => {
    const report = buildProgressReport(referenceInput());
    expect(report.overdue.length).toBe(report.counts.overdue);
    const days = report.overdue.map((i) => i.overdueDays!);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    const item24 = report.overdue.find((i) => i.no === 24)!;
    expect(item24).toMatchObject({ due: { text: '3月31日前', date: '2023-03-31' }, overdueDays: 94 });
  });

  it('groups per clause by section, naming the notice when there are several', () => {
    const report = buildProgressReport(referenceInput({ groupBy: 'clause' }));
    expect(report.groups.map((g) => g.title)).toEqual(Object.values(SECTIONS));
    expect(report.groups[0]!.items.map((i) => i.no)).toEqual([1, 2, 3, 4, 5]);
    const two = buildProgressReport({
      ...referenceInput({ groupBy: 'clause' }),
      tasks: [
        row({ document: '甲通知', clausePath: '第三章第十条' }),
        row({ no: 2, document: '乙通知', clausePath: '二、（一）' }),
        row({ no: 3, document: '乙通知', clausePath: '' }),
      ],
    });
    expect(two.groups.map((g) => g.title)).toEqual(['《甲通知》 第三章', '《乙通知》 二、', '《乙通知》 其他条款']);
  });

  it('puts tasks without a lead unit under their responsible units, or under 未明确牵头单位 last', () => {
    const report = buildProgressReport({
      ...referenceInput(),
      tasks: [
        row({ leadUnits: [], units: [] }),
        row({ no: 2, leadUnits: [], units: ['乙科', '丙科'] }),
        row({ no: 3 }),
      ],
    });
    expect(report.groups.map((g) => g.title)).toEqual(['乙科', '丙科', '甲科', '未明确牵头单位']);
  });

  it('refuses input it cannot report on, saying what is wrong', () => {
    expect(() => buildProgressReport(referenceInput({ period: { from: '2023-07-01', to: '2023-06-30' } }))).toThrow(
      /period/,
    );
    expect(() => buildProgressReport(referenceInput({ today: '2023-06-31' }))).toThrow(/today/);
    expect(() => buildProgressReport({ ...referenceInput(), tasks: [row({ leadUnits: 'x' as never })] })).toThrow(
      /task 1/,
    );
    expect(() =>
      buildProgressReport({
        ...referenceInput(),
        tasks: [row({ progress: [{ at: 'yesterday', by: 'a', text: 'b' }] })],
      }),
    ).toThrow(/progress/);
  });
});

describe('the report as Markdown', () => {
  it('has the title, the period, the summary table, a section per group and the overdue table', async () => {
    const file = await renderProgressReport(referenceInput(), { format: 'md' });
    expect(file.filename).toBe('2023年工作要点第二季度落实情况.md');
    expect(file.mimeType).toBe('text/markdown; charset=utf-8');
    const md = file.body as string;
    const tokens = new MarkdownIt().parse(md, {});
    const headings = tokens
      .filter((_, i) => tokens[i - 1]?.type === 'heading_open' && tokens[i - 1]?.tag === 'h2')
      .map((t) => t.content);
    const report = buildProgressReport(referenceInput());
    expect(headings).toHaveLength(report.groups.length + 1);
    expect(headings[0]).toBe('一、组织人事科（2项）');
    expect(headings.at(-1)).toBe('十四、逾期事项');
    expect(md).toContain('统计时段：2023年4月1日至2023年6月30日（状态截至2023年7月3日）。');
    expect(md).toContain(
      '最新进展（2023年4月5日，李娜）：完成阶段性任务，材料已归档。 [附件](<https://oa.example.gov.cn/files/2023/progress.docx>)',
    );
    expect(md).toContain('| 合计 | 27 |');
    expect(md.trimEnd().endsWith('2023年7月3日')).toBe(true);
  });

  it('keeps what people wrote as text: no markup, no script links', async () => {
    const hostile = row({
      task: '# 标题 <script>alert(1)</script> [点我](javascript:alert(1))',
      leadUnits: ['**甲科**'],
      progress: [
        { at: '2023-05-01', by: '<b>某人</b>', text: '![img](http://x/y.png)\n- 列表', link: 'javascript:alert(1)' },
      ],
    });
    const md = (await renderProgressReport({ ...referenceInput(), tasks: [hostile] }, { format: 'md' })).body as string;
    const html = new MarkdownIt().render(md);
    expect(html).not.toMatch(/<script|<b>|<img|<strong>甲|href="javascript/);
    expect(html).toContain('&lt;script&gt;');
    expect(md).not.toMatch(/(?<!\\)\]\(javascript/);
  });

  it("keeps the notice's own numbers as the headings when grouped by section", async () => {
    const md = (await renderProgressReport(referenceInput({ groupBy: 'clause' }), { format: 'md' })).body as string;
    const headings = md.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      ...Object.values(SECTIONS).map((title, i) => `## ${title}（${[5, 4, 6, 3, 4, 5][i]}项）`),
      '## 逾期事项',
    ]);
  });

  it('words everything in English', async () => {
    const md = (await renderProgressReport(referenceInput({ language: 'en', title: 'Q2 report' }), { format: 'md' }))
      .body as string;
    expect(md).toContain('Period: 1 April 2023 to 30 June 2023 (status as of 3 July 2023).');
    expect(md).toContain('| Lead unit | Tasks | Done |');
    expect(md).toContain('Overdue');
  });
});

describe('the report as DOCX', () => {
  let docx: OoxmlParts;
  let document: XmlElement;

  beforeAll(async () => {
    const file = await renderProgressReport(referenceInput(), { format: 'docx' });
    expect(file.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    docx = openOoxml(file.body as Uint8Array);
    document = docx.xml('word/document.xml');
  });

  it('is a portrait A4 公文 page with the title, the counts and the summary table', () => {
    const size = first(first(document, 'w:sectPr'), 'w:pgSz');
    expect(size.attrs['w:w']).toBe('11906');
    expect(size.attrs['w:orient']).not.toBe('landscape');
    const paragraphs = first(document, 'w:body').children.filter((c) => c.name === 'w:p');
    expect(first(paragraphs[0]!, 'w:pStyle').attrs['w:val']).toBe('Title');
    expect(textOf(paragraphs[0]!)).toBe('2023年工作要点第二季度落实情况');
    expect(textOf(paragraphs[3]!)).toMatch(/^共27项任务，/);
    const [summary] = all(document, 'w:tbl');
    const rows = all(summary!, 'w:tr');
    expect(rows).toHaveLength(1 + buildProgressReport(referenceInput()).groups.length + 1);
    expect(
      all(rows.at(-1)!, 'w:tc')
        .map((c) => textOf(c))
        .slice(0, 2),
    ).toEqual(['合计', '27']);
  });

  it('heads each group 一、 and each task （一）, with its progress, and ends with the overdue table and the sign-off', () => {
    const report = buildProgressReport(referenceInput());
    const headings = (style: string) =>
      all(document, 'w:p')
        .filter((p) => all(p, 'w:pStyle').some((s) => s.attrs['w:val'] === style))
        .map((p) => textOf(p));
    expect(headings('Heading1')).toHaveLength(report.groups.length + 1);
    expect(headings('Heading1')[0]).toBe('一、组织人事科（2项）');
    expect(headings('Heading2')).toHaveLength(report.groups.reduce((n, g) => n + g.items.length, 0));
    const tables = all(document, 'w:tbl');
    const overdueRows = all(tables.at(-1)!, 'w:tr');
    expect(overdueRows).toHaveLength(1 + report.overdue.length);
    expect(all(overdueRows[0]!, 'w:tblHeader')).toHaveLength(1);
    const paragraphs = first(document, 'w:body').children.filter((c) => c.name === 'w:p');
    expect(paragraphs.slice(-2).map((p) => textOf(p))).toEqual(['市教育局办公室', '2023年7月3日']);
    expect(first(paragraphs.at(-1)!, 'w:jc').attrs['w:val']).toBe('right');
    const rels = docx.text('word/_rels/document.xml.rels');
    expect(rels).toContain('https://oa.example.gov.cn/files/2023/progress.docx');
  });

  it('parses strictly in every part whatever people wrote, links http(s) only', async () => {
    const hostile = row({
      task: `${HOSTILE.xmlForbidden}${HOSTILE.bidi}`,
      leadUnits: [HOSTILE.markup],
      due: { text: HOSTILE.loneSurrogates, date: '2023-05-01' },
      requirement: HOSTILE.quotes,
      progress: [{ at: '2023-05-02', by: HOSTILE.bidi, text: HOSTILE.xmlForbidden, link: 'javascript:alert(1)' }],
    });
    const file = await renderProgressReport(
      { ...referenceInput({ title: HOSTILE.bidi, unit: HOSTILE.xmlForbidden }), tasks: [hostile] },
      { format: 'docx' },
    );
    const parts = openOoxml(file.body as Uint8Array);
    const parsed = parts.parseAll();
    expect(containsUnsafeText([...parsed.values()].map(allText).join(''))).toBe(false);
    expect(parts.text('word/_rels/document.xml.rels')).not.toContain('javascript');
    expect(allText(parts.xml('word/document.xml'))).toContain(HOSTILE.markup);
  });
});

describe('report rows from the store', () => {
  it("dates progress in the reader's time zone and names the notice", () => {
    const [task] = referenceTasks();
    const entry = {
      id: 'p',
      taskId: task!.id,
      text: '深夜报送',
      at: Date.UTC(2023, 5, 30, 17),
      by: { id: 'm', name: '王' },
    };
    const [shanghai] = toReportTasks([task!], {
      units: SAMPLE_UNITS,
      progress: [entry],
      documentTitle: () => '工作要点',
    });
    expect(shanghai!.progress).toEqual([{ at: '2023-07-01', by: '王', text: '深夜报送' }]);
    expect(shanghai!.document).toBe('工作要点');
    const [utc] = toReportTasks([task!], { units: SAMPLE_UNITS, progress: [entry], timeZone: 'UTC' });
    expect(utc!.progress![0]!.at).toBe('2023-06-30');
  });
});
