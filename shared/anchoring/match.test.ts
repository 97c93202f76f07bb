import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextSimilarity, editDistance, Pattern } from './match.ts';

/** Reference: the smallest edit distance between the pattern and any substring of text ending at each position. */
function bruteForceEnds(pattern: string, text: string): number[] {
  const m = pattern.length;
  let prev = Array.from({ length: m + 1 }, (_, i) => i);
  const out: number[] = [];
  for (let j = 0; j < text.length; j++) {
    const cur = [0];
    for (let i = 1; i <= m; i++) {
      const cost = pattern[i - 1] === text[j] ? 0 : 1;
      cur[i] = Math.min(prev[i]! + 1, cur[i - 1]! + 1, prev[i - 1]! + cost);
    }
    out.push(cur[m]!);
    prev = cur;
  }
  return out;
}

describe('approximate search (Myers, blocks of 32)', () => {
  it('finds every best match within the budget, agreeing with dynamic programming (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '第', '条');
    fc.assert(
      fc.property(
        fc.array(alphabet, { minLength: 1, maxLength: 80 }).map((a) => a.join('')),
        fc.array(alphabet, { minLength: 0, maxLength: 200 }).map((a) => a.join('')),
        fc.integer({ min: 0, max: 12 }),
        (pattern, text, k) => {
          const ends = bruteForceEnds(pattern, text);
          const hits = new Pattern(pattern).search(text, 0, text.length, k);
          // every reported end is within budget with the reported error count
          for (const h of hits) {
            expect(h.errors).toBe(ends[h.end - 1]);
            expect(h.errors).toBeLessThanOrEqual(k);
            expect(editDistance(pattern, text.slice(h.start, h.end))).toBe(h.errors);
          }
          // every run of ends within budget is reported once, at its best end
          let runs = 0;
          for (let j = 0; j < ends.length; j++) if (ends[j]! <= k && (j === 0 || ends[j - 1]! > k)) runs++;
          expect(hits.length).toBe(runs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles patterns longer than one 32-bit block', () => {
    const pattern =
      '人民检察院办理直接受理侦查的案件，应当全面、客观地收集、调取犯罪嫌疑人有罪或者无罪、罪轻或者罪重的证据材料';
    const text = `前文${pattern.replace('全面', '全面依法')}后文`;
    const [hit] = new Pattern(pattern).search(text, 0, text.length, 10);
    expect(hit).toMatchObject({ errors: 2 });
    expect(text.slice(hit!.start, hit!.end)).toBe(pattern.replace('全面', '全面依法'));
  });

  it('searches only inside the given window', () => {
    const text = 'abcXabcXabc';
    expect(new Pattern('abc').search(text, 4, 11, 0).map((h) => h.start)).toEqual([4, 8]);
  });
});

describe('context similarity', () => {
  it('is anchored at the quote side and free at the far side', () => {
    // an insertion right next to the quote costs its length once, the shifted far end costs nothing
    expect(contextSimilarity('abcdef', 'abXXcdefgh', false)).toBeCloseTo(1 - 2 / 6);
    expect(contextSimilarity('abcdef', 'zzabcdef', true)).toBe(1);
    expect(contextSimilarity('', 'anything', false)).toBe(1);
    expect(contextSimilarity('abc', '', false)).toBe(0);
  });
});
