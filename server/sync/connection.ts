/**
 * One authorised WebSocket on one room. It decodes messages strictly, enforces the per-socket limits (message
 * rate, messages held while the room loads, a slow reader's backlog), meters the time its messages cost against
 * the member's budget, books what it queues for sending against the server's outbound budget, answers the
 * heartbeat, and closes itself with a clear code on bad input; nothing it receives can affect another socket.
 *
 * Nor delay one for long: ws hands over every frame of a network read at once, so a client that sends many
 * costly messages together would hold the event loop for all of them. Once a socket's messages have taken
 * TURN_MS in one turn of the event loop, it stops reading and holds the rest until the next turn, after the
 * other sockets had theirs.
 */
import { CLOSE_CODES, type Role } from '../../shared/protocol/api.ts';
import type { Limits } from '../config.ts';
import { type CostMeter, cpuMs } from '../guard/cost-meter.ts';
import type { MemoryBudget } from '../guard/memory-budget.ts';
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
  /** `written` is called once the frame has been handed to the operating system (or failed). */
  send(data: Uint8Array, written?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
  /** Stops and restarts reading from the network. */
  pause(): void;
  resume(): void;
}

const OPEN = 1;
/** How long one socket's messages may run in one turn of the event loop before it yields. */
const TURN_MS = 10;
/** How long a closed socket's peer has to answer the close before the connection is cut. */
const CLOSE_GRACE_MS = 5_000;

