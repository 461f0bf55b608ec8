import type { Redis } from 'ioredis';
import { decodeHopRecord, type HopRecord } from '@hoptrace/core';
import { waitFor } from './wait';

/** The hop records of one run, as stored (undecodable entries fail the test). */
export async function readHops(redis: Redis, prefix: string, runId: string): Promise<HopRecord[]> {
  const raw = await redis.hgetall(`${prefix}run:{${runId}}:hops`);
  return Object.values(raw).map((value) => {
    const hop = decodeHopRecord(value);
    if (!hop) throw new Error(`stored hop record does not match the schema: ${value}`);
    return hop;
  });
}

/** Waits until the run has at least `count` hop records, and returns them. */
export function waitForHops(
  redis: Redis,
  prefix: string,
  runId: string,
  count: number,
  timeoutMs = 10_000,
): Promise<HopRecord[]> {
  return waitFor(
    async () => {
      const hops = await readHops(redis, prefix, runId);
      return hops.length >= count ? hops : undefined;
    },
    { timeoutMs, what: `${count} hop record(s) of run ${runId}` },
  );
}
