import { describe, expect, it } from 'vitest';
import { longDate, parseDateInput } from './date-input.ts';

describe('dates typed year, month, day, whatever the browser’s locale', () => {
  it('reads the ways people write them', () => {
    for (const text of [
      '2024-03-05',
      '2024-3-5',
      '2024/3/5',
      '2024.03.05',
      '2024年3月5日',
      ' 2024 年 3 月 5 日 ',
      '20240305',
      '２０２４－３－５',
    ]) {
      expect(parseDateInput(text), text).toBe('2024-03-05');
    }
    expect(parseDateInput('')).toBe('');
    expect(parseDateInput('   ')).toBe('');
  });

  it('refuses what is not a real date, and never reads month and day the American way', () => {
    for (const text of [
      '03/05/2024',
      '2024-02-30',
      '2024-13-01',
      '2023-02-29',
      'tomorrow',
      '2024-3',
      '2024-03-05T10:00',
    ]) {
      expect(parseDateInput(text), text).toBeNull();
    }
    expect(parseDateInput('2024-02-29')).toBe('2024-02-29');
  });

  it('writes a date out in the UI language', () => {
    expect(longDate('2024-03-05', 'zh_CN')).toBe('2024年3月5日');
    expect(longDate('2024-03-05', 'en')).toBe('5 March 2024');
  });
});
