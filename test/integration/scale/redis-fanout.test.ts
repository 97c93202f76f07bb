/**
 * The Redis fan-out on a real Redis: updates cross instances on the room streams in order, an instance does not
 * hear itself, presence crosses through Pub/Sub and a new holder of a room asks who is present, the fault
 * injection drops the share it is told to, and unsubscribed rooms are no longer read.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisFanout } from '../../../server/fanout/redis.ts';
import type { FanoutMessage, FanoutSubscriber } from '../../../server/fanout/types.ts';
import { createLogger } from '../../../server/log.ts';
import { waitFor } from '../server/helpers.ts';
import { acquireServices, releaseServices, type Services } from '../../server/services.ts';

let services: Services;
const fanouts: RedisFanout[] = [];
const log = createLogger({ level: 'silent', linesPerMinute: 10 });
const NAMESPACE = 'pizhu:fanout-test';

beforeAll(async () => {
  services = await acquireServices();
}, 60_000);

afterAll(async () => {
  await Promise.all(fanouts.map((f) => f.close()));
  await releaseServices();
});

async function fanout(dropRatio = 0, streamMaxLength = 1000, roomsPerReader?: number): Promise<RedisFanout> {
  const created = await RedisFanout.connect({
    url: services.redisUrl,
    namespace: NAMESPACE,
    streamMaxLength,
    dropRatio,
    roomsPerReader,
    log,
  });
  fanouts.push(created);
  return created;
}

class Recorder implements FanoutSubscriber {
  readonly messages: FanoutMessage[] = [];
  onFanout(message: FanoutMessage): void {
    this.messages.push(message);
  }
  get seqs(): number[] {
    return this.messages.flatMap((m) => (m.kind === 'update' ? [m.seq] : []));
  }
}

const source = Symbol('test');
let roomCounter = 0;
const newRoom = () => `team${process.pid}.room${roomCounter++}-${Date.now()}`;

describe('RedisFanout', () => {
  it('carries updates to the other instances holding the room, in order, not back to the sender', async () => {
    const [a, b, c] = [await fanout(), await fanout(), await fanout()];
    const room = newRoom();
    const [ra, rb, rc] = [new Recorder(), new Recorder(), new Recorder()];
    a.subscribe(room, source, ra);
    b.subscribe(room, source, rb);
    c.subscribe(room, Symbol('other'), rc);
    const other = newRoom();
    const bystander = new Recorder();
    c.subscribe(other, source, bystander);
    await new Promise((r) => setTimeout(r, 100));
    for (let seq = 1; seq <= 200; seq++)
      a.publish(room, { kind: 'update', seq, update: new Uint8Array([seq % 256, 1, 2]) }, source);
    await waitFor(() => rb.seqs.length === 200 && rc.seqs.length === 200, 10_000, 'updates did not arrive');
    expect(rb.seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(rc.seqs).toEqual(rb.seqs);
    const first = rb.messages.find((m) => m.kind === 'update')!;
    expect(first.kind === 'update' && [...first.update]).toEqual([1, 1, 2]);
    expect(ra.seqs).toEqual([]);
    expect(bystander.seqs).toEqual([]);
  });

  it('reads a room subscribed while its reader is blocked on other rooms, without waiting for the block', async () => {
    const [a, b] = [await fanout(), await fanout()];
    const busy = newRoom();
    b.subscribe(busy, source, new Recorder());
    await new Promise((r) => setTimeout(r, 100));
    const room = newRoom();
    const rb = new Recorder();
    b.subscribe(room, source, rb);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    a.publish(room, { kind: 'update', seq: 1, update: new Uint8Array([7]) }, source);
    await waitFor(() => rb.seqs.length === 1, 10_000, 'the new room was not read');
    // The reader blocks for 5 s at a time; the subscription interrupted it.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reads rooms beyond one reader on more connections, each in order, and lets go of the emptied ones', async () => {
    const [a, b] = [await fanout(), await fanout(0, 1000, 3)];
    const rooms = Array.from({ length: 10 }, () => newRoom());
    const recorders = rooms.map(() => new Recorder());
    for (const [i, room] of rooms.entries()) b.subscribe(room, source, recorders[i]!);
    expect(b.readerCount).toBe(4);
    await new Promise((r) => setTimeout(r, 100));
    for (let seq = 1; seq <= 20; seq++) {
      for (const room of rooms) a.publish(room, { kind: 'update', seq, update: new Uint8Array([seq]) }, source);
    }
    const inOrder = Array.from({ length: 20 }, (_, i) => i + 1);
    await waitFor(() => recorders.every((r) => r.seqs.length === 20), 10_000, 'not every room was read');
    for (const recorder of recorders) expect(recorder.seqs).toEqual(inOrder);

    // The last reader held rooms 9 and 10: once both go, its connection goes; the first reader stays.
    b.unsubscribe(rooms[9]!, recorders[9]!);
    b.unsubscribe(rooms[8]!, recorders[8]!);
    expect(b.readerCount).toBe(3);
    for (const room of rooms.slice(0, 3)) b.unsubscribe(room, recorders[rooms.indexOf(room)]!);
    expect(b.readerCount).toBe(3);
    // A room subscribed now fills the first reader's free place, and is read.
    const late = newRoom();
    const recorder = new Recorder();
    b.subscribe(late, source, recorder);
    expect(b.readerCount).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    a.publish(late, { kind: 'update', seq: 1, update: new Uint8Array([1]) }, source);
    await waitFor(() => recorder.seqs.length === 1, 10_000, 'the late room was not read');
  });

  it('stops delivering a room once it is unsubscribed', async () => {
    const [a, b] = [await fanout(), await fanout()];
    const room = newRoom();
    const rb = new Recorder();
    b.subscribe(room, source, rb);
    await new Promise((r) => setTimeout(r, 100));
    a.publish(room, { kind: 'update', seq: 1, update: new Uint8Array([1]) }, source);
    await waitFor(() => rb.seqs.length === 1);
    b.unsubscribe(room, rb);
    a.publish(room, { kind: 'update', seq: 2, update: new Uint8Array([2]) }, source);
    await new Promise((r) => setTimeout(r, 300));
    expect(rb.seqs).toEqual([1]);
  });

  it('relays presence, and a new holder of the room asks the others who is present', async () => {
    const [a, b] = [await fanout(), await fanout()];
    const room = newRoom();
    const ra = new Recorder();
    a.subscribe(room, source, ra);
    await new Promise((r) => setTimeout(r, 100));
    const rb = new Recorder();
    b.subscribe(room, source, rb);
    await waitFor(() => ra.messages.some((m) => m.kind === 'presence-query'), 5_000, 'no presence query');
    b.publish(room, { kind: 'presence', update: new Uint8Array([1, 2, 3]) }, source);
    await waitFor(() => ra.messages.some((m) => m.kind === 'presence'), 5_000, 'no presence');
    const presence = ra.messages.find((m) => m.kind === 'presence')!;
    expect(presence.kind === 'presence' && [...presence.update]).toEqual([1, 2, 3]);
    expect(rb.messages.filter((m) => m.kind !== 'presence-query')).toEqual([]);
  });

  it('drops the configured share of updates when fault injection is on', async () => {
    const lossy = await fanout(0.1, 5_000);
    const reader = await fanout();
    const room = newRoom();
    const recorder = new Recorder();
    reader.subscribe(room, source, recorder);
    await new Promise((r) => setTimeout(r, 100));
    for (let seq = 1; seq <= 2000; seq++)
      lossy.publish(room, { kind: 'update', seq, update: new Uint8Array([1]) }, source);
    const redis = new Redis(services.redisUrl);
    try {
      await waitFor(() => recorder.seqs.at(-1)! >= 1900, 10_000, 'the last updates did not arrive');
      await new Promise((r) => setTimeout(r, 200));
      const lost = 2000 - recorder.seqs.length;
      expect(lost).toBeGreaterThan(100);
      expect(lost).toBeLessThan(300);
      expect(recorder.seqs).toEqual([...recorder.seqs].sort((x, y) => x - y));
    } finally {
      redis.disconnect();
    }
  });

  it('trims each room stream to about its configured length and lets idle streams expire', async () => {
    const short = await fanout(0, 50);
    const room = newRoom();
    for (let seq = 1; seq <= 2000; seq++)
      short.publish(room, { kind: 'update', seq, update: new Uint8Array([1]) }, source);
    const redis = new Redis(services.redisUrl);
    try {
      const key = `${NAMESPACE}:room:${room}`;
      const last = await (async () => {
        for (;;) {
          const [entry] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
          if (entry?.[1][1] === '2000') return entry;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      expect(last[1].slice(0, 2)).toEqual(['seq', '2000']);
      // MAXLEN ~ 50: Redis trims whole nodes, so a little more than 50 remain, far fewer than 2,000.
      expect(await redis.xlen(key)).toBeLessThan(300);
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('gives a held room’s stream an expiry and renews it once a minute, a room it does not hold with every XADD', async () => {
    const writer = await fanout();
    const [held, loose] = [newRoom(), newRoom()];
    writer.subscribe(held, source, new Recorder());
    const redis = new Redis(services.redisUrl);
    /** Publishes entry `seq`, waits for it (and a moment for a PEXPIRE sent with it), returns and clears the TTL. */
    const ttlAfter = async (room: string, seq: number) => {
      const key = `${NAMESPACE}:room:${room}`;
      writer.publish(room, { kind: 'update', seq, update: new Uint8Array([seq]) }, source);
      await waitFor(async () => (await redis.xlen(key)) === seq, 5_000, `entry ${seq} of ${room} did not land`);
      await new Promise((r) => setTimeout(r, 50));
      const ttl = await redis.pttl(key);
      await redis.persist(key);
      return ttl;
    };
    try {
      // The first XADD to a held room sets the expiry; the next, within the minute, leaves it alone.
      expect(await ttlAfter(held, 1)).toBeGreaterThan(0);
      expect(await ttlAfter(held, 2)).toBe(-1);
      // A room the instance does not hold is not remembered: each XADD renews.
      expect(await ttlAfter(loose, 1)).toBeGreaterThan(0);
      expect(await ttlAfter(loose, 2)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses to start when Redis cannot be reached', async () => {
    await expect(
      RedisFanout.connect({ url: 'redis://127.0.0.1:1', namespace: NAMESPACE, streamMaxLength: 10, dropRatio: 0, log }),
    ).rejects.toThrow(/cannot be reached/);
  });
});
