/**
 * Counters and gauges for GET /metrics in the Prometheus text format. Gauges that live elsewhere (rooms loaded,
 * bytes stored) are read through callbacks at scrape time, so nothing is double-booked.
 */
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

export class Metrics {
  connections = 0;
  updatesAccepted = 0;
  updateBytesAccepted = 0;
  messagesReceived = 0;
  /** Reads of a room refused because its stored state failed its checksum or did not decode (any read path). */
  roomReadsRefused = 0;
  readonly rejected = new Map<RejectReason, number>();
  readonly upgradesRefused = new Map<number, number>();
  /** TCP connections refused or closed by the HTTP guard, by reason (per_address, max_connections, timeout). */
  readonly connectionsRefused = new Map<string, number>();
  /** Updates per second for the last ten seconds: a ring of one-second buckets. */
  private readonly buckets = new Array<number>(10).fill(0);
  private bucketSecond = 0;
  private readonly gauges = new Map<string, { help: string; read: () => number | Promise<number> }>();

  constructor(private readonly now: () => number = Date.now) {}

  countUpdate(bytes: number): void {
    this.updatesAccepted++;
    this.updateBytesAccepted += bytes;
    this.advanceBuckets();
    this.buckets[this.bucketSecond % 10]!++;
  }

  private advanceBuckets(): void {
    const second = Math.floor(this.now() / 1000);
    if (second - this.bucketSecond >= 10) this.buckets.fill(0);
    else for (let s = this.bucketSecond + 1; s <= second; s++) this.buckets[s % 10] = 0;
    this.bucketSecond = Math.max(this.bucketSecond, second);
  }

  reject(reason: RejectReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  refuseUpgrade(status: number): void {
    this.upgradesRefused.set(status, (this.upgradesRefused.get(status) ?? 0) + 1);
  }

  refuseConnection(reason: string): void {
    this.connectionsRefused.set(reason, (this.connectionsRefused.get(reason) ?? 0) + 1);
  }

  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    this.gauges.set(name, { help, read });
  }

  updatesPerSecond(): number {
    this.advanceBuckets();
    return this.buckets.reduce((sum, n) => sum + n, 0) / 10;
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('pizhu_connections', 'gauge', 'Open WebSocket connections.', [['', this.connections]]);
    metric('pizhu_updates_total', 'counter', 'Updates accepted and stored.', [['', this.updatesAccepted]]);
    metric('pizhu_update_bytes_total', 'counter', 'Bytes of accepted updates.', [['', this.updateBytesAccepted]]);
    metric('pizhu_updates_per_second', 'gauge', 'Updates accepted per second over the last 10 s.', [
      ['', this.updatesPerSecond()],
    ]);
    metric('pizhu_messages_received_total', 'counter', 'WebSocket messages received.', [['', this.messagesReceived]]);
    metric(
      'pizhu_room_reads_refused_total',
      'counter',
      'Reads of a room refused because its stored state failed its checksum or did not decode.',
      [['', this.roomReadsRefused]],
    );
    metric(
      'pizhu_rejected_messages_total',
      'counter',
      'Messages refused, by reason.',
      [...this.rejected].map(([reason, value]) => [`{reason="${reason}"}`, value]),
    );
    metric(
      'pizhu_upgrades_refused_total',
      'counter',
      'WebSocket upgrades refused, by HTTP status.',
      [...this.upgradesRefused].map(([status, value]) => [`{status="${status}"}`, value]),
    );
    metric(
      'pizhu_connections_refused_total',
      'counter',
      'TCP connections refused or closed before a request completed, by reason.',
      [...this.connectionsRefused].map(([reason, value]) => [`{reason="${reason}"}`, value]),
    );
    for (const [name, gauge] of this.gauges) {
      let value: number;
      try {
        value = await gauge.read();
      } catch {
        value = Number.NaN;
      }
      metric(name, 'gauge', gauge.help, [['', value]]);
    }
    return `${lines.join('\n')}\n`;
  }
}
