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

/**
 * A connection for one blocking read loop (the verdicts stream's `XREAD BLOCK`): the 2 s command
 * deadline of `createOamRedis` would cut reads that block for `blockMs`, so its deadline is
 * `blockMs` plus 5 s (a hung Redis still turns into a failed read, retried). It connects at its
 * first command, so an Oamserver that never starts opens none.
 */
export function createOamBlockingRedis(url: string | undefined, options: { blockMs: number }): OamRedis {
  const commandTimeout = options.blockMs + 5000;
  return createRedisClient(url, {
    connection: {
      commandTimeout,
      connectTimeout: 5000,
      maxRetriesPerRequest: 1,
      connectionName: 'hoptrace-oamserver-verdicts',
    },
    single: { lazyConnect: true, retryStrategy: (attempt) => Math.min(attempt * 250, 2000) },
    cluster: { lazyConnect: true, commandDeadlineMs: commandTimeout },
  });
}
