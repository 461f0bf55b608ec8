import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from './sdk-contract';
import {
  ATTR_HOP_ERROR_MESSAGE,
  ATTR_HOP_ERROR_TYPE,
  ATTR_HOP_EXITS,
  ATTR_ORIGIN_TRACE_ID,
  ATTR_PROBE_NAME,
  ATTR_QUEUE_WAIT_US,
  ATTR_RUN_ID,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_LABEL_LENGTH,
  hopRecordSchema,
  parseHopExit,
  truncate,
  type HopRecord,
} from '@hoptrace/core';

/**
 * A hop is one service's local root span for a probe run: a SERVER or CONSUMER span that
 * carries the run id (stamped by the probe sampler after verifying the token) and whose parent,
 * if any, came from another process. Everything else (child spans, ordinary traffic) is not a hop.
 */
export function isProbeHop(span: ReadableSpan): boolean {
  if (span.kind !== SpanKind.SERVER && span.kind !== SpanKind.CONSUMER) return false;
  if (typeof span.attributes[ATTR_RUN_ID] !== 'string') return false;
  const parent = span.parentSpanContext;
  return parent === undefined || parent.isRemote === true;
}

function hrTimeToMicros(time: HrTime): number {
  return time[0] * 1_000_000 + Math.floor(time[1] / 1_000);
}

function stringAttr(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function numberAttr(attributes: Attributes, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

/** A status code that makes sense, else nothing (a strange value must not cost the whole hop). */
function httpStatusOf(attributes: Attributes): number | undefined {
  const status = numberAttr(attributes, 'http.response.status_code', 'http.status_code');
  return status !== undefined && Number.isInteger(status) && status >= 100 && status <= 999 ? status : undefined;
}

/** A duration in whole, non-negative microseconds, else nothing. */
function wholeMicros(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.max(0, Math.round(value));
}

/** `service.instance.id`, else `host.name:pid`, else `host.name`, else `unknown`. */
function instanceOf(resource: Attributes): string {
  const id = stringAttr(resource, 'service.instance.id');
  if (id) return id;
  const host = stringAttr(resource, 'host.name');
  const pid = stringAttr(resource, 'process.pid');
  if (host && pid) return `${host}:${pid}`;
  return host ?? (pid ? `pid:${pid}` : 'unknown');
}

/** `GET /calls/:number/voicemail` when the route is known, else the span name. */
function operationOf(span: ReadableSpan): string {
  const route = stringAttr(span.attributes, 'http.route');
  if (route) {
    const method = stringAttr(span.attributes, 'http.request.method', 'http.method');
    return method ? `${method} ${route}` : route;
  }
  return span.name;
}

function errorOf(span: ReadableSpan): { errorType?: string; errorMessage?: string } {
  const exception = span.events.find((e) => e.name === 'exception');
  // The hop's own exception first, then one recorded inside the hop (see HopExitTracker), then
  // the instrumentation's error.type (for HTTP, the status code).
  const type =
    stringAttr(exception?.attributes ?? {}, 'exception.type') ??
    stringAttr(span.attributes, ATTR_HOP_ERROR_TYPE, 'error.type');
  const message =
    span.status.message ||
    stringAttr(exception?.attributes ?? {}, 'exception.message') ||
    stringAttr(span.attributes, ATTR_HOP_ERROR_MESSAGE);
  return {
    errorType: type ? truncate(type, MAX_LABEL_LENGTH) : undefined,
    errorMessage: message ? truncate(message, MAX_ERROR_MESSAGE_LENGTH) : undefined,
  };
}

/** Reads `hoptrace.hop.exits` back into objects (see `parseHopExit`); ignores malformed entries. */
function exitsOf(attributes: Attributes): HopRecord['exits'] {
  const raw = attributes[ATTR_HOP_EXITS];
  if (!Array.isArray(raw)) return undefined;
  const exits = raw.map(parseHopExit).filter((exit) => exit !== undefined);
  return exits.length > 0 ? exits : undefined;
}

/**
 * Turns a probe hop span into its hop record. Pure. Returns undefined when the span is not a
 * hop or when what it holds does not make a valid record (never throws).
 */
export function spanToHopRecord(span: ReadableSpan): HopRecord | undefined {
  if (!isProbeHop(span)) return undefined;
  const attributes = span.attributes;
  const isError = span.status.code === SpanStatusCode.ERROR;
  const context = span.spanContext();
  const candidate: HopRecord = {
    v: 1,
    runId: attributes[ATTR_RUN_ID] as string,
    probe: stringAttr(attributes, ATTR_PROBE_NAME) ?? '',
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    kind: span.kind === SpanKind.CONSUMER ? 'consumer' : 'server',
    service: truncate(stringAttr(span.resource.attributes, 'service.name') ?? 'unknown_service', MAX_LABEL_LENGTH),
    instance: truncate(instanceOf(span.resource.attributes), MAX_LABEL_LENGTH),
    operation: truncate(operationOf(span), MAX_LABEL_LENGTH),
    startUs: hrTimeToMicros(span.startTime),
    durationUs: hrTimeToMicros(span.duration),
    status: isError ? 'error' : 'ok',
    ...(isError ? errorOf(span) : {}),
    httpStatus: httpStatusOf(attributes),
    queueWaitUs: wholeMicros(numberAttr(attributes, ATTR_QUEUE_WAIT_US)),
    originTraceId: stringAttr(attributes, ATTR_ORIGIN_TRACE_ID),
    exits: exitsOf(attributes),
  };
  // Drop undefined fields so the stored JSON stays small and stable.
  for (const key of Object.keys(candidate) as (keyof HopRecord)[]) {
    if (candidate[key] === undefined) delete candidate[key];
  }
  const parsed = hopRecordSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}
