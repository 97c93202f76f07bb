/**
 * A healthy team at work while an attack runs: one member writes a note every 15 ms in their room and a colleague's
 * client receives it; the time from writing to receiving is the round trip a user feels. Each write has its own
 * timestamp, so a stall shows in every write it delays.
 */
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { idsOfMemberKeys, notesMap } from '../../../shared/model/index.ts';
import { putNote } from '../server/fixtures.ts';
import { connectProvider, type Member } from '../server/helpers.ts';
import { percentile } from './server-process.ts';

/** Often enough that an attack of a few seconds gives a few hundred samples: the p99 is not one sample. */
const INTERVAL_MS = 15;

export type ProbeResult = { sent: number; received: number; p50: number; p99: number; max: number };

export class LatencyProbe {
  private readonly sent = new Map<string, number>();
  private readonly latencies: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private count = 0;
  private run = 0;

  private constructor(
    private readonly writer: { doc: Y.Doc; provider: WebsocketProvider; member: Member },
    private readonly reader: { doc: Y.Doc; provider: WebsocketProvider },
  ) {
    notesMap(reader.doc).observe((event) => {
      const now = performance.now();
      for (const id of idsOfMemberKeys(event.keysChanged)) {
        const at = this.sent.get(id);
        if (at === undefined) continue;
        this.sent.delete(id);
        this.latencies.push(now - at);
      }
    });
  }

  static async open(
    server: { url: string; wsUrl: string },
    writer: Member,
    reader: Member,
    room: string,
  ): Promise<LatencyProbe> {
    const writerDoc = new Y.Doc();
    const readerDoc = new Y.Doc();
    return new LatencyProbe(
      { doc: writerDoc, provider: await connectProvider(server, writer.token, room, writerDoc), member: writer },
      { doc: readerDoc, provider: await connectProvider(server, reader.token, room, readerDoc) },
    );
  }

  start(): void {
    this.sent.clear();
    this.latencies.length = 0;
    this.count = 0;
    this.run++;
    this.timer = setInterval(() => {
      const id = `probe${this.run}-${this.count++}`;
      this.sent.set(id, performance.now());
      putNote(this.writer.doc, this.writer.member, id, String(this.count));
    }, INTERVAL_MS);
  }

  /** Stops writing, waits for what is in flight (up to `waitMs`), and reports. */
  async stop(waitMs = 10_000): Promise<ProbeResult> {
    if (this.timer) clearInterval(this.timer);
    const deadline = Date.now() + waitMs;
    while (this.sent.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // A write never received counts as the longest possible wait.
    const all = [...this.latencies, ...[...this.sent.values()].map(() => Number.POSITIVE_INFINITY)];
    return {
      sent: this.count,
      received: this.latencies.length,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      max: Math.max(...all),
    };
  }

  close(): void {
    this.writer.provider.destroy();
    this.reader.provider.destroy();
  }
}
