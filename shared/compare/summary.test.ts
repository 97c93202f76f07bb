import { describe, expect, it } from 'vitest';
import type { ComparableClause } from './clauses.ts';
import { compareClauseLists } from './index.ts';
import { citedPath, countChanges, summarizeChanges } from './summary.ts';

let next = 0;
const clause = (label: string, text: string, path: string[] = [label]): ComparableClause => ({
  index: next++,
  level: path.length,
  parent: -1,
  label,
  path,
  text,
  kind: 'numbered',
});
const list = (...items: ComparableClause[]) => items.map((c, index) => ({ ...c, index }));

const before = list(
  clause('第一条', '为统一全国年节及纪念日的假期，制定本办法。'),
  clause('第二条', '全体公民放假的节日：新年，放假1天。'),
  clause('第三条', '少数民族习惯的节日，由地方人民政府规定放假日期。'),
  clause('第四条', '本办法自公布之日起施行。'),
);
const after = list(
  clause('第一条', '为统一全国年节及纪念日的假期，制定本办法。'),
  clause('第二条', '全体公民放假的节日：元旦，放假1天。'),
  clause('第三条', '全体公民放假的假日，可合理安排统一放假调休。'),
  clause('第四条', '本办法自公布之日起施行。'),
);

describe('summary', () => {
  const changes = compareClauseLists(before, after);

  it('counts each status and the renumbered clauses', () => {
    expect(countChanges(changes)).toEqual({ unchanged: 2, modified: 1, added: 1, removed: 1, renumbered: 0 });
  });

  it('says in Chinese what was added, modified and removed, naming the clauses', () => {
    expect(summarizeChanges(changes, 'zh')).toBe(
      '新增 1 条，修改 1 条，删除 1 条：新增第三条；修改第二条；删除第三条。',
    );
  });

  it('says it in English', () => {
    expect(summarizeChanges(changes, 'en')).toBe(
      '1 clause added, 1 modified, 1 removed: added 第三条; modified 第二条; removed 第三条.',
    );
  });

  it('names a renumbered clause by its new label and what it was, and lists clauses only renumbered', () => {
    const old = list(clause('第一条', '甲项规定的内容如下'), clause('第二条', '乙项规定的内容如下'));
    const renumbered = list(
      clause('第一条', '新增加的丙项规定'),
      clause('第二条', '甲项规定的内容如下'),
      clause('第三条', '乙项规定的内容有变'),
    );
    const result = compareClauseLists(old, renumbered);
    expect(summarizeChanges(result, 'zh')).toBe(
      '新增 1 条，修改 1 条，删除 0 条：新增第一条；修改第三条（原第二条）；另有 1 条仅条号变更（第一条 → 第二条）。',
    );
  });

  it('says so when nothing changed', () => {
    const same = compareClauseLists(before, before);
    expect(summarizeChanges(same, 'zh')).toBe('两个版本的条款内容相同，没有新增、修改或删除。');
    expect(summarizeChanges(same, 'en')).toBe(
      'The clauses of both versions are the same: nothing added, modified or removed.',
    );
  });

  it('names at most the given number of clauses per kind and says how many in all', () => {
    const many = list(...Array.from({ length: 30 }, (_, k) => clause(`${k + 1}.`, `第${k + 1}项新工作的具体安排`)));
    const summary = summarizeChanges(compareClauseLists([], many), 'zh', 3);
    expect(summary).toBe('新增 30 条，修改 0 条，删除 0 条：新增1.、2.、3.等 30 条。');
  });

  it('cites articles without their chapter, sections and items as they are', () => {
    expect(citedPath('第二章第八条（五）')).toBe('第八条（五）');
    expect(citedPath('第一编第二章第三节第十条')).toBe('第十条');
    expect(citedPath('第二章第一节')).toBe('第二章第一节');
    expect(citedPath('第二章')).toBe('第二章');
    expect(citedPath('一、6.')).toBe('一、6.');
  });

  it('removes bidi controls from the clause labels it names', () => {
    const hostile = list(clause('第一条\u202e', '新增加的一条规定内容'));
    expect(summarizeChanges(compareClauseLists([], hostile), 'zh')).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
