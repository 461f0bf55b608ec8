import { z } from 'zod';
import { MAX_LABEL_LENGTH, type HopRecord, type RedisKeys } from '@hoptrace/core';
import type { OamRedis } from '../store/redis-client';
import { MAX_INSTANCES_PER_PEER, PeerDirectory, type PeerEntry, type PeerIdentity } from './peer-directory';

/** Defaults of `SharedPeerDirectory`. */
export const SHARED_PEER_DIRECTORY_DEFAULTS = {
  /** Most addresses kept (config `limits.peerAddresses`); the least recently seen go first. */
  maxAddresses: 10_000,
  /** The directory expires when no run has taught it anything for this long. */
  ttlMs: 7 * 24 * 3_600_000,
} as const;

const label = z.string().min(1).max(MAX_LABEL_LENGTH);
const entrySchema = z.object({
  service: label,
  last: label,
  seen: z.array(label).max(MAX_INSTANCES_PER_PEER),
  shared: z.boolean(),
  streak: z.number().int().min(0),
});
const callersSchema = z
  .record(label, z.number().int().min(0))
  .refine((callers) => Object.keys(callers).length <= MAX_INSTANCES_PER_PEER);

const ADDRESS = 'addr:';
const CALLERS = 'callers:';

function parseJson<T>(schema: z.ZodType<T>, raw: string | null): T | undefined {
  if (raw === null) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The peer directory (which instance answers at which address, who calls whom) shared through
 * Redis by every Oamserver, so that a restarted or a second Oamserver blames the same instance.
 * Before a run is classified, the entries it may need (the addresses its hops called, the callers
 * of its services) are read into a local `PeerDirectory`; what the run teaches is written back.
 * Entries read back are parsed with their schema; a malformed one is ignored. When Redis does not
 * answer, the local copy (what this Oamserver read and learned so far) still serves.
 * Bounded: `maxAddresses` addresses (the least recently seen dropped), the whole directory
 * expiring after `ttlMs` without news.
 */
export class SharedPeerDirectory {
  readonly local: PeerDirectory;
  private readonly _maxAddresses: number;
  private readonly _ttlMs: number;
  private _writes = 0;

  constructor(
    private readonly _redis: OamRedis,
    private readonly _keys: RedisKeys,
    options: { maxAddresses?: number; ttlMs?: number } = {},
  ) {
    this._maxAddresses = options.maxAddresses ?? SHARED_PEER_DIRECTORY_DEFAULTS.maxAddresses;
    this._ttlMs = options.ttlMs ?? SHARED_PEER_DIRECTORY_DEFAULTS.ttlMs;
    this.local = new PeerDirectory(this._maxAddresses);
  }

  /** Reads what Redis knows of the addresses `hops` called and of the callers of `services`. */
  async refresh(hops: readonly HopRecord[], services: readonly string[]): Promise<void> {
    const peers = [...new Set(hops.flatMap((h) => (h.exits ?? []).flatMap((e) => (e.peer ? [e.peer] : []))))];
    const callees = [...new Set(services)];
    if (peers.length === 0 && callees.length === 0) return;
    const fields = [...peers.map((p) => ADDRESS + p), ...callees.map((s) => CALLERS + s)];
    const values = await this._redis.hmget(this._keys.peerDirectory(), ...fields);
    peers.forEach((peer, i) => {
      const entry = parseJson(entrySchema, values[i] ?? null);
      if (entry) this.local.setEntry(peer, entry);
    });
    callees.forEach((service, i) => {
      const callers = parseJson(callersSchema, values[peers.length + i] ?? null);
      if (callers) this.local.setCallers(service, callers);
    });
  }

  /** Learns from one run's hops, here and in Redis. */
  async learn(hops: readonly HopRecord[]): Promise<void> {
    const learned = this.local.learn(hops);
    if (learned.peers.length === 0 && learned.callees.length === 0) return;
    const key = this._keys.peerDirectory();
    const recency = this._keys.peerDirectoryRecency();
    const now = Date.now();
    const values: string[] = [];
    for (const peer of learned.peers) {
      const entry: PeerEntry | undefined = this.local.entry(peer);
      if (entry) values.push(ADDRESS + peer, JSON.stringify(entry));
    }
    for (const service of learned.callees) {
      const callers = this.local.callers(service);
      if (callers) values.push(CALLERS + service, JSON.stringify(callers));
    }
    const multi = this._redis.multi().hset(key, ...values);
    if (learned.peers.length > 0) multi.zadd(recency, ...learned.peers.flatMap((peer) => [String(now), peer]));
    await multi.pexpire(key, this._ttlMs).pexpire(recency, this._ttlMs).exec();
    // Trimming reads the size: every 100 writes is enough to keep the bound within 100 entries.
    if (++this._writes % 100 === 1) await this._trim();
  }

  /** Drops the least recently seen addresses beyond the bound. */
  private async _trim(): Promise<void> {
    const recency = this._keys.peerDirectoryRecency();
    const excess = Number(await this._redis.zcard(recency)) - this._maxAddresses;
    if (excess <= 0) return;
    const oldest = await this._redis.zrange(recency, '0', String(excess - 1));
    if (oldest.length === 0) return;
    await this._redis
      .multi()
      .hdel(this._keys.peerDirectory(), ...oldest.map((peer) => ADDRESS + peer))
      .zrem(recency, ...oldest)
      .exec();
  }

  lookup(peer: string): PeerIdentity | undefined {
    return this.local.lookup(peer);
  }

  usualCaller(service: string): string | undefined {
    return this.local.usualCaller(service);
  }
}
