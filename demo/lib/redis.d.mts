// Types of redis.mjs, for the TypeScript tests that use it.
export class RedisUnavailable extends Error {}
export interface FoundRedis {
  url: string;
  /** Where it came from: `REDIS_URL`, the local one, or a private redis-server. */
  origin: string;
  stop(): Promise<void>;
}
export function findOrStartRedis(env: Record<string, string | undefined>): Promise<FoundRedis>;
