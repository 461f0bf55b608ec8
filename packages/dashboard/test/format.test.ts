import { describe, expect, it } from 'vitest';
import {
  fixedZone,
  formatAgo,
  formatClock,
  formatDateTime,
  formatDelta,
  formatDuration,
  formatIsoWithOffset,
  formatRatio,
  formatWhen,
  fromLocalInputValue,
  timeTooltip,
  toLocalInputValue,
  utcZone,
} from '../src/lib/format';

const T = Date.parse('2026-11-25T14:02:11.123Z');
const cet = fixedZone(60);

describe('durations', () => {
  it('reads like 38ms and 1.2s', () => {
    expect(formatDuration(38)).toBe('38ms');
    expect(formatDuration(37.6)).toBe('38ms');
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(0.3)).toBe('<1ms');
    expect(formatDuration(999)).toBe('999ms');
    expect(formatDuration(1000)).toBe('1.0s');
    expect(formatDuration(1234)).toBe('1.2s');
    expect(formatDuration(42_400)).toBe('42s');
    expect(formatDuration(252_000)).toBe('4m 12s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(7_500_000)).toBe('2h 5m');
    expect(formatDuration(undefined)).toBe('—');
  });

  it('signs deltas', () => {
    expect(formatDelta(312)).toBe('+312ms');
    expect(formatDelta(-1200)).toBe('-1.2s');
    expect(formatDelta(0.2)).toBe('±0ms');
    expect(formatDelta(undefined)).toBe('—');
  });
});

describe('times', () => {
  it('prints wall-clock time in the given zone', () => {
    expect(formatClock(T, utcZone)).toBe('14:02:11');
    expect(formatClock(T, cet)).toBe('15:02:11');
    expect(formatClock('2026-11-25T14:02:11.123Z', cet)).toBe('15:02:11');
    expect(formatDateTime(T, fixedZone(-300))).toBe('2026-11-25 09:02:11');
    // Across midnight the date changes with the zone.
    expect(formatDateTime(Date.parse('2026-11-25T23:30:00Z'), cet)).toBe('2026-11-26 00:30:00');
  });

  it('drops the date for today only', () => {
    expect(formatWhen(T, T + 3_600_000, cet)).toBe('15:02:11');
    expect(formatWhen(T, T + 86_400_000, cet)).toBe('2026-11-25 15:02:11');
  });

  it('gives an explicit offset on hover', () => {
    expect(formatIsoWithOffset(T, cet)).toBe('2026-11-25T15:02:11.123+01:00');
    expect(formatIsoWithOffset(T, fixedZone(-330))).toBe('2026-11-25T08:32:11.123-05:30');
    expect(formatIsoWithOffset(T, utcZone)).toBe('2026-11-25T14:02:11.123Z');
    expect(timeTooltip(T, cet)).toBe('2026-11-25T15:02:11.123+01:00 (2026-11-25T14:02:11.123Z)');
    expect(timeTooltip(T, utcZone)).toBe('2026-11-25T14:02:11.123Z');
  });

  it('says how long ago', () => {
    expect(formatAgo(T, T + 2_000)).toBe('just now');
    expect(formatAgo(T, T + 42_000)).toBe('42 s ago');
    expect(formatAgo(T, T + 3 * 60_000 + 5_000)).toBe('3 min ago');
    expect(formatAgo(T, T + 2 * 3_600_000)).toBe('2 h ago');
    expect(formatAgo(T, T + 86_400_000)).toBe('1 day ago');
    expect(formatAgo(T, T + 3 * 86_400_000)).toBe('3 days ago');
    expect(formatAgo(T + 30_000, T)).toBe('in 30 s');
  });

  it('round-trips datetime-local inputs in the zone', () => {
    expect(toLocalInputValue(T, cet)).toBe('2026-11-25T15:02:11');
    expect(fromLocalInputValue('2026-11-25T15:02:11', cet)).toBe('2026-11-25T14:02:11.000Z');
    expect(fromLocalInputValue('2026-11-25T15:02', cet)).toBe('2026-11-25T14:02:00.000Z');
    expect(fromLocalInputValue('yesterday', cet)).toBeUndefined();
  });
});

describe('availability', () => {
  it('never rounds a failure up to 100%', () => {
    expect(formatRatio(1)).toBe('100%');
    expect(formatRatio(0.9996)).toBe('99.9%');
    expect(formatRatio(0.5)).toBe('50%');
    expect(formatRatio(0.05)).toBe('5%');
    expect(formatRatio(0)).toBe('0%');
    expect(formatRatio(undefined)).toBe('—');
  });
});
