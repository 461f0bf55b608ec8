/** How a webhook delivery is retried. */
export interface RetryPolicy {
  /** Requests per event, the first included. Default 5. */
  maxAttempts: number;
  /** Delay before the first retry; each next one doubles. Default 1 s. */
  baseDelayMs: number;
  /** No delay is longer than this, Retry-After included. Default 30 s. */
  maxDelayMs: number;
}

/** The defaults: 5 attempts, 1 s doubling to 30 s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
});

/**
 * Whether an HTTP status is worth trying again: 408 (timeout), 429 (rate limited) and 5xx may pass;
 * any other 4xx (and a 3xx: redirects are not followed) will answer the same to the same request.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Delay before retry number `retry` (1 for the first retry): `baseDelayMs × 2^(retry−1)`, capped at
 * `maxDelayMs`, then shortened by up to half at random so that Oamservers and events that failed
 * together do not all come back at the same instant. `random` returns [0, 1).
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(nominal * (1 - 0.5 * random()));
}

/** Reads a Retry-After header (seconds, or an HTTP date) as milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const dateMs = Date.parse(value);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

/**
 * The wait before retry number `retry`: the backoff delay, or longer when the receiver asked for
 * it with Retry-After, but never past `maxDelayMs`: one slow receiver must not hold its queue for
 * hours.
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelayMs(retry, policy, random);
  return retryAfterMs === undefined ? backoff : Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs));
}
