import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HopRedisClient } from './redis-client';

/** Name under which the write-hops script is registered on a client with `defineCommand`. */
const COMMAND_NAME = 'hoptraceWriteHops';

let scriptSource: string | undefined;

function source(): string {
  // The script ships next to dist/ in lua/, so this path holds in the repo and when installed.
  scriptSource ??= readFileSync(join(__dirname, '..', 'lua', 'write-hops.lua'), 'utf8');
  return scriptSource;
}

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
  const commands = client as unknown as Record<string, WriteHopsCommand | undefined>;
  if (typeof commands[COMMAND_NAME] !== 'function') {
    client.defineCommand(COMMAND_NAME, { numberOfKeys: 1, lua: source() });
  }
  return async (key, ttlMs, maxHops, pairs) => {
    const run = commands[COMMAND_NAME] as WriteHopsCommand;
    const [written, duplicates, capped] = await run.call(client, key, ttlMs, maxHops, ...pairs);
    return { written, duplicates, capped };
  };
}
