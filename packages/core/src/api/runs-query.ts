import { z } from 'zod';
import { PROBE_NAME_PATTERN, RUN_ID_PATTERN } from '../patterns';
import { runSummarySchema, runViewSchema, VERDICTS, type Verdict } from './run-schemas';

/** Most runs one page holds. */
export const MAX_RUNS_PAGE = 1000;
/** Runs per page when `limit` is not given. */
export const DEFAULT_RUNS_PAGE = 50;

/** Where a page of runs ends: the next page starts after this run. */
export interface RunsCursor {
  firedAtMs: number;
  runId: string;
}

const CURSOR_PATTERN = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/;

/** `<firedAtMs>.<runId>`: readable, and a run id has no dot. */
export function encodeRunsCursor(cursor: RunsCursor): string {
  return `${cursor.firedAtMs}.${cursor.runId}`;
}

/** The cursor, or undefined when the text is not one. */
export function decodeRunsCursor(text: string): RunsCursor | undefined {
  const match = CURSOR_PATTERN.exec(text);
  if (!match || !RUN_ID_PATTERN.test(match[2]!)) return undefined;
  return { firedAtMs: Number(match[1]), runId: match[2]! };
}

/**
 * ISO 8601 as the API takes it: a date (`2026-12-04`, midnight UTC), or a date and time with its
 * zone (`2026-12-04T15:02:00Z`, `...+01:00`). A time without a zone would depend on the server's.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A time given as epoch milliseconds or as an ISO 8601 date or time with its zone. */
const timeSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : ISO_TIME.test(text) ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be epoch milliseconds or an ISO 8601 time with its zone (2026-12-04T15:02:00Z)',
      });
      return z.NEVER;
    }
    return ms;
  });

const nameSchema = z.string().trim().min(1, 'must not be empty').max(256, 'is longer than 256 characters');

/** The filters and paging of GET /api/runs, as the query string gives them. */
export const runsQuerySchema = z
  .object({
    probe: z.string().regex(PROBE_NAME_PATTERN, 'is not a probe name').optional(),
    /** One verdict, or several separated by commas. */
    verdict: z
      .string()
      .transform((text, ctx) => {
        const list = text.split(',').map((v) => v.trim());
        const bad = list.filter((v) => !(VERDICTS as readonly string[]).includes(v));
        if (bad.length > 0 || list.length === 0) {
          ctx.addIssue({ code: 'custom', message: `must be one or more of ${VERDICTS.join(', ')} (got "${text}")` });
          return z.NEVER;
        }
        return [...new Set(list)] as Verdict[];
      })
      .optional(),
    /** Runs that went through this service, or whose fault is there. */
    service: nameSchema.optional(),
    /** Runs that went through this instance, or whose fault is there. */
    instance: nameSchema.optional(),
    /** Fired at or after. */
    from: timeSchema.optional(),
    /** Fired at or before. */
    to: timeSchema.optional(),
    cursor: z
      .string()
      .transform((text, ctx) => {
        const cursor = decodeRunsCursor(text);
        if (!cursor) {
          ctx.addIssue({ code: 'custom', message: 'is not a cursor this API gave out (use the `next` of a page)' });
          return z.NEVER;
        }
        return cursor;
      })
      .optional(),
    limit: z
      .string()
      .regex(/^\d{1,5}$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_RUNS_PAGE))
      .optional(),
    /** `full` (default): whole run views; `summary`: compact rows for lists. */
    view: z.enum(['full', 'summary']).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'must not be after `to`',
    path: ['from'],
  });
/** GET /api/runs, parsed. */
export type RunsQuery = z.infer<typeof runsQuerySchema>;

const pageFields = {
  /** Cursor of the next page; absent when there is no more. */
  next: z.string().optional(),
  /** Stored runs examined to fill this page (a filter that matches little scans more). */
  scanned: z.number(),
  /**
   * The page stopped early because it examined as many runs as one request may: more matches may
   * lie beyond `next`.
   */
  partial: z.boolean(),
};

export const runsPageSchema = z.object({ runs: z.array(runViewSchema), ...pageFields });
/** GET /api/runs (view=full). */
export type RunsPage = z.infer<typeof runsPageSchema>;

export const runSummariesPageSchema = z.object({ runs: z.array(runSummarySchema), ...pageFields });
/** GET /api/runs?view=summary. */
export type RunSummariesPage = z.infer<typeof runSummariesPageSchema>;
