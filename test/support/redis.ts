import { randomBytes } from 'node:crypto';
import { PENDING_PARTITIONS } from '@hoptrace/core';
import { Redis } from 'ioredis';

/** The Redis the tests use: REDIS_URL, else the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test uses, so suites can run against one Redis without meeting. */
export function uniquePrefix(label = 'test'): string {
  return `hoptrace-${label}-${randomBytes(4).toString('hex')}:`;
}

/** A plain client for assertions. */
export function testRedis(url = REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** Every key under `prefix` (SCAN, never KEYS). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Deletes every key under `prefix`. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

/** How many runs under `prefix` wait to be classified: every partition of the pending runs, and the set of before partitions. */
export async function pendingCount(redis: Redis, prefix: string): Promise<number> {
  const keys = [
    `${prefix}runs:pending`,
    ...Array.from({ length: PENDING_PARTITIONS }, (_, p) => `${prefix}runs:pending:${p}`),
  ];
  const counts = await Promise.all(keys.map((key) => redis.zcard(key)));
  return counts.reduce((a, b) => a + b, 0);
}
