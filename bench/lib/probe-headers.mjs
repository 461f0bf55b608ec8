// Headers that make a request a probe: a W3C traceparent and `baggage: hoptrace.probe=<token>`,
// the token signed for that trace with signProbeToken, as the Oamserver does.
import { randomBytes } from 'node:crypto';
import { PROBE_BAGGAGE_KEY, parseProbeKeyRing, signProbeToken } from '@hoptrace/core';

/**
 * More distinct (token, trace) pairs than the drop-in's verifier remembers (its LRU holds 256), so
 * that, cycled round-robin, every request pays one full token check (HMAC) on its first span, as a
 * real probe run does; the later spans of the same request hit the cache, as in production.
 * Each pair is one run; 4096 runs also keep each run far below the 64-hops-per-run cap.
 */
export const PROBE_POOL_SIZE = 4096;

/** Pre-signs `size` probe runs; returns { size, next() } where next() gives the headers of the next one. */
export function createProbePool({ secret, size = PROBE_POOL_SIZE, probe = 'bench-quote', ttlMs = 3_600_000 }) {
  const keys = parseProbeKeyRing(secret);
  const expiresAtMs = Date.now() + ttlMs;
  const batch = randomBytes(4).toString('hex');
  const pool = [];
  for (let i = 0; i < size; i++) {
    const traceId = randomBytes(16).toString('hex');
    const runId = `bench-${batch}-${i}`;
    const token = signProbeToken({ probe, runId, expiresAtMs }, traceId, keys);
    pool.push({
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      baggage: `${PROBE_BAGGAGE_KEY}=${token}`,
    });
  }
  let next = 0;
  return { size, next: () => pool[next++ % size] };
}
