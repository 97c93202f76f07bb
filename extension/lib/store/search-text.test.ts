import { describe, expect, it } from 'vitest';
import {
  containsTerm,
  indexTerms,
  markTerms,
  matchesPlan,
  normaliseForSearch,
  planQuery,
  searchableText,
  snippet,
} from './search-text.ts';

describe('normaliseForSearch', () => {
  it('folds full-width letters and digits, case and whitespace', () => {
    expect(normaliseForSearch('  ＰＰＰ　项目\n\t２０２３ Safety  ')).toBe('ppp 项目 2023 safety');
  });
});

describe('indexTerms', () => {
  it('indexes CJK runs as bigrams plus the last character, and Latin words whole', () => {
    const terms = indexTerms(normaliseForSearch('加强体育，Safety Zone 2024'));
    expect([...terms].sort()).toEqual(['2024', 'safety', 'zone', '体育', '加强', '强体', '育'].sort());
  });

  it('cuts very long words so that query prefixes still find them', () => {
    const long = 'a'.repeat(80);
    expect([...indexTerms(long)]).toEqual(['a'.repeat(32)]);
    const plan = planQuery(long);
    expect(plan.lookups).toEqual([{ kind: 'prefix', key: 'a'.repeat(32) }]);
    expect(plan.exact).toBe(false);
  });
});

describe('planQuery', () => {
  it('looks up a longer Chinese phrase through a few of its bigrams and checks the text afterwards', () => {
    const plan = planQuery('身心健康');
    expect(plan.lookups.map((l) => l.key)).toEqual(['身心', '健康']);
    expect(plan.exact).toBe(false);
    expect(planQuery('健康发').lookups.map((l) => l.key)).toEqual(['健康', '康发']);
    expect(planQuery('个人所得税专项附加扣除').lookups.map((l) => l.key)).toEqual(['个人', '税专', '项附', '扣除']);
  });

  it('is exact for one or two CJK characters and for short words', () => {
    expect(planQuery('税').exact).toBe(true);
    expect(planQuery('税').lookups).toEqual([{ kind: 'prefix', key: '税' }]);
    expect(planQuery('体育 safety').exact).toBe(true);
    expect(planQuery('PPP项目').exact).toBe(false);
  });

  it('has no lookups for punctuation only', () => {
    expect(planQuery('，。、').lookups).toEqual([]);
    expect(planQuery('   ').terms).toEqual([]);
  });
});

describe('containsTerm', () => {
  it('finds Chinese anywhere and a word only at a word start', () => {
    expect(containsTerm('促进学生身心健康全面发展', '身心健康')).toBe(true);
    expect(containsTerm('this is unsafe', 'safe')).toBe(false);
    expect(containsTerm('unsafe, then safety', 'safe')).toBe(true);
    expect(containsTerm('项目ppp合作', 'ppp')).toBe(true);
  });

  it('requires every term', () => {
    const text = normaliseForSearch('Safety zone; 安全区 2024');
    expect(matchesPlan(text, planQuery('安全 ZONE'))).toBe(true);
    expect(matchesPlan(text, planQuery('安全 harbor'))).toBe(false);
  });
});

describe('searchableText', () => {
  it('holds the quote, note, tags and title, so a term in any of them matches but none spans two', () => {
    const text = searchableText({
      quote: '加强体育',
      note: '重点',
      tags: ['双减', 'ppp 项目'],
      title: '关于印发工作要点的通知',
    });
    expect(matchesPlan(text, planQuery('双减 通知'))).toBe(true);
    expect(matchesPlan(text, planQuery('体育重点'))).toBe(false);
  });
});

describe('markTerms and snippet', () => {
  const marked = (pieces: { text: string; hit: boolean }[]) =>
    pieces.map((p) => (p.hit ? `[${p.text}]` : p.text)).join('');

  it('marks every occurrence in the text as written, folding width and case like the search', () => {
    expect(marked(markTerms('ＰＰＰ项目与PPP合作', planQuery('ppp').terms))).toBe('[ＰＰＰ]项目与[PPP]合作');
    expect(marked(markTerms('扎实推进“双减”工作，双减', ['双减']))).toBe('扎实推进“[双减]”工作，[双减]');
  });

  it('marks words only from their start, as the search finds them', () => {
    expect(marked(markTerms('unsafe, then Safety', ['safe']))).toBe('unsafe, then [Safe]ty');
  });

  it('keeps characters outside the basic plane whole', () => {
    expect(marked(markTerms('𠀀教育𠀀', ['教育']))).toBe('𠀀[教育]𠀀');
    expect(marked(markTerms('a𠀀b', ['𠀀']))).toBe('a[𠀀]b');
  });

  it('cuts a long text around its first match', () => {
    const text = `${'前'.repeat(200)}身心健康${'后'.repeat(200)}`;
    const cut = marked(snippet(text, ['身心健康'], 10));
    expect(cut).toBe(`…${'前'.repeat(10)}[身心健康]${'后'.repeat(10)}…`);
    expect(marked(snippet('短文本', ['文本'], 10))).toBe('短[文本]');
    expect(marked(snippet('没有匹配'.repeat(10), ['无'], 5))).toBe(`${'没有匹配'.repeat(10).slice(0, 10)}…`);
  });
});
