import { findOrStartRedis } from '@hoptrace/demo/redis';

/**
 * Integration suites need a real Redis, found the demo's way: REDIS_URL when set (it must
 * answer), else the local default, else a private redis-server started for the run. When none of
 * these works the run fails with a clear message: a skipped suite would hide that nothing was tested.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const redis = await findOrStartRedis(process.env);
  // Workers are started after this and inherit it.
  process.env.REDIS_URL = redis.url;
  if (redis.origin.startsWith('a private')) {
    process.stdout.write(`integration tests: no Redis on 127.0.0.1:6379, started ${redis.origin} at ${redis.url}\n`);
  }
  return () => redis.stop();
}
