import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

describe('rate-limited logger', () => {
  it('writes a few lines per kind per minute, then one summary', () => {
    const lines: string[] = [];
    let time = 0;
    const log = createLogger({ level: 'info', linesPerMinute: 3, write: (l) => lines.push(l), now: () => time });
    for (let i = 0; i < 100; i++) log.warn('malformed', `bad message ${i}`);
    log.warn('other', 'different kind');
    expect(lines.filter((l) => l.includes('malformed:'))).toHaveLength(3);
    expect(lines.some((l) => l.includes('different kind'))).toBe(true);
    time = 61_000;
    log.warn('malformed', 'after a minute');
    expect(lines.some((l) => l.includes('97 more "malformed" lines suppressed'))).toBe(true);
    expect(lines.at(-1)).toContain('after a minute');
  });

  it('shows a stack only for the first error of a kind, and nothing when silent', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', linesPerMinute: 10, write: (l) => lines.push(l) });
    log.error('storage', 'append failed', new Error('disk full'));
    log.error('storage', 'append failed', new Error('disk full'));
    expect(lines.filter((l) => l.includes('    at ')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith('Error: disk full'))).toHaveLength(1);
    const quiet: string[] = [];
    createLogger({ level: 'silent', linesPerMinute: 10, write: (l) => quiet.push(l) }).error('x', 'y', new Error('z'));
    expect(quiet).toEqual([]);
  });
});
