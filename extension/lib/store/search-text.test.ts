import { describe, expect, it } from 'vitest';
import { containsTerm, indexTerms, matchesPlan, normaliseForSearch, planQuery } from './search-text.ts';

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
