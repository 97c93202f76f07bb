/**
 * Young-generation garbage collections in the pauses between updates. A sync server allocates steadily (about
 * 9 MB/s at 100 subscribers x 50 updates/s), and a scavenge takes about a millisecond here. Left to V8, it runs
 * when the young generation is full (in the middle of handling an update, whose subscribers then wait for it) or
 * as a task at whatever moment V8 posted it. This runs it in a pause instead: after an update,
 * once none has come for SYNC_QUIET_MS, it looks how full the young generation is and, past `collectAt`,
 * collects it. That needs Node's `gc` (`node --expose-gc`, as `npm run server` starts it); without it, V8
 * schedules its collections as usual.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { QuietTimer, SYNC_QUIET_MS } from './quiet-timer.ts';

/** How full the young generation may be before a pause is used to collect it. */
export const COLLECT_AT = 0.5;
/** In a stream of updates with no pause at all, look at least this often. */
const MAX_DELAY_MS = 500;

export type YoungGeneration = {
  /** Used bytes / capacity, 0..1. */
  fill(): number;
  collect(): void;
};

export class QuietCollector {
  private readonly timer: QuietTimer;
  collections = 0;

  /** With `young` null (no `gc`), it does nothing. */
  constructor(
    private readonly young: YoungGeneration | null,
    private readonly collectAt = COLLECT_AT,
  ) {
    this.timer = new QuietTimer(() => this.collectIfFull(), {
      gatherMs: 0,
      quietMs: SYNC_QUIET_MS,
      maxDelayMs: MAX_DELAY_MS,
    });
  }

  get enabled(): boolean {
    return this.young !== null;
  }

  /** An update was handled: look at the young generation in the next pause. */
  noteUpdate(): void {
    if (this.young) this.timer.request();
  }

  stop(): void {
    this.timer.cancel();
  }

  private collectIfFull(): void {
    if (!this.young || this.young.fill() < this.collectAt) return;
    this.collections++;
    this.young.collect();
  }
}

/** Node's young generation, or null when `gc` is not exposed. */
export function nodeYoungGeneration(): YoungGeneration | null {
  const gc = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc;
  if (typeof gc !== 'function') return null;
  return {
    fill() {
      const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      if (!space) return 0;
      return space.space_used_size / (space.space_used_size + space.space_available_size);
    },
    collect: () => gc({ type: 'minor' }),
  };
}
