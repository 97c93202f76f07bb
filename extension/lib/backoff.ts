/**
 * How long to wait before the next attempt after `failures` failed ones: doubling from `minMs`, never more than
 * `maxMs`, and spread over the upper half of that ceiling so that clients cut off together do not come back
 * together. Every retry in the extension waits through this: a room's socket, the catch-up, a page's port.
 */
export type BackoffPolicy = { minMs: number; maxMs: number };

export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
