import { describe, expect, it } from 'vitest';
import { endOfDate, formatDate, formatDateTime, isoDateIn, startOfDate } from './time.ts';

describe('time zones', () => {
  it('finds local midnight', () => {
    expect(startOfDate('2024-03-05', 'Asia/Shanghai')).toBe(Date.UTC(2024, 2, 4, 16));
    expect(endOfDate('2024-03-05', 'Asia/Shanghai')).toBe(Date.UTC(2024, 2, 5, 16));
    expect(startOfDate('2024-03-05', 'UTC')).toBe(Date.UTC(2024, 2, 5));
    expect(endOfDate('2024-12-31', 'UTC')).toBe(Date.UTC(2025, 0, 1));
  });

  it('handles days that change daylight saving time', () => {
    // New York moves from UTC-5 to UTC-4 at 02:00 on 10 March 2024.
    expect(startOfDate('2024-03-10', 'America/New_York')).toBe(Date.UTC(2024, 2, 10, 5));
    expect(endOfDate('2024-03-10', 'America/New_York')).toBe(Date.UTC(2024, 2, 11, 4));
    expect(startOfDate('2024-11-03', 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 4));
  });

  it('words dates and times', () => {
    const ms = Date.UTC(2024, 2, 4, 17, 5);
    expect(isoDateIn(ms, 'Asia/Shanghai')).toBe('2024-03-05');
    expect(isoDateIn(ms, 'UTC')).toBe('2024-03-04');
    expect(formatDate('2024-03-05', 'zh')).toBe('2024年3月5日');
    expect(formatDate('2024-03-05', 'en')).toBe('5 March 2024');
    expect(formatDateTime(ms, 'Asia/Shanghai', 'zh')).toBe('2024年3月5日 01:05');
    expect(formatDateTime(ms, 'UTC', 'en')).toBe('4 March 2024, 17:05');
  });
});