export type ConnectionDeps = {
  registry: RoomRegistry;
  limits: Limits;
  metrics: Metrics;
  log: Logger;
  /** The members' time budgets. */
  cost: CostMeter;
  /** The server's outbound byte budget. */
  memory: MemoryBudget;
  /** The outbound budget is full: close the sockets furthest behind (connections.ts). */
  shedOutbound: (bytes: number) => void;
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
  /** Sizes of the frames handed to the socket and not yet written out, oldest first (from `sentHead`). */
  private sent: number[] = [];
  private sentHead = 0;
  private unwritten = 0;
  private readonly written = () => this.frameWritten();
  /** Whether the peer answered the last ping. */
  private alive = true;
  /** Time this socket's messages took in the current turn of the event loop, and whether it is waiting for the next. */
  private turnMs = 0;
  private turnEnding = false;
  private resting = false;
  /** Whether reading from the socket is paused (it stays paused past a turn when the turn's work closed it). */
  private readingPaused = false;
  private readonly endTurn = () => this.nextTurn();

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

  get teamId(): string {
    return this.principal.teamId;
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
    this.processHeld();
  }

  /** Processes the messages held so far, until they are done or the socket has to yield again. */
  private processHeld(): void {
    const held = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (let i = 0; i < held.length; i++) {
      if (this.closed) return;
      if (this.resting) {
        this.queue = held.slice(i).concat(this.queue);
        this.queuedBytes = this.queue.reduce((sum, m) => sum + m.byteLength, 0);
        return;
      }
      this.process(held[i]!);
    }
  }

  /** Raw frame from the socket. Text frames are not part of the protocol. */
  receive(data: ArrayBuffer | Uint8Array | string): void {
    if (this.closed) return;
    this.deps.metrics.countMessage();
    if (this.deps.cost.throttled(this.memberId)) {
      this.refuse('throttled', CLOSE_CODES.throttled, 'used more than its share of server time; try again later');
      return;
    }
    if (typeof data === 'string') {
      this.refuse('malformed', CLOSE_CODES.malformed, 'text frames are not supported');
      return;
    }
    if (!this.limiter.take()) {
      this.refuse('rate_limited', CLOSE_CODES.rateLimited, 'too many messages');
      return;
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (!this.room || this.resting) {
      this.queuedBytes += bytes.byteLength;
      // A copy: the frame may be a view into a larger socket read, which must not stay pinned while it waits.
      this.queue.push(bytes.slice());
      // While resting the socket is paused, so only the frames of reads already made arrive: bounded by bytes.
      // Before the room is ready nothing holds the client back, so the number of messages is bounded too.
      if (
        (!this.room && this.queue.length > this.deps.limits.maxQueuedMessages) ||
        this.queuedBytes > this.deps.limits.maxQueuedBytes
      ) {
        this.refuse('queue_full', CLOSE_CODES.rateLimited, 'too much sent at once');
      }
      return;
    }
    this.process(bytes);
  }

  private process(bytes: Uint8Array): void {
    const room = this.room!;
    const started = performance.now();
    const cpuStarted = cpuMs();
    try {
      const outcome = room.handle(this, decodeClientMessage(bytes));
      if (!outcome.ok) this.refuse(outcome.metric, outcome.code, outcome.reason);
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.message : 'malformed message';
      this.refuse('malformed', CLOSE_CODES.malformed, reason);
    }
    const elapsed = performance.now() - started;
    // Refused messages cost time too: they count against the member's budget.
    if (!this.deps.cost.charge(this.memberId, cpuMs() - cpuStarted)) {
      this.refuse('throttled', CLOSE_CODES.throttled, 'used more than its share of server time; try again later');
      return;
    }
    if (this.closed) return;
    this.turnMs += elapsed;
    if (!this.turnEnding) {
      this.turnEnding = true;
      setImmediate(this.endTurn);
    }
    if (this.turnMs >= TURN_MS && !this.resting) {
      this.resting = true;
      this.readingPaused = true;
      this.socket.pause();
    }
  }

  private nextTurn(): void {
    this.turnEnding = false;
    this.turnMs = 0;
    if (!this.resting || this.closed) return;
    this.resting = false;
    this.processHeld();
    if (!this.resting && !this.closed) this.resumeReading();
  }

  private resumeReading(): void {
    this.readingPaused = false;
    this.socket.resume();
  }

  private refuse(metric: RejectReason, code: number, reason: string): void {
    if (this.closed) return;
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
    const size = message.byteLength;
    const memory = this.deps.memory;
    if (memory.outboundFull(size)) {
      this.deps.shedOutbound(size);
      if (this.closed) return;
    }
    memory.queued(size);
    this.unwritten += size;
    this.sent.push(size);
    this.socket.send(message, this.written);
  }

  /** Bytes handed to the socket and not yet written out. */
  get backlog(): number {
    return this.unwritten;
  }

  /** Closes the socket because the server's send buffers are full and this one is furthest behind. */
  shed(): void {
    this.refuse('memory', CLOSE_CODES.slowConsumer, "the server's send buffers are full; reconnect to catch up");
  }

  private frameWritten(): void {
    if (this.sentHead >= this.sent.length) return;
    const size = this.sent[this.sentHead++]!;
    if (this.sentHead > 1024 && this.sentHead * 2 > this.sent.length) {
      this.sent = this.sent.slice(this.sentHead);
      this.sentHead = 0;
    }
    this.unwritten -= size;
    this.deps.memory.sent(size);
  }

  /** Heartbeat: drops a peer that did not answer the previous ping, pings the others. */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.deps.metrics.reject('dead_peer');
      this.deps.log.warn('dead_peer', `room ${this.roomId} member ${this.memberId}: no answer to the ping; dropped`);
      this.socket.terminate();
      this.onSocketClosed();
      return;
    }
    this.alive = false;
    try {
      this.socket.ping();
    } catch {
      // closing already
    }
  }

  onPong(): void {
    this.alive = true;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    // A socket paused for its turn must read again, or the peer's answer to the close is never seen.
    if (this.readingPaused) this.resumeReading();
    try {
      // Close reasons are limited to 123 bytes.
      this.socket.close(code, Buffer.from(reason).subarray(0, 120).toString());
    } catch {
      // already closing
    }
    // A peer that does not answer the close (it stopped reading: its backlog is still queued) is cut off soon,
    // so what was queued for it is freed (ws would wait 30 s).
    const socket = this.socket;
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
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
    // Frames still unwritten are dropped with the socket: give their bytes back to the budget.
    this.deps.memory.sent(this.unwritten);
    this.unwritten = 0;
    this.sent = [];
    this.sentHead = 0;
    if (this.room) {
      this.room.leave(this);
      this.deps.registry.release(this.room);
      this.room = null;
    }
    this.deps.onClosed(this);
  }
}
