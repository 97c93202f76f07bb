/** Pure helpers of the in-page UI and the panel: tag suggestions, placement, filters, deep links, initials. */
import { describe, expect, it } from 'vitest';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { currentNames, suggestTags } from '../../../extension/components/page/TagField.tsx';
import { placeNear } from '../../../extension/components/page/placement.ts';
import {
  documentOrder,
  groupByClause,
  matches,
  NO_FILTERS,
  pageView,
} from '../../../extension/components/panel/filtering.ts';
import { deepLinkTarget } from '../../../extension/lib/page/deep-link.ts';
import { authorColor, authorSlot, initialsOf } from '../../../extension/lib/author-colors.ts';
import { formatMessage } from '../../../extension/lib/i18n-format.ts';
import zh from '../../../extension/public/_locales/zh_CN/messages.json';
import { deepLinkFor } from '../../../shared/model/deep-link.ts';

let n = 0;
function note(quote: string, start: number, extra: Partial<Annotation> = {}): Annotation {
  return {
    id: `n${++n}`,
    documentKey: 'doc',
    teamId: null,
    selectors: [{ type: 'TextPositionSelector', start, end: start + quote.length }],
    clausePath: [],
    quote,
    tags: [],
    note: '',
    color: 'yellow',
    author: { id: 'me', name: '我' },
    visibility: 'private',
    replyTo: null,
    createdAt: n,
    updatedAt: n,
    deleted: false,
    ...extra,
  };
}

describe('tag suggestions', () => {
  const vocabulary = [
    { tag: '体育', count: 3, usedAt: 10 },
    { tag: '体质监测', count: 9, usedAt: 5 },
    { tag: '教育体制', count: 4, usedAt: 30 },
    { tag: 'ppp', count: 1, usedAt: 20 },
  ];
  it('shows recent tags first when nothing is typed, without those already chosen', () => {
    expect(suggestTags(vocabulary, '', ['ppp']).map((s) => s.tag)).toEqual(['教育体制', '体育', '体质监测']);
  });
  it('puts prefix matches (most used first) before inner matches, folding width and case', () => {
    expect(suggestTags(vocabulary, '体', []).map((s) => s.tag)).toEqual(['体质监测', '体育', '教育体制']);
    expect(suggestTags(vocabulary, 'ＰＰ', []).map((s) => s.tag)).toEqual(['ppp']);
  });
  it('finds a tag by the names the team renamed into it, and turns a typed old name into the new one', () => {
    const renamed = [...vocabulary, { tag: '重点工作', count: 2, usedAt: 1, aliases: ['重点任务', '要点'] }];
    expect(suggestTags(renamed, '重点任', []).map((s) => s.tag)).toEqual(['重点工作']);
    expect(suggestTags(renamed, '要', []).map((s) => s.tag)).toEqual(['重点工作']);
    expect(currentNames(renamed, ['重点任务', ' 体育 ', '新标签'])).toEqual(['重点工作', '体育', '新标签']);
  });
});

describe('placement', () => {
  const viewport = { width: 1000, height: 800 };
  const rect = (left: number, top: number, width: number, height: number) =>
    ({ left, top, width, height, right: left + width, bottom: top + height }) as DOMRect;
  it('below the target when it fits, above when it does not, inside the viewport always', () => {
    expect(placeNear(rect(100, 100, 50, 20), { width: 360, height: 150 }, viewport)).toEqual({ left: 100, top: 128 });
    expect(placeNear(rect(900, 700, 50, 20), { width: 360, height: 150 }, viewport)).toEqual({ left: 632, top: 542 });
    expect(placeNear(rect(10, 10, 50, 780), { width: 360, height: 900 }, viewport).top).toBe(8);
  });
});

