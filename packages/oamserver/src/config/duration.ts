import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** Reads `800ms`, `10s`, `1.5s`, `5m`, `1h`, `7d` (or a number of milliseconds) as milliseconds; undefined when unreadable. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION_PATTERN.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

/** Formats milliseconds for people: `850ms`, `1.2s`, `3m`, `2h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))}s`;
  if (ms < 3_600_000) return `${Number((ms / 60_000).toFixed(1))}m`;
  return `${Number((ms / 3_600_000).toFixed(1))}h`;
}

/** A zod schema for a duration written as `10s`, `800ms`, `5m`, `1h`; parses to milliseconds. */
export function duration(options: { minMs?: number; maxMs?: number } = {}) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (write e.g. 800ms, 10s, 5m, 1h, 7d)` });
      return z.NEVER;
    }
    if (options.minMs !== undefined && ms < options.minMs) {
      ctx.addIssue({
        code: 'custom',
        message: `${value} is shorter than the minimum ${formatDuration(options.minMs)}`,
      });
      return z.NEVER;
    }
    if (options.maxMs !== undefined && ms > options.maxMs) {
      ctx.addIssue({ code: 'custom', message: `${value} is longer than the maximum ${formatDuration(options.maxMs)}` });
      return z.NEVER;
    }
    return ms;
  });
}
