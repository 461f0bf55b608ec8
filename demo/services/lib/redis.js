// The platform's Redis clients. A request must not hang on a dead Redis: commands time out and
// fail fast, so callers see a 500 (and the probe an error hop) instead of a stuck request.
// REDIS_URL is one node, or a Redis Cluster seed list as hoptrace reads it (several URLs separated
// by commas, or redis-cluster://host:port,host:port): every command and MULTI of the platform
// touches one key, so any slot layout works.
import { createRedisClient } from '@hoptrace/core/redis';

/** A client for request-time commands. */
export function createRedis(url, logger) {
  const redis = createRedisClient(url, {
    connection: { commandTimeout: 2000, maxRetriesPerRequest: 1 },
    // For a cluster the offline queue is the cluster's: node connections keep ioredis' own, since
    // they open lazily (a replica promoted in a failover is a node not talked to yet).
    single: { enableOfflineQueue: false },
    cluster: { enableOfflineQueue: false },
  });
  redis.on('error', (error) => logger.error('redis', { message: error.message }));
  return redis;
}

/** A client for blocking reads (XREADGROUP BLOCK): no command timeout, since blocking is the point. */
export function createBlockingRedis(url, logger) {
  const redis = createRedisClient(url, { connection: { maxRetriesPerRequest: null } });
  redis.on('error', (error) => logger.error('redis', { message: error.message }));
  return redis;
}
