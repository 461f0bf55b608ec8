import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseRedisTarget } from '@hoptrace/core';

/** The Oamserver's Redis client: one node or a cluster. */
export type OamRedis = Redis | Cluster;

/**
 * The Oamserver owns its process, so its client may wait a little for Redis (a short offline
 * queue is fine), but every command still has a deadline: a hung Redis must turn into
 * `unknown` verdicts, not into a hung Oamserver.
 */
export function createOamRedis(url: string | undefined, options: { commandTimeoutMs?: number } = {}): OamRedis {
  const common: RedisOptions = {
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: 5000,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
    connectionName: 'hoptrace-oamserver',
  };
  const target = parseRedisTarget(url);
  if (target.kind === 'single') return new Redis(target.url, common);
  return new Cluster(target.nodes, {
    enableAutoPipelining: true,
    redisOptions: { ...common, username: target.username, password: target.password, tls: target.tls ? {} : undefined },
  });
}
