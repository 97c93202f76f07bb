/** A connection's own limits, with a registry whose room load the test controls. */
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../shared/protocol/api.ts';
import { DEFAULT_LIMITS } from '../config.ts';
import { CostMeter } from '../guard/cost-meter.ts';
import { MemoryBudget } from '../guard/memory-budget.ts';
import { silentLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import { Connection, RateLimiter, type SocketLike } from './connection.ts';
import type { RoomRegistry } from './registry.ts';

class FakeSocket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];
  /** Write callbacks of the frames not yet "written out". */
  unwritten: (() => void)[] = [];
  pings = 0;
  terminated = false;
  closed: { code?: number; reason?: string } | null = null;
  send(data: Uint8Array, written?: () => void) {
    this.sent.push(data);
    if (written) this.unwritten.push(written);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  ping() {
    this.pings++;
  }
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
}

const principal = {
  memberId: 'm',
  teamId: 't',
  teamName: 'T',
  displayName: 'D',
  role: 'editor' as const,
  tokenHash: 'h',
};

function connection(
  socket: SocketLike,
  limits = {},
  shared: { memory?: MemoryBudget; cost?: CostMeter; shed?: (bytes: number) => void } = {},
) {
  const neverLoads = { acquire: () => new Promise(() => {}), release: () => {} } as unknown as RoomRegistry;
  const all = { ...DEFAULT_LIMITS, ...limits };
  return new Connection(socket, principal, 't.d', {
    registry: neverLoads,
    limits: all,
    metrics: new Metrics(),
    log: silentLogger,
    cost: shared.cost ?? new CostMeter({ budgetMs: 1000, msPerSecond: 100, throttleMs: 1000 }),
    memory: shared.memory ?? new MemoryBudget(all),
    shedOutbound: shared.shed ?? (() => {}),
    onClosed: () => {},
  });
}

describe('Connection', () => {
  it('holds a bounded number of messages while its room loads', () => {
    const socket = new FakeSocket();
    const c = connection(socket, { maxQueuedMessages: 3 });
    void c.start();
    for (let i = 0; i < 3; i++) c.receive(new Uint8Array([3]));
    expect(socket.closed).toBeNull();
    c.receive(new Uint8Array([3]));
    expect(socket.closed?.code).toBe(CLOSE_CODES.rateLimited);
  });

  it('bounds the bytes held while its room loads', () => {
    const socket = new FakeSocket();
    const c = connection(socket, { maxQueuedBytes: 1000 });
    void c.start();
    c.receive(new Uint8Array(600));
    c.receive(new Uint8Array(600));
    expect(socket.closed?.code).toBe(CLOSE_CODES.rateLimited);
  });

  it('closes on a text frame and on a slow reader', () => {
    const text = new FakeSocket();
    connection(text).receive('hello');
    expect(text.closed?.code).toBe(CLOSE_CODES.malformed);
    const slow = new FakeSocket();
    const c = connection(slow, { maxBufferedBytes: 10 });
    slow.bufferedAmount = 11;
    c.send(new Uint8Array([1]));
    expect(slow.closed?.code).toBe(CLOSE_CODES.slowConsumer);
    expect(slow.sent).toEqual([]);
  });
});

