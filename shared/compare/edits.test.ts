import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../anchoring/index.ts';
import { clauseEdits, inlineEdits, sideBySide } from './edits.ts';

const join = (edits: { op: string; text: string }[], ...ops: string[]) =>
  edits
    .filter((e) => ops.includes(e.op))
    .map((e) => e.text)
    .join('');

describe('clause edits', () => {
  it('marks a changed amount and keeps the rest equal', () => {
    const { edits, similarity } = clauseEdits(
      '每个子女每月1000元的标准定额扣除。',
      '每个子女每月2000元的标准定额扣除。',
    );
    expect(edits).toEqual([
      { op: 'equal', text: '每个子女每月' },
      { op: 'delete', text: '1000' },
      { op: 'insert', text: '2000' },
      { op: 'equal', text: '元的标准定额扣除。' },
    ]);
    expect(similarity).toBeCloseTo(15 / 19, 5); // 4 of 19 units replaced on each side
    expect(similarity).toBeLessThan(1);
  });

  it('replaces whole words in a rewritten sentence rather than scattering single characters', () => {
    const { edits } = clauseEdits('各部设部长一人，副部长二至四人。', '国务院组成部门设部长一人，副部长二至四人。');
    expect(edits[0]).toEqual({ op: 'delete', text: '各部' });
    expect(edits[1]).toEqual({ op: 'insert', text: '国务院组成部门' });
  });

  it('never reports width, dash or spacing differences as changes', () => {
    const { edits } = clauseEdits('(一)新年,放假1天(1月1日)；', '（一）元旦，放假1天（1月1日）；');
    const changed = edits.filter((e) => e.op !== 'equal').map((e) => e.text);
    expect(changed).toEqual(['新年', '元旦']);
    // equal text carries the new version's characters
    expect(join(edits, 'equal', 'insert')).toBe('（一）元旦，放假1天（1月1日）；');
  });

  it('has similarity 0 between texts with nothing in common and 1 between equal ones', () => {
    expect(clauseEdits('甲乙丙', '丁戊己').similarity).toBe(0);
    expect(clauseEdits('甲乙丙', '甲 乙 丙').similarity).toBe(1);
  });

  it('gives a whole-clause replacement when the texts differ beyond the edit budget', () => {
    const before = Array.from({ length: 400 }, (_, i) => `甲${i}。`).join('');
    const after = Array.from({ length: 400 }, (_, i) => `乙${i + 1000}；`).join('');
    const { edits, similarity } = clauseEdits(before, after);
    expect(edits).toEqual([
      { op: 'delete', text: before },
      { op: 'insert', text: after },
    ]);
    expect(similarity).toBe(0);
    expect(join(edits, 'equal', 'insert')).toBe(after);
    expect(normalizeText(join(edits, 'equal', 'delete'))).toBe(normalizeText(before));
  });

  it('new text = equal + inserted exactly; old text = equal + deleted up to normalisation (any input)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'审计机关应当，。（）() ,１2ab\n　'), maxLength: 40 });
    fc.assert(
      fc.property(text, text, (before, after) => {
        const { edits, similarity } = clauseEdits(before, after);
        expect(join(edits, 'equal', 'insert')).toBe(after);
        expect(normalizeText(join(edits, 'equal', 'delete'))).toBe(normalizeText(before));
        expect(similarity).toBeGreaterThanOrEqual(0);
        expect(similarity).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('side by side', () => {
  it('shows the old text as printed, deletions marked, and the new text with insertions marked', () => {
    const before = '(一)新年，放假1天(1月1日)；';
    const after = '（一）元旦，放假1天（1月1日）；';
    const sides = sideBySide(before, after, clauseEdits(before, after).edits);
    expect(sides.before).toEqual([
      { text: '(一)', changed: false },
      { text: '新年', changed: true },
      { text: '，放假1天(1月1日)；', changed: false },
    ]);
    expect(sides.after).toEqual([
      { text: '（一）', changed: false },
      { text: '元旦', changed: true },
      { text: '，放假1天（1月1日）；', changed: false },
    ]);
  });

  it('rebuilds both texts exactly for any input, line breaks and spaces included', () => {
    const text = fc.string({ unit: fc.constantFrom(...'第条款项，。、 \n\u3000(（1１一'), maxLength: 30 });
    fc.assert(
      fc.property(text, text, (before, after) => {
        const sides = sideBySide(before, after, clauseEdits(before, after).edits);
        expect(sides.before.map((s) => s.text).join('')).toBe(before);
        expect(sides.after.map((s) => s.text).join('')).toBe(after);
      }),
    );
  });

  it('with no edits (an unchanged clause) shows both texts unmarked', () => {
    expect(sideBySide('甲，乙', '甲,乙', [])).toEqual({
      before: [{ text: '甲，乙', changed: false }],
      after: [{ text: '甲,乙', changed: false }],
    });
  });
});

describe('inline', () => {
  it('shows the new text with the deleted words, as printed, in their place', () => {
    const before = '(一)新年，放假1天(1月1日)；';
    const after = '（一）元旦，放假1天（1月1日）；';
    expect(inlineEdits(before, after, clauseEdits(before, after).edits)).toEqual([
      { op: 'equal', text: '（一）' },
      { op: 'delete', text: '新年' },
      { op: 'insert', text: '元旦' },
      { op: 'equal', text: '，放假1天（1月1日）；' },
    ]);
  });

  it('rebuilds the new text exactly and the old one up to normalisation, deleted parts as printed', () => {
    const text = fc.string({ unit: fc.constantFrom(...'第条款项，。、 \n\u3000(（1１一'), maxLength: 30 });
    fc.assert(
      fc.property(text, text, (before, after) => {
        const edits = clauseEdits(before, after).edits;
        const inline = inlineEdits(before, after, edits);
        expect(join(inline, 'equal', 'insert')).toBe(after);
        expect(normalizeText(join(inline, 'equal', 'delete'))).toBe(normalizeText(before));
        const deleted = sideBySide(before, after, edits).before.filter((s) => s.changed);
        expect(
          inline
            .filter((e) => e.op === 'delete')
            .map((e) => e.text)
            .join(''),
        ).toBe(deleted.map((s) => s.text).join(''));
      }),
    );
  });
});
