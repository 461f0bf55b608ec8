import type { ZodType } from 'zod';

/** At most one warning a minute per kind of record: a corrupt key read every pass must not flood the log. */
const WARN_EVERY_MS = 60_000;

/**
 * Reads JSON values back from Redis through their schema (zod at every edge: never cast). A value
 * that is not JSON, or not of its schema (written by another version, another tool or by hand), is
 * corrupt: it reads as absent, and is counted and reported through `warn`, once a minute per kind
 * of record at most, naming the field at fault but never the value.
 */
export class StoredJson {
  private readonly _corrupt = new Map<string, { count: number; warnedAtMs: number }>();

  constructor(
    private readonly _warn?: (message: string) => void,
    private readonly _now: () => number = Date.now,
  ) {}

  /** The value stored as JSON in `raw`, checked; undefined when absent (null, undefined, empty) or corrupt. */
  parse<T>(schema: ZodType<T>, raw: string | null | undefined, what: string): T | undefined {
    if (raw === null || raw === undefined || raw === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.corrupt(what, 'not JSON');
      return undefined;
    }
    return this.check(schema, value, what);
  }

  /** A value already decoded (an element of a list read back), checked; undefined when corrupt. */
  check<T>(schema: ZodType<T>, value: unknown, what: string): T | undefined {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    this.corrupt(what, issue ? `${issue.path.join('.') || 'the value'}: ${issue.message}` : 'invalid');
    return undefined;
  }

  /** Counts one corrupt record of a kind (`what`), and warns about it unless it did so lately. */
  corrupt(what: string, why: string): void {
    const seen = this._corrupt.get(what) ?? { count: 0, warnedAtMs: -Infinity };
    seen.count++;
    this._corrupt.set(what, seen);
    const now = this._now();
    if (now - seen.warnedAtMs < WARN_EVERY_MS) return;
    seen.warnedAtMs = now;
    this._warn?.(`corrupt ${what} in storage (${why}): ignored, as if absent; ${seen.count} so far`);
  }

  /** Corrupt records read so far, by kind. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this._corrupt].map(([what, seen]) => [what, seen.count]));
  }
}