describe('Connection: server-wide budgets and the heartbeat', () => {
  it("books queued frames against the server's outbound budget until they are written or the socket closes", () => {
    const memory = new MemoryBudget({ maxOutboundBytes: 100, maxDecodedBytes: 1, maxRssBytes: 1 });
    const socket = new FakeSocket();
    const c = connection(socket, {}, { memory });
    c.send(new Uint8Array(30));
    c.send(new Uint8Array(20));
    expect(memory.outboundBytes).toBe(50);
    socket.unwritten.shift()!();
    expect(memory.outboundBytes).toBe(20);
    expect(c.backlog).toBe(20);
    c.close(1000, 'bye');
    expect(memory.outboundBytes).toBe(0);
    socket.unwritten.shift()!(); // a late callback after the close changes nothing
    expect(memory.outboundBytes).toBe(0);
  });

  it('asks for the sockets furthest behind to be shed when the budget is full', () => {
    const memory = new MemoryBudget({ maxOutboundBytes: 100, maxDecodedBytes: 1, maxRssBytes: 1 });
    const asked: number[] = [];
    const behind = connection(new FakeSocket(), {}, { memory, shed: (bytes) => asked.push(bytes) });
    behind.send(new Uint8Array(90));
    expect(asked).toEqual([]);
    behind.send(new Uint8Array(20));
    expect(asked).toEqual([20]);
    const shedSocket = new FakeSocket();
    const shed = connection(shedSocket, {}, { memory });
    shed.shed();
    expect(shedSocket.closed?.code).toBe(CLOSE_CODES.slowConsumer);
  });

  it('drops a peer that did not answer the previous ping', () => {
    const socket = new FakeSocket();
    const c = connection(socket);
    c.heartbeat();
    expect(socket.pings).toBe(1);
    c.onPong();
    c.heartbeat();
    expect(socket.pings).toBe(2);
    expect(socket.terminated).toBe(false);
    c.heartbeat();
    expect(socket.terminated).toBe(true);
  });

  it("refuses a throttled member's messages with the throttled code", () => {
    let now = 0;
    const cost = new CostMeter({ budgetMs: 10, msPerSecond: 1, throttleMs: 1000 }, () => now);
    cost.charge('m', 50);
    const socket = new FakeSocket();
    connection(socket, {}, { cost }).receive(new Uint8Array([3]));
    expect(socket.closed?.code).toBe(CLOSE_CODES.throttled);
    now = 2000;
    const later = new FakeSocket();
    connection(later, {}, { cost }).receive(new Uint8Array([3]));
    expect(later.closed).toBeNull();
  });
});

describe('Connection: taking turns', () => {
  it('yields after a turn’s worth of costly messages and handles the rest in later turns', async () => {
    const handled: number[] = [];
    const busyRoom = {
      join() {},
      leave() {},
      handle(_peer: unknown, message: { type: string }) {
        const until = performance.now() + 4;
        while (performance.now() < until) {
          // a costly message
        }
        handled.push(handled.length);
        return message.type === 'query-awareness'
          ? { ok: true }
          : { ok: false, code: CLOSE_CODES.forbidden, reason: 'refused', metric: 'not_allowed' };
      },
    };
    const registry = { acquire: async () => busyRoom, release: () => {} } as unknown as RoomRegistry;
    const socket = new FakeSocket();
    const all = { ...DEFAULT_LIMITS };
    const c = new Connection(socket, principal, 't.d', {
      registry,
      limits: all,
      metrics: new Metrics(),
      log: silentLogger,
      cost: new CostMeter({ budgetMs: 10_000, msPerSecond: 100, throttleMs: 1000 }),
      memory: new MemoryBudget(all),
      shedOutbound: () => {},
      onClosed: () => {},
    });
    await c.start();
    // Six frames of one network read arrive in one go.
    for (let i = 0; i < 6; i++) c.receive(new Uint8Array([3]));
    // 4 ms each: at most three fit in a turn, however slow the machine.
    expect(handled.length).toBeLessThanOrEqual(3);
    expect(socket.paused).toBe(true);
    // A loaded machine may fit only one message in a turn: give it turns enough, and check the order.
    for (let turn = 0; turn < 60 && handled.length < 6; turn++) await new Promise((r) => setImmediate(r));
    expect(handled).toEqual([0, 1, 2, 3, 4, 5]);
    await new Promise((r) => setImmediate(r));
    expect(socket.paused).toBe(false);
    expect(socket.closed).toBeNull();
    // A costly message refused in a later turn closes the socket, which then reads on (to see the peer's answer to
    // the close) instead of staying paused from the turn before.
    for (let i = 0; i < 4; i++) c.receive(new Uint8Array([3]));
    c.receive(new Uint8Array([0, 0, 1, 0]));
    for (let turn = 0; turn < 60 && socket.closed === null; turn++) await new Promise((r) => setImmediate(r));
    expect(socket.closed).not.toBeNull();
    expect(socket.paused).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('allows the burst, then the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 5, () => now);
    expect(Array.from({ length: 6 }, () => limiter.take())).toEqual([true, true, true, true, true, false]);
    now += 100; // 0.1 s at 10/s = one more message
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
  });
});
