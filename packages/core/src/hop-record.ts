import { z } from 'zod';
import { MAX_HOP_EXITS } from './attributes';
import { HoptraceError } from './errors';
import { PROBE_NAME_PATTERN, RUN_ID_PATTERN, TRACE_ID_PATTERN } from './probe-token';

/** Longest error message kept in a hop record; longer ones are cut (with an ellipsis). */
export const MAX_ERROR_MESSAGE_LENGTH = 512;
/** Longest free-text field (service, instance, operation, error type) kept in a hop record. */
export const MAX_LABEL_LENGTH = 256;

/** An error code as exits carry it (`ECONNREFUSED`, `UND_ERR_SOCKET`). */
export const UNREACHED_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,39}$/;

const label = z.string().min(1).max(MAX_LABEL_LENGTH);
const micros = z.number().int().nonnegative();

/**
 * The hop record schema, version 1: what the exporter writes to Redis for one hop (one
 * service's local root span for a run) and what the Oamserver reads back.
 */
export const hopRecordSchema = z.object({
  /** Schema version. */
  v: z.literal(1),
  runId: z.string().regex(RUN_ID_PATTERN),
  probe: z.string().regex(PROBE_NAME_PATTERN),
  traceId: z.string().regex(TRACE_ID_PATTERN),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  /** Span id of the hop's parent (the caller's client or producer span), when it has one. */
  parentSpanId: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  /** `server` for an HTTP hop, `consumer` for a message-queue hop. */
  kind: z.enum(['server', 'consumer']),
  /** `service.name` of the reporting service. */
  service: label,
  /** `service.instance.id`, else `host.name:pid`. */
  instance: label,
  /** `http.route` (with method) or the span name. */
  operation: label,
  /** Start, epoch microseconds, from the host's wall clock. */
  startUs: micros,
  /** Duration in microseconds, from the host's monotonic clock. */
  durationUs: micros,
  status: z.enum(['ok', 'error']),
  errorType: z.string().max(MAX_LABEL_LENGTH).optional(),
  errorMessage: z.string().max(MAX_ERROR_MESSAGE_LENGTH).optional(),
  httpStatus: z.number().int().min(100).max(999).optional(),
  /** For a consumer hop: how long the message waited in the queue, when known. */
  queueWaitUs: micros.optional(),
  /**
   * Outgoing calls and messages of this hop: the CLIENT/PRODUCER span ids (a later hop's
   * `parentSpanId` is one of them) and when each started, microseconds after this hop started.
   */
  exits: z
    .array(
      z.object({
        spanId: z.string().regex(/^[0-9a-f]{16}$/),
        atUs: micros,
        /** Where the call went (`host:port`), when the instrumentation knows it. */
        peer: z.string().max(MAX_LABEL_LENGTH).optional(),
        /**
         * Set when the call reached no process (refused, reset before an answer, unknown host,
         * connect timeout): its error code. See `UNREACHED_ERROR_CODES`.
         */
        unreached: z.string().regex(UNREACHED_CODE_PATTERN).optional(),
      }),
    )
    .max(MAX_HOP_EXITS)
    .optional(),
  /** Set when the hop arrived under another trace than the run's (context was lost on the way). */
  originTraceId: z.string().regex(TRACE_ID_PATTERN).optional(),
});

/** One hop record. */
export type HopRecord = z.infer<typeof hopRecordSchema>;

/** Serializes a hop record for Redis (checked against the schema first). */
export function encodeHopRecord(hop: HopRecord): string {
  const parsed = hopRecordSchema.safeParse(hop);
  if (!parsed.success) {
    throw new HoptraceError(
      'HOPTRACE_HOP_INVALID',
      `hop record is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return JSON.stringify(parsed.data);
}

/** Parses a hop record read from Redis; returns undefined for anything that is not one. */
export function decodeHopRecord(raw: string): HopRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = hopRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Cuts a string to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
