/**
 * The limits that protect the whole deployment rather than one process: open sockets per member and per team,
 * and failed joins (wrong invite codes) per client address. With one instance they are counted in memory; with
 * several they are counted in Redis, so connecting to three instances does not triple a member's allowance.
 *
 * In Redis a socket is a member of two sorted sets (the member's, the team's) scored with the time its entry
 * expires; the instance holding it renews it every TTL/3, so the sockets of an instance killed with kill -9
 * stop counting after SOCKET_TTL_MS. Taking a slot checks both sets and adds to both in one Lua script, so two
 * instances cannot both take the last slot. Failed joins are a counter per address that expires a minute
 * after the first failure.
 *
 * While Redis cannot be reached, sockets are still taken, counted against the caps by the instance alone (a
 * member may then open up to the cap on each instance), so officials can open pages during a Redis restart or
 * failover; the renewal writes those slots into Redis once it is back. Failed joins are not counted meanwhile,
 * so joining is refused (503) rather than left open to guessing.
 */
import { Redis } from 'ioredis';
import { AttemptLimiter } from '../auth/attempts.ts';
import type { Logger } from '../log.ts';
import { isOutage, OutageError } from '../outage.ts';

export type SocketSlot = { id: string; memberId: string; teamId: string };
export type SlotRefusal = 'member' | 'team';
export type SocketCaps = { perMember: number; perTeam: number };

export interface DeploymentLimits {
  /** Whether the counts are shared with the other instances now (false while Redis cannot be reached). */
  readonly shared: boolean;
  /** Takes a socket slot for the member and its team, or says which limit is full (nothing taken then). */
  takeSocket(slot: SocketSlot): Promise<SlotRefusal | null>;
  /** The socket closed (or never opened): its slot is free again. */
  releaseSocket(slot: SocketSlot): void;
  joinBlocked(address: string): Promise<boolean>;
  joinFailed(address: string): Promise<void>;
  close(): Promise<void>;
}

/** One instance: everything is in this process. */
export class LocalLimits implements DeploymentLimits {
  /** One instance: there is nothing to share with. */
  readonly shared = true;
  private readonly members = new Map<string, Set<string>>();
  private readonly teams = new Map<string, Set<string>>();
  private readonly attempts: AttemptLimiter;

  constructor(
    private readonly caps: SocketCaps,
    joinAttemptsPerMinute: number,
  ) {
    this.attempts = new AttemptLimiter(joinAttemptsPerMinute);
  }

  async takeSocket(slot: SocketSlot): Promise<SlotRefusal | null> {
    const member = this.members.get(slot.memberId);
    if ((member?.size ?? 0) >= this.caps.perMember) return 'member';
    const team = this.teams.get(slot.teamId);
    if ((team?.size ?? 0) >= this.caps.perTeam) return 'team';
    addTo(this.members, slot.memberId, slot.id);
    addTo(this.teams, slot.teamId, slot.id);
    return null;
  }

  releaseSocket(slot: SocketSlot): void {
    removeFrom(this.members, slot.memberId, slot.id);
    removeFrom(this.teams, slot.teamId, slot.id);
  }

  async joinBlocked(address: string): Promise<boolean> {
    return this.attempts.blocked(address);
  }

  async joinFailed(address: string): Promise<void> {
    this.attempts.fail(address);
  }

  async close(): Promise<void> {}
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(id);
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set?.delete(id)) return;
  if (set.size === 0) map.delete(key);
}

/** A socket slot not renewed for this long no longer counts (its instance died). */
export const SOCKET_TTL_MS = 30_000;
/**
 * Each slot is renewed every SOCKET_TTL_MS / 3, the keys spread over this many ticks of that period. Renewing all
 * at once held the event loop (every room on the instance) for 200 ms and Redis for 30 ms at 10,000 sockets.
 */
const RENEW_TICKS = 10;

/** Which tick renews a key: a stable hash of its text. */
function tickOf(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % RENEW_TICKS;
}
const JOIN_WINDOW_MS = 60_000;

/**
 * KEYS: member set, team set. ARGV: now, expiry, slot id, member cap, team cap, key TTL.
 * Drops expired slots, refuses when either set is full, else adds the slot to both.
 */
