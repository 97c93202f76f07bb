import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractTaskHints, type TaskHints } from './hints.ts';

type Fixture = { text: string; year?: number; expect: TaskHints; source: string; note?: string };

const fixtures: Fixture[] = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../test/fixtures/tasks/hints.json'), 'utf8'),
);

describe('extractTaskHints on phrases from real notices', () => {
  it('has at least 60 collected phrases, with none-found cases among them', () => {
    const collected = fixtures.filter((f) => !f.source.startsWith('constructed'));
    expect(collected.length).toBeGreaterThanOrEqual(60);
    const none = collected.filter(
      (f) => !f.expect.due && !f.expect.units.length && !f.expect.leadUnits.length && !f.expect.leaders.length,
    );
    expect(none.length).toBeGreaterThanOrEqual(15);
  });

  it.each(fixtures.map((f, i) => [`${i + 1}. ${f.text.replace(/\s+/g, ' ').slice(0, 40)}`, f] as const))(
    '%s',
    (_, fixture) => {
      const context = fixture.year === undefined ? {} : { year: fixture.year };
      expect(extractTaskHints(fixture.text, context)).toEqual(fixture.expect);
    },
  );
});

describe('extractTaskHints, the interface of issue 18', () => {
  it('reads the examples of the issue', () => {
    expect(extractTaskHints('……（责任科室：组干科、机关党委）').units).toEqual(['组干科', '机关党委']);
    expect(extractTaskHints('……3月底前完成', { year: 2023 }).due).toEqual({ text: '3月底前', date: '2023-03-31' });
    expect(extractTaskHints('长期坚持').due).toEqual({ text: '长期坚持', date: null });
  });

  it('finds nothing in an empty clause', () => {
    expect(extractTaskHints('')).toEqual({ leadUnits: [], units: [], leaders: [], due: null });
  });

  it('never throws and stays bounded on any text', () => {
    const pieces = fc.constantFrom(
      '责任单位：',
      '牵头单位:',
      '（',
      '）',
      '、',
      '和',
      '局',
      '市教育局',
      '6月底前',
      '年底',
      '牵头',
      '配合',
      '\uFFFE',
      '\uD800',
      '\u202E',
      ';',
      '。',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(pieces, fc.string()), { maxLength: 60 }),
        fc.integer({ min: 1800, max: 3100 }),
        (parts, year) => {
          const hints = extractTaskHints(parts.join(''), { year });
          for (const list of [hints.leadUnits, hints.units, hints.leaders]) {
            expect(list.length).toBeLessThanOrEqual(30);
            for (const name of list) expect([...name].length).toBeGreaterThan(0);
          }
          if (hints.due?.date) expect(hints.due.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a very long clause linear (a chapter of the longest corpus page is 20,000 characters)', () => {
    const text = `${'责任单位：市教育局、'.repeat(1500)}（${'局和'.repeat(5000)}）${'3月底前'.repeat(2000)}`;
    const hints = extractTaskHints(text, { year: 2023 });
    expect(hints.units).toEqual(['市教育局']);
    expect(hints.due).toEqual({ text: '3月底前', date: '2023-03-31' });
  });
});
