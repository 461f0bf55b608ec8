// The Redis the bench uses: REDIS_URL if set, else 127.0.0.1:6379, else a private redis-server on a
// free port (stopped at the end). Also: seeding the app's price list, counting and deleting keys.
import { findOrStartRedis as findForDemo } from '@hoptrace/demo/redis';

/** Returns { url, started, stop() }: the demo's rule (REDIS_URL, else 6379, else a private redis-server). */
export async function findOrStartRedis() {
  const found = await findForDemo(process.env);
  return { url: found.url, started: found.origin.startsWith('a private'), stop: found.stop };
}

/** Keys matching `pattern`, found with SCAN (never KEYS). */
export async function scanKeys(redis, pattern) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Hop records stored under `keyPrefix`: the sum of HLEN over its run hashes. */
export async function countHopRecords(redis, keyPrefix) {
  const keys = await scanKeys(redis, `${keyPrefix}run:*:hops`);
  if (keys.length === 0) return { runs: 0, records: 0 };
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hlen(key);
  const replies = await pipeline.exec();
  return { runs: keys.length, records: replies.reduce((sum, [error, n]) => sum + (error ? 0 : n), 0) };
}

/** Deletes every key under `prefix` (SCAN + UNLINK); returns how many were deleted. */
export async function deleteKeys(redis, prefix) {
  const keys = await scanKeys(redis, `${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  return keys.length;
}
