// The Redis the bench uses: REDIS_URL if set, else 127.0.0.1:6379, else a private redis-server on a
// free port (stopped at the end). Also: seeding the app's price list, counting and deleting keys.
import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.mjs';

async function answers(url) {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Returns { url, started, stop() }; throws with install advice when no Redis can be had. */
export async function findOrStartRedis() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(url)) return { url, started: false, stop: () => undefined };
  if (process.env.REDIS_URL) throw new Error(`REDIS_URL=${url} does not answer`);
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'no Redis answers on 127.0.0.1:6379 and redis-server is not installed.\n' +
        '  Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)\n' +
        '  or point REDIS_URL at a Redis you have: REDIS_URL=redis://host:6379 pnpm bench',
    );
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(privateUrl)); i++) await new Promise((r) => setTimeout(r, 100));
  return { url: privateUrl, started: true, stop: () => child.kill() };
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
