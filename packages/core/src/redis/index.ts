// `@hoptrace/core/redis`: how hoptrace's packages connect to Redis and register their Lua
// scripts. A subpath of its own because it imports ioredis: core's main entry (which the
// dashboard and the services load) stays free of it.
export { createRedisClient } from './create-redis-client';
export type {
  RedisClient,
  RedisConnectionOptions,
  SingleNodeOptions,
  ClusterClientOptions,
  CreateRedisClientOptions,
} from './create-redis-client';
export { defineRedisCommand, defineLuaCommand } from './define-lua-command';
