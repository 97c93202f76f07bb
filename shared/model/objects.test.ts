import { describe, expect, it } from 'vitest';
import { stripUndefined } from './objects.ts';

describe('stripUndefined', () => {
  it('leaves out undefined fields so a spread keeps the defaults, and keeps null, 0, false and empty text', () => {
    const patch = { a: undefined, b: null, c: 0, d: false, e: '' };
    expect({ a: 1, ...stripUndefined(patch) }).toEqual({ a: 1, b: null, c: 0, d: false, e: '' });
    expect(patch).toHaveProperty('a');
  });
});
