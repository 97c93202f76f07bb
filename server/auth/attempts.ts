/** Counts failed attempts per key (a client address) in a sliding minute, to slow down invite-code guessing. */
export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(key: string): boolean {
    return this.recent(key).length >= this.perMinute;
  }

  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    if (this.failures.size > 10_000) this.prune();
  }

  private recent(key: string): number[] {
    const since = this.now() - 60_000;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }

  private prune(): void {
    for (const key of [...this.failures.keys()]) {
      const list = this.recent(key);
      if (list.length === 0) this.failures.delete(key);
      else this.failures.set(key, list);
    }
  }
}
