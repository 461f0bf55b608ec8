import { diag } from '@opentelemetry/api';
import { createRedisClient, type RedisClient } from '@hoptrace/core/redis';

/** A Redis client the exporter can write through: one node or a cluster. */
export type HopRedisClient = RedisClient;

/** Settings of the exporter's own client. */
export interface HopRedisClientOptions {
  /** Most time one Redis command may take before it fails. Default 500 ms. */
  commandTimeoutMs?: number;
  /** Most time to open a connection. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Receives connection warnings (rate-limited). Default `diag.warn`. */
  warn?: (message: string) => void;
}

/** Least time between two `diag.warn` lines about the connection. */
const CONNECTION_WARN_INTERVAL_MS = 30_000;

/**
 * Creates a client that fails fast, as a guest inside someone else's service must: no offline
 * queue (a command while disconnected fails at once instead of piling up in memory), a command
 * timeout, one retry, and reconnection in the background forever. Connection errors go to `diag`,
 * rate-limited; they are never thrown.
 */
export function createHopRedisClient(
  redisUrl: string | undefined,
  options: HopRedisClientOptions = {},
): HopRedisClient {
  const client = createRedisClient(redisUrl, {
    connection: {
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      connectionName: 'hoptrace-exporter',
    },
    single: {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      // Reconnect forever, never faster than every 2 s, so an outage costs nothing but a socket.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    },
    cluster: {
      // Fail fast at the cluster level: a command for a node that is down is refused at once
      // (then retried by the cluster client's failover handling, within the command timeout).
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(100 + attempt * 200, 2000),
    },
  });
  let lastWarnAt = 0;
  client.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastWarnAt >= CONNECTION_WARN_INTERVAL_MS) {
      lastWarnAt = now;
      const warn = options.warn ?? ((message: string) => diag.warn(`hoptrace: ${message}`));
      warn(`Redis connection problem (${error.message}); hop records are dropped until it recovers`);
    }
  });
  return client;
}
