/**
 * A time budget per member: the server meters the processor time it spends on each member's messages and pushes
 * (decoding, checking, applying, answering) and refuses a member who used more than their share, so no one can
 * keep the event loop busy for everyone else with a stream of costly requests. A token bucket of milliseconds:
 * `budgetMs` saved up at most, refilled at `msPerSecond`; a member who runs it dry is throttled for `throttleMs`.
 * Processor time rather than wall time: on a busy machine every request takes longer to finish, but costs the
 * same work, and a member must not be throttled for the load others put on the machine.
 */
export type CostLimits = { budgetMs: number; msPerSecond: number; throttleMs: number };

type Bucket = { tokens: number; last: number };

/** Processor time of this process so far, in milliseconds (user and system). */
export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export class CostMeter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly throttledUntil = new Map<string, number>();

  constructor(
    private readonly limits: CostLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Books `ms` of work for the member; false when that used up the budget (the member is now throttled). */
  charge(memberId: string, ms: number): boolean {
    const time = this.now();
    let bucket = this.buckets.get(memberId);
    if (!bucket) {
      bucket = { tokens: this.limits.budgetMs, last: time };
      this.buckets.set(memberId, bucket);
    }
    bucket.tokens = Math.min(
      this.limits.budgetMs,
      bucket.tokens + ((time - bucket.last) / 1000) * this.limits.msPerSecond,
    );
    bucket.last = time;
    bucket.tokens -= ms;
    if (bucket.tokens >= 0) return true;
    this.throttledUntil.set(memberId, time + this.limits.throttleMs);
    // A fresh budget after the pause.
    this.buckets.delete(memberId);
    return false;
  }

  throttled(memberId: string): boolean {
    const until = this.throttledUntil.get(memberId);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.throttledUntil.delete(memberId);
    return false;
  }

  /** Forgets members whose budget is full again and who are not throttled (housekeeping). */
  sweep(): void {
    const time = this.now();
    for (const [memberId, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((time - bucket.last) / 1000) * this.limits.msPerSecond;
      if (refilled >= this.limits.budgetMs) this.buckets.delete(memberId);
    }
    for (const [memberId, until] of this.throttledUntil) if (time >= until) this.throttledUntil.delete(memberId);
  }
}
