import { join } from 'node:path';
import { defineLuaCommand } from '@hoptrace/core/redis';
import type { HopRedisClient } from './redis-client';

/** Name under which the write-hops script is registered on a client with `defineCommand`. */
const COMMAND_NAME = 'hoptraceWriteHops';

// The script ships next to dist/ in lua/, so this path holds in the repo and when installed.
const SCRIPT_PATH = join(__dirname, '..', 'lua', 'write-hops.lua');

/** What one call of the script reports. */
export interface WriteHopsResult {
  written: number;
  duplicates: number;
  capped: number;
}

type WriteHopsCommand = (key: string, ...args: (string | number)[]) => Promise<[number, number, number]>;

/**
 * Registers the write-hops script on the client (once) and returns a function that runs it:
 * one atomic call per run, so a batch never crosses Redis Cluster slots in one command.
 */
export function defineWriteHops(
  client: HopRedisClient,
): (key: string, ttlMs: number, maxHops: number, pairs: string[]) => Promise<WriteHopsResult> {
  const run = defineLuaCommand<WriteHopsCommand>(client, COMMAND_NAME, SCRIPT_PATH);
  return async (key, ttlMs, maxHops, pairs) => {
    const [written, duplicates, capped] = await run(key, ttlMs, maxHops, ...pairs);
    return { written, duplicates, capped };
  };
}
