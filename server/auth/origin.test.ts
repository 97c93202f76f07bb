import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_ORIGINS } from '../config.ts';
import { originChecker } from './origin.ts';

describe('originChecker', () => {
  it('allows extension origins by default, requests without Origin, and nothing else', () => {
    const allowed = originChecker(DEFAULT_ALLOWED_ORIGINS);
    expect(allowed(undefined)).toBe(true);
    expect(allowed('')).toBe(true);
    expect(allowed('chrome-extension://abcdefghijklmnopabcdefghijklmnop')).toBe(true);
    expect(allowed('moz-extension://0b5f3b2e-1234-4c1e-9f0a-123456789abc')).toBe(true);
    expect(allowed('chrome-extension://')).toBe(false);
    expect(allowed('https://evil.example')).toBe(false);
    expect(allowed('null')).toBe(false);
    expect(allowed('https://chrome-extension.evil.example')).toBe(false);
  });

  it('takes exact origins and prefixes from configuration', () => {
    const allowed = originChecker(['http://127.0.0.1:8787/', 'chrome-extension://pinnedid', 'https://*']);
    expect(allowed('http://127.0.0.1:8787')).toBe(true);
    expect(allowed('HTTP://127.0.0.1:8787')).toBe(true);
    expect(allowed('http://127.0.0.1:8788')).toBe(false);
    expect(allowed('chrome-extension://pinnedid')).toBe(true);
    expect(allowed('chrome-extension://otherid')).toBe(false);
    expect(allowed('https://any.example')).toBe(true);
    expect(originChecker(['*'])('https://x.example')).toBe(true);
  });
});
