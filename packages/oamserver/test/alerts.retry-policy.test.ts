import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  isRetryableStatus,
  parseRetryAfterMs,
  retryDelayMs,
} from '../src/alerts/retry-policy';

const noJitter = () => 0;

describe('retry policy', () => {
  it('doubles from 1 s and stops growing at 30 s', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelayMs(retry, DEFAULT_RETRY_POLICY, noJitter));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('shortens each delay by up to half at random, never more', () => {
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.999_999)).toBe(2000);
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(3000);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(2, DEFAULT_RETRY_POLICY);
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });

  it('retries 408, 429 and 5xx only', () => {
    expect([408, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 302, 400, 401, 403, 404, 410, 413, 422].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2024, 4, 1, 14, 0, 0);
    expect(parseRetryAfterMs('7', now)).toBe(7000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Wed, 01 May 2024 14:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfterMs('Wed, 01 May 2024 13:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it('waits as long as Retry-After asks when longer than the backoff, up to the 30 s cap', () => {
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, 7000, noJitter)).toBe(7000);
    expect(retryDelayMs(4, DEFAULT_RETRY_POLICY, 2000, noJitter)).toBe(8000);
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, 3_600_000, noJitter)).toBe(30_000);
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, undefined, noJitter)).toBe(1000);
  });
});
