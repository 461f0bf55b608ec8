import { readFileSync } from 'node:fs';
import type { RedisClient } from './create-redis-client';

/** A registered script, called as `(keys..., args...)`. */
type ScriptCall = (...args: never[]) => Promise<unknown>;

/**
 * Registers a Lua script on the client under `name` with `defineCommand` (once per client: a
 * client shared by several stores keeps the first registration) and returns a function that runs
 * it. ioredis sends `EVAL` the first time on a connection, `EVALSHA` after that, and `EVAL` again
 * on `NOSCRIPT`.
 */
export function defineRedisCommand<T extends ScriptCall>(
  redis: RedisClient,
  name: string,
  lua: string,
  numberOfKeys = 1,
): T {
  const commands = redis as unknown as Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  return ((...args: unknown[]) => commands[name]!.apply(redis, args)) as unknown as T;
}

/** Script sources by path: each file ships with its package and does not change while it runs. */
const sources = new Map<string, string>();

/**
 * Like `defineRedisCommand`, for a script in its own file (`luaPath`, absolute; the file stays in
 * the package that owns the script), read once per process.
 */
export function defineLuaCommand<T extends ScriptCall>(
  redis: RedisClient,
  name: string,
  luaPath: string,
  numberOfKeys = 1,
): T {
  let lua = sources.get(luaPath);
  if (lua === undefined) {
    lua = readFileSync(luaPath, 'utf8');
    sources.set(luaPath, lua);
  }
  return defineRedisCommand<T>(redis, name, lua, numberOfKeys);
}