describe('panel filtering', () => {
  const a = note('甲', 300, { clausePath: ['一、', '2.'], tags: ['体育'] });
  const b = note('乙', 100, { clausePath: ['一、', '1.'], color: 'green', note: 'ＰＰＰ 项目' });
  const c = note('丙', 200, { clausePath: ['一、', '1.'], visibility: 'team', author: { id: 'li', name: '李娜' } });
  const reply = note('甲', 300, { replyTo: a.id, note: '同意', author: { id: 'wang', name: '王芳' } });

  it('orders by the page’s anchored order when known, else by stored position, and groups consecutive clauses', () => {
    expect(documentOrder([a, b, c]).map((x) => x.quote)).toEqual(['乙', '丙', '甲']);
    expect(documentOrder([a, b, c], [a.id, c.id, b.id]).map((x) => x.quote)).toEqual(['甲', '丙', '乙']);
    expect(groupByClause(documentOrder([a, b, c])).map((g) => [g.label, g.items.length])).toEqual([
      ['一、1.', 2],
      ['一、2.', 1],
    ]);
    expect(groupByClause([a], { [a.id]: ['一、', '3.'] })[0]!.label).toBe('一、3.');
  });

  it('matches text with folded width and case, and an author through their reply', () => {
    expect(matches(b, { ...NO_FILTERS, text: 'ppp' })).toBe(true);
    expect(matches(a, { ...NO_FILTERS, author: 'wang' }, [reply])).toBe(true);
    expect(matches(a, { ...NO_FILTERS, author: 'wang' })).toBe(false);
    expect(matches(c, { ...NO_FILTERS, visibility: 'private' })).toBe(false);
    expect(matches(b, { ...NO_FILTERS, colors: ['green'] })).toBe(true);
  });

  it('puts orphans apart and replies under their highlight', () => {
    const view = pageView([a, b, c, reply], NO_FILTERS, { [b.id]: 'orphan' });
    expect(view.orphans.map((x) => x.quote)).toEqual(['乙']);
    expect(view.groups.flatMap((g) => g.items.map((x) => x.quote))).toEqual(['丙', '甲']);
    expect(view.repliesOf.get(a.id)?.map((r) => r.note)).toEqual(['同意']);
    expect(view.total).toBe(3);
  });
});

describe('deep links', () => {
  it('reads the id the briefing wrote, ignores a text directive, refuses junk', () => {
    const link = deepLinkFor('http://example.gov.cn/a.html', {
      id: 'abc_123',
      quote: '促进学生身心健康',
      selectors: [],
    });
    expect(deepLinkTarget(new URL(link).hash)).toBe('abc_123');
    expect(deepLinkTarget('#top')).toBeNull();
    expect(deepLinkTarget('#pizhu=<script>')).toBeNull();
    expect(deepLinkTarget('#a=1&pizhu=x-1')).toBe('x-1');
  });
});

describe('authors and messages', () => {
  it('gives each author a stable colour from the member id and the surname as initials, never a title', () => {
    expect(authorColor('member-1')).toBe(authorColor('member-1'));
    expect(authorSlot('member-1')).toBeGreaterThanOrEqual(0);
    // Two 处长 are told apart by their surname and their colour, not shown both as 处长.
    expect(initialsOf('王处长')).toBe('王');
    expect(initialsOf('李科长')).toBe('李');
    expect(initialsOf('张处长')).not.toBe(initialsOf('王处长'));
    const colours = new Set(['m1a2b3', 'm9z8y7', 'mqwerty', 'masdfgh', 'mzxcvbn'].map(authorColor));
    expect(colours.size).toBeGreaterThan(1);
    expect(initialsOf('欧阳明月')).toBe('欧');
    expect(initialsOf(' （王芳）')).toBe('王');
    expect(initialsOf('Jane van Dyke')).toBe('JD');
    expect(initialsOf('alice')).toBe('A');
    expect(initialsOf('jean-luc picard')).toBe('JP');
    expect(initialsOf('  ')).toBe('?');
  });
  it('formats placeholders as browser.i18n does', () => {
    expect(formatMessage(zh, 'card_position', ['2', '5'])).toBe('第 2 / 5 条');
    expect(formatMessage(zh, 'missing_key')).toBe('');
  });
});
