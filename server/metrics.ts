/**
 * What GET /metrics reports, through prom-client. Each server instance has a Registry of its own, so servers
 * started in one process (tests, the benchmark) never share counters; Node's process metrics (event-loop lag,
 * GC pauses, heap) describe the process, so they live in one registry per process and every instance renders it.
 * Gauges that live elsewhere (rooms loaded, bytes stored) are read through callbacks at scrape time, so nothing
 * is double-booked.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type RejectReason =
  | 'malformed'
  | 'too_large'
  | 'rate_limited'
  | 'forbidden'
  | 'pending'
  | 'room_full'
  | 'slow_consumer'
  | 'queue_full'
  | 'presence'
  | 'unavailable'
  /** An update past one of the per-update bounds (structs, client ids, deletions, values, one insertion point). */
  | 'too_costly'
  /** An update that would take many times its size in memory. */
  | 'decoded_size'
  /** An update that breaks the room's write rules (another member's key, author, legacy, client id ...). */
  | 'not_allowed'
  /** An update whose value fails its schema. */
  | 'invalid_value'
  /** A member over their time budget. */
  | 'throttled'
  /** A server-wide memory budget (outbound bytes, decoded rooms, resident memory). */
  | 'memory'
  /** A per-team cap (rooms loaded, members, sockets). */
  | 'team_limit'
  /** A socket that did not answer the heartbeat. */
  | 'dead_peer';

/** Seconds: a commit to SQLite takes tens of microseconds, a networked store milliseconds. */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

let processRegistry: Registry | null = null;

/** Created once: collectDefaultMetrics installs observers that are never removed, so one set per process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly updates = this.counter('pizhu_updates_total', 'Updates accepted and stored.');
  private readonly updateBytes = this.counter('pizhu_update_bytes_total', 'Bytes of accepted updates.');
  private readonly messages = this.counter('pizhu_messages_received_total', 'WebSocket messages received.');
  private readonly roomReads = this.counter(
    'pizhu_room_reads_refused_total',
    'Reads of a room refused because its stored state failed its checksum or did not decode.',
  );
  private readonly rejected = this.counter('pizhu_rejected_messages_total', 'Messages refused, by reason.', ['reason']);
  private readonly upgradesRefused = this.counter(
    'pizhu_upgrades_refused_total',
    'WebSocket upgrades refused, by HTTP status.',
    ['status'],
  );
  private readonly connectionsRefused = this.counter(
    'pizhu_connections_refused_total',
    'TCP connections refused or closed before a request completed, by reason.',
    ['reason'],
  );
  private readonly remoteUpdates = this.counter(
    'pizhu_remote_updates_total',
    'Updates other instances stored, applied to rooms here, by how they came: the fan-out (Redis, the fast path) or the store (a gap the stream left).',
    ['via'],
  );
  private readonly gapRepairs = this.counter(
    'pizhu_gap_repairs_total',
    'Gaps in the updates of other instances filled from the store: the missing rows read, or the whole room reloaded (compaction had folded them away).',
    ['how'],
  );
  private readonly appendTime = new Histogram({
    name: 'pizhu_append_seconds',
    help: 'Time to store accepted updates of a room: one commit to the update store, of one or more updates.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly fanoutLatency = new Histogram({
    name: 'pizhu_fanout_seconds',
    help: 'Time from applying an accepted update to sending it to the sockets of its room.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  /** Updates per second for the last ten seconds: a ring of one-second buckets. */
  private readonly buckets = new Array<number>(10).fill(0);
  private bucketSecond = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.gauge('pizhu_updates_per_second', 'Updates accepted per second over the last 10 s.', () =>
      this.updatesPerSecond(),
    );
  }

  countUpdate(bytes: number): void {
    this.updates.inc();
    this.updateBytes.inc(bytes);
    this.advanceBuckets();
    this.buckets[this.bucketSecond % 10]!++;
  }

  countMessage(): void {
    this.messages.inc();
  }

  countRemote(via: 'fanout' | 'store'): void {
    this.remoteUpdates.inc({ via });
  }

  countRepair(how: 'read' | 'reload'): void {
    this.gapRepairs.inc({ how });
  }

  refuseRoomRead(): void {
    this.roomReads.inc();
  }

  reject(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }

  refuseUpgrade(status: number): void {
    this.upgradesRefused.inc({ status: String(status) });
  }

  refuseConnection(reason: string): void {
    this.connectionsRefused.inc({ reason });
  }

  observeAppend(seconds: number): void {
    this.appendTime.observe(seconds);
  }

  observeFanout(seconds: number): void {
    this.fanoutLatency.observe(seconds);
  }

  /** A gauge read at scrape time; a read that throws reports NaN rather than failing the scrape. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        let value: number;
        try {
          value = await read();
        } catch {
          value = Number.NaN;
        }
        this.set(value);
      },
    });
  }

  updatesPerSecond(): number {
    this.advanceBuckets();
    return this.buckets.reduce((sum, n) => sum + n, 0) / 10;
  }

  /** One sample's value (0 when it was never counted): what tests and the benchmark read in process. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    const { values } = await metric.get();
    const wanted = Object.entries(labels);
    const sample = values.find(
      (v) => wanted.length === Object.keys(v.labels).length && wanted.every(([k, x]) => String(v.labels[k]) === x),
    );
    return sample?.value ?? 0;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    return (await this.registry.metrics()) + (await processMetrics().metrics());
  }

  private counter(name: string, help: string, labelNames: string[] = []): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private advanceBuckets(): void {
    const second = Math.floor(this.now() / 1000);
    if (second - this.bucketSecond >= 10) this.buckets.fill(0);
    else for (let s = this.bucketSecond + 1; s <= second; s++) this.buckets[s % 10] = 0;
    this.bucketSecond = Math.max(this.bucketSecond, second);
  }
}