const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 'member' end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 'team' end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return ''
`;

type RedisWithTakeSlot = Redis & {
  pizhuTakeSlot(
    memberKey: string,
    teamKey: string,
    now: number,
    expiry: number,
    id: string,
    perMember: number,
    perTeam: number,
    ttl: number,
  ): Promise<string>;
};

/** Several instances: the counts live in Redis. */
export class RedisLimits implements DeploymentLimits {
  private readonly redis: RedisWithTakeSlot;
  private readonly held = new Map<string, SocketSlot>();
  /** The slot ids of each member and team key, by the tick that renews the key. */
  private readonly byTick = Array.from({ length: RENEW_TICKS }, () => new Map<string, Set<string>>());
  private tick = 0;
  private readonly renewer: NodeJS.Timeout;
  /** Slots are counted by this instance alone: Redis could not be reached. */
  private unreachable = false;

  constructor(
    url: string,
    /** Prefix of every key: one per deployment (its database), so deployments may share a Redis. */
    private readonly namespace: string,
    private readonly caps: SocketCaps,
    private readonly joinAttemptsPerMinute: number,
    private readonly log: Logger,
    private readonly ttlMs = SOCKET_TTL_MS,
  ) {
    this.redis = new Redis(url, { connectionName: 'pizhu-limits', maxRetriesPerRequest: 2 }) as RedisWithTakeSlot;
    this.redis.on('error', (error) => log.error('limits', 'Redis connection', error));
    this.redis.on('ready', () => {
      if (!this.unreachable) return;
      this.unreachable = false;
      log.warn('limits', 'Redis is back: sockets are counted for the whole deployment again');
    });
    this.redis.defineCommand('pizhuTakeSlot', { numberOfKeys: 2, lua: TAKE_SLOT });
    this.renewer = setInterval(() => this.renew(), ttlMs / 3 / RENEW_TICKS);
    this.renewer.unref();
  }

  async takeSocket(slot: SocketSlot): Promise<SlotRefusal | null> {
    const refused = this.lost() ? this.takeHere(slot) : await this.takeInRedis(slot);
    if (refused === 'member' || refused === 'team') return refused;
    this.held.set(slot.id, slot);
    for (const key of this.keysOf(slot)) addTo(this.byTick[tickOf(key)]!, key, slot.id);
    return null;
  }

  get shared(): boolean {
    return this.redis.status === 'ready';
  }

  /** The connection to Redis was lost (not merely still being made at startup): ioredis is retrying it. */
  private lost(): boolean {
    const { status } = this.redis;
    return status === 'reconnecting' || status === 'close' || status === 'end';
  }

  private async takeInRedis(slot: SocketSlot): Promise<string | null> {
    const now = Date.now();
    try {
      return await this.redis.pizhuTakeSlot(
        this.memberKey(slot.memberId),
        this.teamKey(slot.teamId),
        now,
        now + this.ttlMs,
        slot.id,
        this.caps.perMember,
        this.caps.perTeam,
        this.ttlMs * 2,
      );
    } catch (error) {
      if (!isOutage(error)) throw error;
      return this.takeHere(slot);
    }
  }

  /** A join while Redis is known to be lost is refused at once, not after ioredis's retries (seconds). */
  private refuseWhileLost(): void {
    if (this.lost()) throw new OutageError('Redis cannot be reached: failed joins cannot be counted');
  }

  /** Redis is unreachable: the caps checked against this instance's own slots. */
  private takeHere(slot: SocketSlot): SlotRefusal | null {
    if (!this.unreachable) {
      this.unreachable = true;
      this.log.warn('limits', 'Redis cannot be reached: sockets are counted by this instance alone until it is back');
    }
    const [memberKey, teamKey] = this.keysOf(slot);
    if (this.heldUnder(memberKey) >= this.caps.perMember) return 'member';
    if (this.heldUnder(teamKey) >= this.caps.perTeam) return 'team';
    return null;
  }

  /** This instance's slots under a member or team key. */
  private heldUnder(key: string): number {
    return this.byTick[tickOf(key)]!.get(key)?.size ?? 0;
  }

  releaseSocket(slot: SocketSlot): void {
    if (!this.held.delete(slot.id)) return;
    for (const key of this.keysOf(slot)) removeFrom(this.byTick[tickOf(key)]!, key, slot.id);
    this.redis
      .multi()
      .zrem(this.memberKey(slot.memberId), slot.id)
      .zrem(this.teamKey(slot.teamId), slot.id)
      .exec()
      .catch((error) => {
        // Unreachable: the entry expires on its own, unrenewed.
        if (!isOutage(error)) this.log.error('limits', 'releasing a socket slot', error);
      });
  }

  async joinBlocked(address: string): Promise<boolean> {
    this.refuseWhileLost();
    const count = await this.redis.get(this.joinKey(address));
    return Number(count ?? 0) >= this.joinAttemptsPerMinute;
  }

  async joinFailed(address: string): Promise<void> {
    this.refuseWhileLost();
    await this.redis.multi().incr(this.joinKey(address)).pexpire(this.joinKey(address), JOIN_WINDOW_MS, 'NX').exec();
  }

  async close(): Promise<void> {
    clearInterval(this.renewer);
    const pipeline = this.redis.pipeline();
    for (const slot of this.held.values())
      pipeline.zrem(this.memberKey(slot.memberId), slot.id).zrem(this.teamKey(slot.teamId), slot.id);
    this.held.clear();
    for (const ticks of this.byTick) ticks.clear();
    await pipeline.exec().catch(() => {});
    await this.redis.quit().catch(() => {});
  }

  /**
   * Pushes the expiry of this tick's keys forward: one ZADD and one PEXPIRE per member or team key. The ZADD also
   * adds what Redis lacks: the slots taken while it was unreachable, or all of them after it restarted empty.
   */
  private renew(): void {
    const keys = this.byTick[this.tick++ % RENEW_TICKS]!;
    if (keys.size === 0 || this.lost()) return;
    const expiry = String(Date.now() + this.ttlMs);
    const pipeline = this.redis.pipeline();
    for (const [key, ids] of keys) {
      pipeline.zadd(key, ...[...ids].flatMap((id) => [expiry, id]));
      pipeline.pexpire(key, this.ttlMs * 2);
    }
    pipeline.exec().catch((error) => {
      if (!isOutage(error)) this.log.error('limits', 'renewing socket slots', error);
    });
  }

  private keysOf(slot: SocketSlot): [string, string] {
    return [this.memberKey(slot.memberId), this.teamKey(slot.teamId)];
  }

  private memberKey(memberId: string): string {
    return `${this.namespace}:sockets:member:${memberId}`;
  }

  private teamKey(teamId: string): string {
    return `${this.namespace}:sockets:team:${teamId}`;
  }

  private joinKey(address: string): string {
    return `${this.namespace}:join-failures:${address}`;
  }
}
