/** A connection's own limits, with a registry whose room load the test controls. */
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../shared/protocol/api.ts';
import { DEFAULT_LIMITS } from '../config.ts';
import { silentLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import { Connection, RateLimiter, type SocketLike } from './connection.ts';
import type { RoomRegistry } from './registry.ts';

class FakeSocket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];
  closed: { code?: number; reason?: string } | null = null;
  send(data: Uint8Array) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
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

function connection(socket: SocketLike, limits = {}) {
  const neverLoads = { acquire: () => new Promise(() => {}), release: () => {} } as unknown as RoomRegistry;
  return new Connection(socket, principal, 't.d', {
    registry: neverLoads,
    limits: { ...DEFAULT_LIMITS, ...limits },
    metrics: new Metrics(),
    log: silentLogger,
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
