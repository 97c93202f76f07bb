/**
 * Server-wide memory budgets: bytes queued for sending across all sockets, the estimated heap of every decoded
 * room document, and the process's resident memory against its ceiling. Per-socket and per-room limits alone let
 * many sockets or many rooms add up to gigabytes; these make the sum bounded. What the budgets refuse is decided
 * by their users (connection.ts closes a socket that is behind, update-guard.ts refuses a write, the registry
 * refuses a load); this class only keeps the books.
 */
export type MemoryLimits = { maxOutboundBytes: number; maxDecodedBytes: number; maxRssBytes: number };

/** Resident memory is read at most this often (a read costs a system call). */
const RSS_SAMPLE_MS = 200;

export class MemoryBudget {
  private outbound = 0;
  private decodedTotal = 0;
  private readonly decoded = new Map<object, number>();
  private rssAt = Number.NEGATIVE_INFINITY;
  private rssValue = 0;

  constructor(
    private readonly limits: MemoryLimits,
    private readonly readRss: () => number = () => process.memoryUsage.rss(),
    private readonly now: () => number = () => performance.now(),
  ) {}

  // --- bytes queued for sending ---

  get outboundBytes(): number {
    return this.outbound;
  }

  /** Whether queueing `bytes` more would pass the budget. */
  outboundFull(bytes: number): boolean {
    return this.outbound + bytes > this.limits.maxOutboundBytes;
  }

  queued(bytes: number): void {
    this.outbound += bytes;
  }

  sent(bytes: number): void {
    this.outbound = Math.max(0, this.outbound - bytes);
  }

  // --- decoded rooms ---

  get decodedBytes(): number {
    return this.decodedTotal;
  }

  /** Whether `bytes` more of decoded state would pass the budget. */
  decodedFull(bytes = 0): boolean {
    return this.decodedTotal + bytes > this.limits.maxDecodedBytes;
  }

  /** Sets (`add` false) or grows the estimate of one room's decoded document. */
  setDecoded(room: object, bytes: number, add = false): void {
    const before = this.decoded.get(room) ?? 0;
    const after = add ? before + bytes : bytes;
    this.decoded.set(room, after);
    this.decodedTotal += after - before;
  }

  releaseDecoded(room: object): void {
    const before = this.decoded.get(room);
    if (before === undefined) return;
    this.decoded.delete(room);
    this.decodedTotal -= before;
  }

  // --- resident memory ---

  get rssBytes(): number {
    const time = this.now();
    if (time - this.rssAt >= RSS_SAMPLE_MS) {
      this.rssValue = this.readRss();
      this.rssAt = time;
    }
    return this.rssValue;
  }

  overCeiling(): boolean {
    return this.rssBytes > this.limits.maxRssBytes;
  }
}
