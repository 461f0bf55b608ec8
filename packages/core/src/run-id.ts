import { randomBytes } from 'node:crypto';

/**
 * A new run id: time-ordered (base-36 epoch milliseconds, padded) then 12 random hex digits,
 * e.g. `0mfq3k2a1-3f9c0a7e12bd`. Sorts by creation time; fits RUN_ID_PATTERN.
 */
export function newRunId(nowMs: number = Date.now()): string {
  return `${nowMs.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}
