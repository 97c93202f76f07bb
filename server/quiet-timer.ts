/**
 * Runs deferred work (SQLite batches of the journal and of the query index) once the sync path has been quiet
 * for `quietMs`, and at the latest `maxDelayMs` after the first request. Work on a fixed delay from the first
 * request lands, in a steady stream of updates, exactly when the next update arrives (a 50 ms batch at 20
 * updates/s), and delays that update's delivery; run after a pause, it lands between updates. Under a load with
 * no pauses it still runs every `maxDelayMs`, so batches keep their size where batching matters.
 */
/** A pause in the updates this long counts as quiet: longer than a burst of frames, shorter than typing. */
export const SYNC_QUIET_MS = 10;

export class QuietTimer {
  private timer: NodeJS.Timeout | null = null;
  /** The latest time the pending run may start (performance.now() clock). */
  private deadline = 0;
  /** The pending run is a retry after a failure: it keeps its full delay. */
  private retrying = false;

  constructor(
    private readonly run: () => void,
    private readonly options: { quietMs: number; maxDelayMs: number },
  ) {}

  /** Asks for a run; every request while one is pending postpones it, but never past the maximum delay. */
  request(): void {
    const now = performance.now();
    if (!this.timer) {
      this.deadline = now + this.options.maxDelayMs;
      this.start(Math.min(this.options.quietMs, this.options.maxDelayMs));
      return;
    }
    // refresh() restarts the same timer: no new timer object per update.
    if (!this.retrying && now + this.options.quietMs <= this.deadline) this.timer.refresh();
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
    this.retrying = false;
  }

  private start(delayMs: number): void {
    this.timer = setTimeout(this.fire, delayMs);
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.retrying = false;
    this.run();
  };
}
