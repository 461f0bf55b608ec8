import { describe, expect, it } from 'vitest';
import { StorageHealth } from '../src/store/storage-health';

function health(memoryMs?: number) {
  let now = 1000;
  const h = new StorageHealth(() => now, memoryMs);
  return {
    h,
    at: (ms: number) => {
      now = ms;
    },
  };
}

describe('StorageHealth.unavailableBetween', () => {
  it('is false when storage never failed', () => {
    const { h } = health();
    expect(h.failing).toBe(false);
    expect(h.unavailableBetween(0, 10_000)).toBe(false);
  });

  it('remembers an outage after storage is back, and only for runs that overlap it', () => {
    const { h, at } = health();
    at(1000);
    h.failure(new Error('connect ECONNREFUSED'));
    at(2000);
    h.failure(new Error('connect ECONNREFUSED'));
    at(3000);
    h.success();
    expect(h.failing).toBe(false);
    expect(h.lastError).toBe('connect ECONNREFUSED');
    expect(h.unavailableBetween(0, 999)).toBe(false);
    expect(h.unavailableBetween(0, 1000)).toBe(true);
    expect(h.unavailableBetween(2500, 2600)).toBe(true);
    expect(h.unavailableBetween(500, 5000)).toBe(true);
    expect(h.unavailableBetween(3000, 4000)).toBe(true);
    expect(h.unavailableBetween(3001, 4000)).toBe(false);
  });

  it('while storage is failing, every run overlaps the outage', () => {
    const { h, at } = health();
    at(5000);
    h.failure('timeout');
    expect(h.failing).toBe(true);
    expect(h.lastError).toBe('timeout');
    expect(h.unavailableBetween(0, 10)).toBe(true);
  });

  it('keeps separate outages apart', () => {
    const { h, at } = health();
    at(1000);
    h.failure(new Error('a'));
    at(1100);
    h.success();
    at(5000);
    h.failure(new Error('b'));
    at(5100);
    h.success();
    expect(h.unavailableBetween(2000, 4000)).toBe(false);
    expect(h.unavailableBetween(4000, 5050)).toBe(true);
  });

  it('forgets outages older than its memory', () => {
    const { h, at } = health(60_000);
    at(1000);
    h.failure(new Error('a'));
    at(1100);
    h.success();
    at(100_000);
    h.failure(new Error('b'));
    at(100_100);
    h.success();
    expect(h.unavailableBetween(0, 2000)).toBe(false);
    expect(h.unavailableBetween(99_000, 100_050)).toBe(true);
  });
});
