// The platform's Redis clients. A request must not hang on a dead Redis: commands time out and
// fail fast, so callers see a 500 (and the probe an error hop) instead of a stuck request.
import { Redis } from 'ioredis';

/** A client for request-time commands. */
export function createRedis(url, logger) {
  const redis = new Redis(url, { commandTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (error) => logger.error('redis', { message: error.message }));
  return redis;
}

/** A client for blocking reads (XREADGROUP BLOCK): no command timeout, since blocking is the point. */
export function createBlockingRedis(url, logger) {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', (error) => logger.error('redis', { message: error.message }));
  return redis;
}
