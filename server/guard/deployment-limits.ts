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
 */
import { Redis } from 'ioredis';
import { AttemptLimiter } from '../auth/attempts.ts';
import type { Logger } from '../log.ts';

export type SocketSlot = { id: string; memberId: string; teamId: string };
export type SlotRefusal = 'member' | 'team';
export type SocketCaps = { perMember: number; perTeam: number };

export interface DeploymentLimits {
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
  private readonly renewer: NodeJS.Timeout;

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
    this.redis.defineCommand('pizhuTakeSlot', { numberOfKeys: 2, lua: TAKE_SLOT });
    this.renewer = setInterval(() => this.renew(), ttlMs / 3);
    this.renewer.unref();
  }

  async takeSocket(slot: SocketSlot): Promise<SlotRefusal | null> {
    const now = Date.now();
    const refused = await this.redis.pizhuTakeSlot(
      this.memberKey(slot.memberId),
      this.teamKey(slot.teamId),
      now,
      now + this.ttlMs,
      slot.id,
      this.caps.perMember,
      this.caps.perTeam,
      this.ttlMs * 2,
    );
    if (refused === 'member' || refused === 'team') return refused;
    this.held.set(slot.id, slot);
    return null;
  }

  releaseSocket(slot: SocketSlot): void {
    if (!this.held.delete(slot.id)) return;
    this.redis
      .multi()
      .zrem(this.memberKey(slot.memberId), slot.id)
      .zrem(this.teamKey(slot.teamId), slot.id)
      .exec()
      .catch((error) => this.log.error('limits', 'releasing a socket slot', error));
  }

  async joinBlocked(address: string): Promise<boolean> {
    const count = await this.redis.get(this.joinKey(address));
    return Number(count ?? 0) >= this.joinAttemptsPerMinute;
  }

  async joinFailed(address: string): Promise<void> {
    await this.redis.multi().incr(this.joinKey(address)).pexpire(this.joinKey(address), JOIN_WINDOW_MS, 'NX').exec();
  }

  async close(): Promise<void> {
    clearInterval(this.renewer);
    const pipeline = this.redis.pipeline();
    for (const slot of this.held.values())
      pipeline.zrem(this.memberKey(slot.memberId), slot.id).zrem(this.teamKey(slot.teamId), slot.id);
    this.held.clear();
    await pipeline.exec().catch(() => {});
    await this.redis.quit().catch(() => {});
  }

  /** Pushes the expiry of every slot this instance holds forward. */
  private renew(): void {
    if (this.held.size === 0) return;
    const expiry = Date.now() + this.ttlMs;
    const pipeline = this.redis.pipeline();
    for (const slot of this.held.values()) {
      pipeline.zadd(this.memberKey(slot.memberId), 'XX', expiry, slot.id);
      pipeline.zadd(this.teamKey(slot.teamId), 'XX', expiry, slot.id);
      pipeline.pexpire(this.memberKey(slot.memberId), this.ttlMs * 2);
      pipeline.pexpire(this.teamKey(slot.teamId), this.ttlMs * 2);
    }
    pipeline.exec().catch((error) => this.log.error('limits', 'renewing socket slots', error));
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
