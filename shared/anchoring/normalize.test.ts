import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BREAK, foldText, foldWithMap, normalizeText, readableText } from './normalize.ts';

describe('comparison form', () => {
  it('folds width, NFKC, dashes, quotes and drops whitespace', () => {
    expect(normalizeText('（一）　加强，领导：ＡＢＣ１２３')).toBe('(一)加强,领导:ABC123');
    expect(normalizeText('㈠ ① Ⅳ')).toBe('(一)1IV');
    expect(normalizeText('USCG–2024—0130 − 5')).toBe('USCG-2024-0130-5');
    expect(normalizeText('“双减” ‘a’')).toBe('"双减"\'a\'');
    expect(normalizeText('a\u00a0b\u2002c\u3000d\u200be\ufefff\u00adg')).toBe('abcdefg');
    expect(normalizeText(`第一条${BREAK}\n\t 内容`)).toBe('第一条内容');
  });

  it('counts code points: a character outside the BMP is one unit, distinct characters stay distinct', () => {
    const folded = normalizeText('𠀀𠀁😀');
    expect(folded.length).toBe(3);
    expect(new Set(folded).size).toBe(3);
    expect(normalizeText('𠀀')).toBe(normalizeText('𠀀'));
    expect(normalizeText('𠀀')).not.toBe(normalizeText('𠀁'));
  });

  it('maps every folded unit back to the raw code point that produced it', () => {
    const raw = 'a （一）\u3000𠀀b㈠';
    const { text, map } = foldWithMap(raw);
    expect(text).toBe(`a(一)${text[4]}b(一)`);
    expect(text.codePointAt(4)).toBeGreaterThanOrEqual(0xe000);
    expect(Array.from(map)).toEqual([0, 2, 3, 4, 6, 8, 9, 9, 9]);
  });

  it('folding is local: folding pieces gives the pieces of the folded whole (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(foldText(a + b)).toBe(foldText(a) + foldText(b));
      }),
    );
  });

  it('readable text keeps line breaks, collapses other whitespace, and folds like the raw text', () => {
    const raw = `  第一条　纳税人\u00a0 在${BREAK}${BREAK} 境内 \n 接受 `;
    expect(readableText(raw)).toBe('第一条 纳税人 在\n境内 接受');
    expect(foldText(readableText(raw))).toBe(foldText(raw));
  });

  it('long text folds the same through the native decoder and the short path', () => {
    const long = '中华人民共和国（ＰＲＣ）第１２３条 '.repeat(100);
    expect(foldText(long)).toBe(
      Array.from({ length: 100 }, () => foldText('中华人民共和国（ＰＲＣ）第１２３条 ')).join(''),
    );
  });
});
