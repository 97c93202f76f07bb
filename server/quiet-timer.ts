/**
 * Runs deferred work (SQLite batches of the journal and of the query index) in a pause of the sync path: requests
 * gather for `gatherMs`, then the run waits until no request has come for `quietMs`, and it starts at the latest
 * `maxDelayMs` after the first request. On a fixed delay instead, a batch in a steady stream of updates lands
 * exactly when an update arrives (a 100 ms batch at 20 updates/s) and delays its delivery; started after a pause,
 * it lands between updates. Under a load with no pauses it still runs every `maxDelayMs`.
 */
/** A pause in the updates this long counts as quiet: longer than one burst of frames, shorter than typing. */
export const SYNC_QUIET_MS = 10;

export class QuietTimer {
  private timer: NodeJS.Timeout | null = null;
  /** Gathering is over: the run waits for a pause. */
  private due = false;
  /** The pending run is a retry after a failure: it keeps its full delay. */
  private retrying = false;
  /** The latest time the pending run may start (performance.now() clock). */
  private deadline = 0;

  constructor(
    private readonly run: () => void,
    private readonly options: { gatherMs: number; quietMs: number; maxDelayMs: number },
  ) {}

  /** Asks for a run; while the run waits for a pause, every request postpones it (up to the maximum delay). */
  request(): void {
    if (!this.timer) {
      this.deadline = performance.now() + this.options.maxDelayMs;
      this.start(Math.min(this.options.gatherMs, this.options.maxDelayMs));
      return;
    }
    // refresh() restarts the same timer (quietMs again): no new timer object per update.
    if (this.due && performance.now() + this.options.quietMs <= this.deadline) this.timer.refresh();
  }

  /** Runs again after the full maximum delay (after a failed run: no retry loop every few milliseconds). */
  retryLater(): void {
    this.cancel();
    this.retrying = true;
    this.start(this.options.maxDelayMs);
  }

  get pending(): boolean {
    return this.timer !== null;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due = false;
    this.retrying = false;
  }

  private start(delayMs: number): void {
    this.timer = setTimeout(this.fire, delayMs);
    this.timer.unref();
  }

  private readonly fire = (): void => {
    const waitForPause = Math.min(this.options.quietMs, this.deadline - performance.now());
    if (!this.due && !this.retrying && waitForPause > 0) {
      this.due = true;
      this.start(waitForPause);
      return;
    }
    this.cancel();
    this.run();
  };
}
