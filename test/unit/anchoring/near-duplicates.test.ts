/**
 * The near-duplicate trap: a templated notice whose clauses differ only by their numbers
 * ("确保第5项任务第3条措施落实到位"). Clauses are edited by 2 to 4 characters, renumbered, deleted: an annotation
 * follows its clause or is reported lost, never moved to a sibling (the reference annotator moved 54 of 54).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  anchor,
  createPageIndex,
  describe as describeRange,
  normalizeText,
  segmentClauses,
} from '../../../shared/anchoring/index.ts';
import type { Selector } from '../../../shared/model/annotation.ts';
import { loadHtml } from './helpers/corpus.ts';

const SECTIONS = ['一', '二', '三', '四', '五', '六'];
const ITEMS = 9;

interface Item {
  section: number;
  item: number;
  /** The sentence after the label. */
  text: string;
}

function baseItems(): Item[] {
  const items: Item[] = [];
  for (let s = 1; s <= SECTIONS.length; s++) {
    for (let i = 1; i <= ITEMS; i++)
      items.push({ section: s, item: i, text: `确保第${s}项任务第${i}条措施落实到位。` });
  }
  return items;
}

/** A portal-like page; items are numbered 1. 2. … within each section, in the order given. */
function page(items: Item[], { renumber = true } = {}): string {
  const rows: string[] = [];
  for (let s = 1; s <= SECTIONS.length; s++) {
    rows.push(`<p>${SECTIONS[s - 1]}、第${s}项重点任务</p>`);
    const inSection = items.filter((it) => it.section === s);
    inSection.forEach((it, k) => {
      rows.push(`<p>${renumber ? k + 1 : it.item}. ${it.text}</p>`);
    });
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title></head><body>
<div class="nav"><a href="#">首页</a> &gt; <a href="#">通知公告</a></div>
<div id="zoom"><p>关于抓好重点任务落实的通知</p><p>各单位：</p><p>现将重点任务分解如下，请认真落实。</p>${rows.join('\n')}
<p>特此通知。</p></div><div class="footer">主办单位：某某市人民政府办公室</div></body></html>`;
}

interface Annotation {
  section: number;
  item: number;
  selectors: Selector[];
}

/** One annotation per item on the base page: the sentence without its label (or `pick` of it). */
async function annotateBase(pick: (sentence: string) => string = (s) => s): Promise<Annotation[]> {
  const base = await loadHtml(page(baseItems()), 'happy-dom');
  try {
    const clauses = segmentClauses(base.document);
    const index = createPageIndex(base.document);
    const out: Annotation[] = [];
    for (const c of clauses.filter((c) => c.level === 2)) {
      const section = SECTIONS.indexOf(c.path[0]!.replace('、', '')) + 1;
      const item = parseInt(c.label, 10);
      const labelUnits = c.label.length;
      const start = index.bodyStart + c.start + labelUnits;
      const end = index.text.norm.indexOf('。', start); // the sentence without its closing 。
      const sentence = `确保第${section}项任务第${item}条措施落实到位`;
      const piece = pick(sentence);
      const from = start + sentence.indexOf(piece);
      const range = index.text.rangeForUnits(from, from + piece.length)!;
      expect(range.toString()).toBe(piece);
      expect(end).toBe(start + sentence.length);
      out.push({ section, item, selectors: describeRange(base.document, range) });
    }
    expect(out).toHaveLength(SECTIONS.length * ITEMS);
    return out;
  } finally {
    await base.close();
  }
}

interface Outcome {
  followed: number;
  lost: number;
  wrong: string[];
}

/**
 * Anchors every annotation on the edited page. `expected(a)` gives the sentence the annotation must land on
 * (its clause's current text, or null when its clause is gone and only "lost" is right).
 */
async function anchorAll(
  html: string,
  annotations: Annotation[],
  expected: (a: Annotation) => string | null,
): Promise<Outcome> {
  const edited = await loadHtml(html, 'happy-dom');
  try {
    const outcome: Outcome = { followed: 0, lost: 0, wrong: [] };
    for (const a of annotations) {
      const result = anchor(edited.document, a.selectors);
      const want = expected(a);
      if (!result.range) {
        outcome.lost++;
        continue;
      }
      const container = result.range.startContainer.parentElement?.textContent ?? '';
      const sentence = container.replace(/^\d+\.\s*/, '');
      if (want !== null && sentence === want) outcome.followed++;
      else outcome.wrong.push(`第${a.section}项第${a.item}条 → "${container}" (${result.status})`);
    }
    return outcome;
  } finally {
    await edited.close();
  }
}

const report: string[] = [];
afterAll(() => console.log(`\nnear-duplicate trap (54 annotations each):\n${report.join('\n')}`));

describe('near-duplicate trap', () => {
  it('without edits, every annotation lands exactly on its own clause', async () => {
    const annotations = await annotateBase();
    const outcome = await anchorAll(
      page(baseItems()),
      annotations,
      (a) => `确保第${a.section}项任务第${a.item}条措施落实到位。`,
    );
    report.push(
      `  unchanged page:                       followed ${outcome.followed}, lost ${outcome.lost}, wrong ${outcome.wrong.length}`,
    );
    expect(outcome.wrong).toEqual([]);
    expect(outcome.followed).toBe(54);
  });

  it('every clause edited by a 2-character insertion: annotations follow their clause, none moves to a sibling', async () => {
    const annotations = await annotateBase();
    const edit = (t: string) => t.replace('措施', '措施切实');
    const items = baseItems().map((it) => ({ ...it, text: edit(it.text) }));
    const outcome = await anchorAll(page(items), annotations, (a) =>
      edit(`确保第${a.section}项任务第${a.item}条措施落实到位。`),
    );
    report.push(
      `  all edited (+2 chars):                followed ${outcome.followed}, lost ${outcome.lost}, wrong ${outcome.wrong.length}`,
    );
    expect(outcome.wrong).toEqual([]);
    expect(outcome.followed).toBe(54);
  });

  const edits: [string, (t: string) => string][] = [
    ['insert 2', (t) => t.replace('措施', '措施切实')],
    ['insert 3', (t) => t.replace('落实', '全面地落实')],
    ['insert 4', (t) => t.replace('确保', '确保各单位把')],
    ['replace 2', (t) => t.replace('落实', '执行')],
    ['replace 3', (t) => t.replace('措施落', '各项举')],
    ['delete 2', (t) => t.replace('措施', '')],
    ['delete 3', (t) => t.replace('落实到', '')],
    ['mixed 4', (t) => t.replace('确保', '务必').replace('到位', '到底')],
  ];
  for (const [name, edit] of edits) {
    it(`one clause edited (${name}), for each of the 54 clauses: its annotation follows it or is lost`, async () => {
      const annotations = await annotateBase();
      let followed = 0;
      let lost = 0;
      const wrong: string[] = [];
      // edit one clause at a time; check the annotation on it (the others are checked in the unchanged test)
      for (const target of annotations) {
        const items = baseItems().map((it) =>
          it.section === target.section && it.item === target.item ? { ...it, text: edit(it.text) } : it,
        );
        const outcome = await anchorAll(page(items), [target], () =>
          edit(`确保第${target.section}项任务第${target.item}条措施落实到位。`),
        );
        followed += outcome.followed;
        lost += outcome.lost;
        wrong.push(...outcome.wrong);
      }
      report.push(
        `  one clause edited (${name.padEnd(9)}):        followed ${followed}, lost ${lost}, wrong ${wrong.length}`,
      );
      expect(wrong).toEqual([]);
    }, 60_000);
  }

  for (const [name, pick] of [
    ['措施落实到位', (s: string) => s.slice(s.indexOf('措施'))],
    ['任务第N条', (s: string) => s.slice(s.indexOf('任务'), s.indexOf('措施'))],
  ] as const) {
    it(`a short quote ("${name}") in one edited clause, for each of the 54 clauses: never lands on a sibling`, async () => {
      const annotations = await annotateBase(pick);
      let followed = 0;
      let lost = 0;
      const wrong: string[] = [];
      for (const edit of [(t: string) => t.replace('措施', '措施切实'), (t: string) => t.replace('落实', '执行')]) {
        for (const target of annotations) {
          const items = baseItems().map((it) =>
            it.section === target.section && it.item === target.item ? { ...it, text: edit(it.text) } : it,
          );
          const outcome = await anchorAll(page(items), [target], () =>
            edit(`确保第${target.section}项任务第${target.item}条措施落实到位。`),
          );
          followed += outcome.followed;
          lost += outcome.lost;
          wrong.push(...outcome.wrong);
        }
      }
      report.push(
        `${`  short quote "${name}" (108 cases):`.padEnd(40)}followed ${followed}, lost ${lost}, wrong ${wrong.length}`,
      );
      expect(wrong).toEqual([]);
    }, 60_000);
  }

  it('an item inserted at the top of every section renumbers all, and every clause is edited: none moves to a sibling', async () => {
    const annotations = await annotateBase();
    const edit = (t: string) => t.replace('落实到位', '落实到位到底');
    const items: Item[] = [];
    for (let s = 1; s <= SECTIONS.length; s++) {
      items.push({ section: s, item: 0, text: `统筹推进第${s}项任务各条措施。` });
      for (let i = 1; i <= ITEMS; i++)
        items.push({ section: s, item: i, text: edit(`确保第${s}项任务第${i}条措施落实到位。`) });
    }
    const outcome = await anchorAll(page(items), annotations, (a) =>
      edit(`确保第${a.section}项任务第${a.item}条措施落实到位。`),
    );
    report.push(
      `  renumbered + all edited:              followed ${outcome.followed}, lost ${outcome.lost}, wrong ${outcome.wrong.length}`,
    );
    expect(outcome.wrong).toEqual([]);
  });

  it('a deleted clause (later items renumbered): its annotation is lost, the others follow their clauses', async () => {
    const annotations = await annotateBase();
    let lostRight = 0;
    const wrong: string[] = [];
    for (const gone of [
      { section: 1, item: 1 },
      { section: 3, item: 5 },
      { section: 5, item: 3 },
      { section: 6, item: 9 },
    ]) {
      const items = baseItems().filter((it) => !(it.section === gone.section && it.item === gone.item));
      const outcome = await anchorAll(page(items), annotations, (a) =>
        a.section === gone.section && a.item === gone.item
          ? null
          : `确保第${a.section}项任务第${a.item}条措施落实到位。`,
      );
      wrong.push(...outcome.wrong);
      if (outcome.lost === 1) lostRight++;
    }
    report.push(`  one clause deleted (4 cases):         lost as expected ${lostRight}/4, wrong ${wrong.length}`);
    expect(wrong).toEqual([]);
    expect(lostRight).toBe(4);
  });

  it('a deleted clause without renumbering (a numbering gap): its annotation is lost', async () => {
    const annotations = await annotateBase();
    const items = baseItems().filter((it) => !(it.section === 5 && it.item === 3));
    const outcome = await anchorAll(page(items, { renumber: false }), annotations, (a) =>
      a.section === 5 && a.item === 3 ? null : `确保第${a.section}项任务第${a.item}条措施落实到位。`,
    );
    expect(outcome.wrong).toEqual([]);
    expect(outcome.lost).toBe(1);
  });
});

describe('duplicated wording', () => {
  const page = (a436: string) => `<body><div id="fontzoom">
<p class="zhang">第十二章 简易程序</p>
<p>第四百三十五条 适用简易程序审理的案件，人民检察院应当派员出席法庭。</p>
<p>第四百三十六条 ${a436}</p>
<p>第四百三十七条 人民法院决定转为普通程序审理的，人民检察院应当配合。</p>
<p class="zhang">第十三章 速裁程序</p>
<p>第四百四十三条 适用速裁程序审理的案件，人民检察院应当派员出席法庭。</p>
<p>第四百四十四条 转为普通程序审理的案件，公诉人需要为出席法庭进行准备的，可以建议人民法院延期审理。</p>
<p>第四百四十五条 人民法院决定转为普通程序审理的，人民检察院应当配合。</p>
</div></body>`;
  const original = '转为普通程序审理的案件，公诉人需要为出席法庭进行准备的，可以建议人民法院延期审理。';

  it('two articles with the same wording: the edited one keeps its annotation, the other keeps its own', async () => {
    const v1 = await loadHtml(page(original), 'happy-dom');
    const describeIn = (label: string) => {
      const p = Array.from(v1.document.querySelectorAll('p')).find((e) => e.textContent!.startsWith(label))!;
      const t = p.firstChild as Text;
      const from = t.data.indexOf('审理的案件');
      const range = v1.document.createRange();
      range.setStart(t, from);
      range.setEnd(t, from + 24);
      return describeRange(v1.document, range);
    };
    const on436 = describeIn('第四百三十六条');
    const on444 = describeIn('第四百四十四条');
    await v1.close();
    const v2 = await loadHtml(page(original.replace('可以建议', '应当可以建议')), 'happy-dom');
    try {
      const a = anchor(v2.document, on436);
      expect(a.status).toBe('fuzzy');
      expect(a.clause?.label).toBe('第四百三十六条');
      const b = anchor(v2.document, on444);
      expect(b.status).toBe('exact');
      expect(b.clause?.label).toBe('第四百四十四条');
    } finally {
      await v2.close();
    }
  });

  it('the same sentence twice in one article: the context grows until it tells them apart', async () => {
    const sentence =
      '应当告知犯罪嫌疑人有权委托辩护人，并告知其如果因经济困难或者其他原因没有委托辩护人的，可以申请法律援助。';
    const html = `<body><div id="fontzoom"><p>第四十条 人民检察院负责侦查的部门在第一次讯问犯罪嫌疑人时，${sentence}</p><p>人民检察院自收到移送起诉案卷材料之日起三日以内，${sentence}</p></div></body>`;
    const page2 = await loadHtml(html, 'happy-dom');
    try {
      const second = page2.document.querySelectorAll('p')[1]!.firstChild as Text;
      const at = second.data.indexOf('，可以申请法律援');
      const range = page2.document.createRange();
      range.setStart(second, at);
      range.setEnd(second, at + 8);
      const selectors = describeRange(page2.document, range);
      const quote = selectors[0] as { prefix: string };
      expect(normalizeText(quote.prefix).length).toBeGreaterThan(32);
      const result = anchor(page2.document, selectors);
      expect(result.status).toBe('exact');
      expect(result.range!.startContainer).toBe(second);
      expect(result.range!.startOffset).toBe(at);
    } finally {
      await page2.close();
    }
  });
});
