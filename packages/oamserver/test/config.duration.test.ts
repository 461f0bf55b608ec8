import { describe, expect, it } from 'vitest';
import { duration, formatDuration, parseDuration } from '../src/config/duration';

describe('parseDuration', () => {
  it.each([
    ['800ms', 800],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    [' 10s ', 10_000],
    ['10 s', 10_000],
    ['0ms', 0],
    ['0.0004s', 0],
  ] as const)('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes a number as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it.each(['10 seconds', '10', 'ms', '-1s', '1w', '1.s', '', '10S'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the number %d', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [12.4, '12ms'],
    [1000, '1s'],
    [1234, '1.23s'],
    [12_345, '12.3s'],
    [60_000, '1m'],
    [90_000, '1.5m'],
    [3_600_000, '1h'],
    [5_400_000, '1.5h'],
  ] as const)('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips what it formats (to its precision)', () => {
    for (const ms of [5, 999, 1500, 45_000, 300_000, 7_200_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('the duration schema', () => {
  it('parses to milliseconds and enforces its bounds with a readable message', () => {
    const schema = duration({ minMs: 1000, maxMs: 60_000 });
    expect(schema.parse('10s')).toBe(10_000);
    expect(schema.safeParse('500ms').error?.issues[0]?.message).toBe('500ms is shorter than the minimum 1s');
    expect(schema.safeParse('2m').error?.issues[0]?.message).toBe('2m is longer than the maximum 1m');
    expect(schema.safeParse('soon').error?.issues[0]?.message).toMatch(/"soon" is not a duration/);
  });
});
