import { Redis } from 'ioredis';
import { REDIS_URL } from './redis';

/**
 * Integration suites need a real Redis. When none answers, fail with a clear message: a skipped
 * suite would hide that nothing was tested. (`.ci/run` starts one when none is running.)
 */
export default async function setup(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `integration tests need Redis at ${REDIS_URL} (set REDIS_URL, or start one: redis-server --daemonize yes)`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}
