/**
 * One authorised WebSocket on one room. It decodes messages strictly, enforces the per-socket limits (message
 * rate, messages held while the room loads, a slow reader's backlog) and closes itself with a clear code on bad
 * input; nothing it receives can affect another socket.
 */
import { CLOSE_CODES, type Role } from '../../shared/protocol/api.ts';
import type { Limits } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics, RejectReason } from '../metrics.ts';
import type { Principal } from '../storage/types.ts';
import { decodeClientMessage, ProtocolError } from './protocol.ts';
import type { RoomRegistry } from './registry.ts';
import type { Room, RoomPeer } from './room.ts';

/** The part of a `ws` WebSocket a connection uses. */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

export type ConnectionDeps = {
  registry: RoomRegistry;
  limits: Limits;
  metrics: Metrics;
  log: Logger;
  onClosed: (connection: Connection) => void;
};

const monotonicNow = () => performance.now();

/** Token bucket: `rate` tokens per second, at most `burst` saved up. */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const time = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((time - this.last) / 1000) * this.rate);
    this.last = time;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Connection implements RoomPeer {
  private room: Room | null = null;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private closed = false;
  private readonly limiter: RateLimiter;

  constructor(
    private readonly socket: SocketLike,
    readonly principal: Principal,
    readonly roomId: string,
    private readonly deps: ConnectionDeps,
  ) {
    this.limiter = new RateLimiter(deps.limits.messagesPerSecond, deps.limits.messageBurst);
  }

  get role(): Role {
    return this.principal.role;
  }

  get memberId(): string {
    return this.principal.memberId;
  }

  get tokenHash(): string {
    return this.principal.tokenHash;
  }

  /** Loads the room and joins it; messages that arrive meanwhile are held (within limits). */
  async start(): Promise<void> {
    let room: Room;
    try {
      room = await this.deps.registry.acquire(this.roomId);
    } catch (error) {
      this.close(CLOSE_CODES.unavailable, (error as Error).message.slice(0, 120));
      return;
    }
    if (this.closed) {
      this.deps.registry.release(room);
      return;
    }
    this.room = room;
    room.join(this);
    const held = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const data of held) {
      if (this.closed) break;
      this.process(data);
    }
  }

  /** Raw frame from the socket. Text frames are not part of the protocol. */
  receive(data: ArrayBuffer | Uint8Array | string): void {
    if (this.closed) return;
    this.deps.metrics.messagesReceived++;
    if (typeof data === 'string') {
      this.refuse('malformed', CLOSE_CODES.malformed, 'text frames are not supported');
      return;
    }
    if (!this.limiter.take()) {
      this.refuse('rate_limited', CLOSE_CODES.rateLimited, 'too many messages');
      return;
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (!this.room) {
      this.queuedBytes += bytes.byteLength;
      // A copy: the frame may be a view into a larger socket read, which must not stay pinned while the room loads.
      this.queue.push(bytes.slice());
      if (
        this.queue.length > this.deps.limits.maxQueuedMessages ||
        this.queuedBytes > this.deps.limits.maxQueuedBytes
      ) {
        this.refuse('queue_full', CLOSE_CODES.rateLimited, 'too much sent before the room was ready');
      }
      return;
    }
    this.process(bytes);
  }

  private process(bytes: Uint8Array): void {
    const room = this.room!;
    try {
      const outcome = room.handle(this, decodeClientMessage(bytes));
      if (!outcome.ok) this.refuse(outcome.metric, outcome.code, outcome.reason);
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.message : 'malformed message';
      this.refuse('malformed', CLOSE_CODES.malformed, reason);
    }
  }

  private refuse(metric: RejectReason, code: number, reason: string): void {
    this.deps.metrics.reject(metric);
    this.deps.log.warn(
      `refused:${metric}`,
      `room ${this.roomId} member ${this.principal.memberId}: ${reason} (closing with ${code})`,
    );
    this.close(code, reason);
  }

  send(message: Uint8Array): void {
    if (this.closed || this.socket.readyState !== OPEN) return;
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      this.refuse('slow_consumer', CLOSE_CODES.slowConsumer, 'too slow to keep up; reconnect to catch up');
      return;
    }
    this.socket.send(message);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      // Close reasons are limited to 123 bytes.
      this.socket.close(code, Buffer.from(reason).subarray(0, 120).toString());
    } catch {
      // already closing
    }
    this.detach();
  }

  /** The socket closed (by either side). */
  onSocketClosed(): void {
    this.closed = true;
    this.detach();
  }

  private detached = false;

  private detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.queue = [];
    if (this.room) {
      this.room.leave(this);
      this.deps.registry.release(this.room);
      this.room = null;
    }
    this.deps.onClosed(this);
  }
}
