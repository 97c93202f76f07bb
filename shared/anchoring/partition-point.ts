/**
 * The first index in [0, length) at which `isAfter` turns true, or `length` when it never does; `isAfter` must be
 * false and then true along the range (a sorted array read through a predicate). Every binary search in the
 * anchoring and comparison code is this one.
 */
export function partitionPoint(length: number, isAfter: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
