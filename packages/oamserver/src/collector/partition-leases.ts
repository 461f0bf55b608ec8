import { PENDING_PARTITIONS, stableHash, type RedisKeys } from '@hoptrace/core';
import { defineRedisCommand } from '@hoptrace/core/redis';
import type { OamRedis } from '../store/redis-client';

// Takes a free (or expired) lease: a new fencing token, and the lease `<owner> <token>` with a TTL.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. token, 'PX', ARGV[2])
return token`;
// Extends a lease that is still ours (same owner and token); 0 when it is gone or someone else's.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
// Gives a lease back, if it is still ours.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type LeaseScript = (lease: string, epoch: string, ...args: (string | number)[]) => Promise<number>;

/** Options of PartitionLeases. */
export interface PartitionLeaseOptions {
  /** This Oamserver's id (unique per process). */
  owner: string;
  /** How long a lease lasts without renewal: a dead or paused Oamserver's share is taken over after it. Default 5 s. */
  leaseMs?: number;
  partitions?: number;
  now?: () => number;
}

interface Held {
  token: number;
  /** Until when this process may act on the lease, by its own clock (renewed at, plus the lease, minus a margin). */
  validUntilMs: number;
}

/**
 * Which partitions of the pending runs this Oamserver classifies. Each partition has a lease in
 * Redis (`<owner> <fencing token>`, with a TTL); live Oamservers heartbeat into a membership set,
 * and each holds about its share (partitions / live Oamservers): it takes free partitions while
 * under its share, and gives back what is over it, so that a newcomer gets its part. A dead or
 * paused Oamserver stops renewing: its leases expire after `leaseMs`, and the others take them
 * at their next renewal (every `leaseMs / 3`). A paused one that wakes up acts on none of its old
 * partitions: each lease is valid locally only until its renewal time plus the lease, minus a
 * margin, by this process's own clock, and is renewed only if still its own (same token).
 */
export class PartitionLeases {
  readonly leaseMs: number;
  private readonly _owner: string;
  private readonly _partitions: number;
  private readonly _now: () => number;
  private readonly _held = new Map<number, Held>();
  private readonly _acquire: LeaseScript;
  private readonly _renew: LeaseScript;
  private readonly _release: LeaseScript;

  constructor(
    private readonly _redis: OamRedis,
    private readonly _keys: RedisKeys,
    options: PartitionLeaseOptions,
  ) {
    this._owner = options.owner;
    this.leaseMs = options.leaseMs ?? 5000;
    this._partitions = options.partitions ?? PENDING_PARTITIONS;
    this._now = options.now ?? Date.now;
    this._acquire = defineRedisCommand<LeaseScript>(this._redis, 'hoptraceAcquireLease', ACQUIRE, 2);
    this._renew = defineRedisCommand<LeaseScript>(this._redis, 'hoptraceRenewLease', RENEW, 2);
    this._release = defineRedisCommand<LeaseScript>(this._redis, 'hoptraceReleaseLease', RELEASE, 2);
  }

  /** How often `renew` should run. */
  get renewEveryMs(): number {
    return Math.max(50, Math.floor(this.leaseMs / 3));
  }

  /** The partitions whose lease this process holds and may still act on, by its own clock. */
  owned(): number[] {
    const now = this._now();
    return [...this._held.entries()].filter(([, held]) => held.validUntilMs > now).map(([p]) => p);
  }

  /** Whether this process may act on a partition now. */
  holds(partition: number): boolean {
    const held = this._held.get(partition);
    return held !== undefined && held.validUntilMs > this._now();
  }

  /** The fencing token of a held partition (grows with every new lease of it). */
  token(partition: number): number | undefined {
    return this._held.get(partition)?.token;
  }

  /**
   * One round: heartbeat, renew what is still ours, take free partitions while under the share,
   * give back what is over it. Rejects when Redis fails (the leases then lapse by themselves).
   */
  async renew(): Promise<void> {
    const now = this._now();
    const members = this._keys.oamservers();
    // A member that has not renewed for a whole lease is dead or paused: its leases lapse too.
    await this._redis.zadd(members, now, this._owner);
    await this._redis.zremrangebyscore(members, '-inf', `(${now - this.leaseMs}`);
    const live = Math.max(1, await this._redis.zcard(members));
    const share = Math.ceil(this._partitions / live);
    const validUntil = (): number => this._now() + this.leaseMs - Math.min(1000, this.leaseMs / 5);

    for (const [partition, held] of [...this._held]) {
      const renewed = await this._renew(
        this._keys.partitionLease(partition),
        this._keys.partitionEpoch(partition),
        `${this._owner} ${held.token}`,
        this.leaseMs,
      );
      if (renewed === 1) held.validUntilMs = validUntil();
      else this._held.delete(partition);
    }
    // Start the search at a place of our own, so that Oamservers do not all race for partition 0.
    const start = stableHash(this._owner) % this._partitions;
    for (let i = 0; i < this._partitions && this._held.size < share; i++) {
      const partition = (start + i) % this._partitions;
      if (this._held.has(partition)) continue;
      const token = await this._acquire(
        this._keys.partitionLease(partition),
        this._keys.partitionEpoch(partition),
        this._owner,
        this.leaseMs,
      );
      if (token > 0) this._held.set(partition, { token, validUntilMs: validUntil() });
    }
    for (const partition of [...this._held.keys()].slice(share)) await this.release(partition);
  }

  /** Gives one partition back (when over the share, or when stopping). */
  async release(partition: number): Promise<void> {
    const held = this._held.get(partition);
    if (!held) return;
    this._held.delete(partition);
    await this._release(
      this._keys.partitionLease(partition),
      this._keys.partitionEpoch(partition),
      `${this._owner} ${held.token}`,
    );
  }

  /**
   * Gives every partition back and leaves the membership: the others take over at once. All at
   * the same time: with Redis down, stopping waits for one command timeout, not one per partition
   * (the leases then lapse by themselves).
   */
  async releaseAll(): Promise<void> {
    await Promise.all([
      ...[...this._held.keys()].map((partition) => this.release(partition).catch(() => undefined)),
      this._redis.zrem(this._keys.oamservers(), this._owner).catch(() => undefined),
    ]);
  }
}
