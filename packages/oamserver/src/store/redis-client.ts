import { createRedisClient, type RedisClient } from '@hoptrace/core/redis';

/** The Oamserver's Redis client: one node or a cluster. */
export type OamRedis = RedisClient;

/**
 * The Oamserver owns its process, so its client may wait a little for Redis (a short offline
 * queue is fine), but every command still has a deadline: a hung Redis must turn into
 * `unknown` verdicts, not into a hung Oamserver.
 */
export function createOamRedis(url: string | undefined, options: { commandTimeoutMs?: number } = {}): OamRedis {
  const commandTimeout = options.commandTimeoutMs ?? 2000;
  return createRedisClient(url, {
    connection: {
      commandTimeout,
      connectTimeout: 5000,
      maxRetriesPerRequest: 2,
      connectionName: 'hoptrace-oamserver',
    },
    single: {
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
    },
    // A cluster client keeps commands in its offline queue while it reconnects, untimed by
    // ioredis: the deadline runs from the moment a command is sent.
    cluster: { commandDeadlineMs: commandTimeout },
  });
}
