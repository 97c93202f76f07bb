import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionPoint } from './partition-point.ts';

describe('partitionPoint', () => {
  it('finds the first index at which the predicate turns true', () => {
    const keys = [1, 3, 3, 5, 8];
    expect(partitionPoint(keys.length, (i) => keys[i]! >= 3)).toBe(1);
    expect(partitionPoint(keys.length, (i) => keys[i]! > 3)).toBe(3);
    expect(partitionPoint(keys.length, (i) => keys[i]! > 8)).toBe(5);
    expect(partitionPoint(keys.length, () => true)).toBe(0);
    expect(partitionPoint(0, () => true)).toBe(0);
  });

  it('agrees with a linear scan on any sorted array', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 })), fc.integer({ min: -1, max: 51 }), (values, key) => {
        const keys = [...values].sort((a, b) => a - b);
        const linear = keys.findIndex((k) => k >= key);
        expect(partitionPoint(keys.length, (i) => keys[i]! >= key)).toBe(linear < 0 ? keys.length : linear);
      }),
    );
  });
});
