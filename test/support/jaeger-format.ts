// Jaeger's v1 JSON (what its UI reads from /api/traces/<id>), built from spans received over
// OTLP the way Jaeger's own OTLP translator builds it: references from parents, `span.kind`,
// `otel.status_code` and `error` tags, resource attributes as process tags.
import type { ReceivedSpan, ReceivedValue } from './otlp-receiver';

/** A key-value of Jaeger's model. */
export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: string | number | boolean;
}

/** A span in Jaeger's v1 JSON. Times are microseconds. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: never[];
  processID: string;
  warnings: string[] | null;
}

/** A trace in Jaeger's v1 JSON. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: string[] | null;
}

/** The envelope of every Jaeger v1 API answer. */
export interface JaegerResponse<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: { code: number; msg: string }[] | null;
}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES = ['UNSET', 'OK', 'ERROR'];

function tagOf(key: string, value: ReceivedValue): JaegerTag {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  // The receiver flattens intValue and doubleValue to numbers; whole numbers read back as int64.
  if (typeof value === 'number') return { key, type: Number.isInteger(value) ? 'int64' : 'float64', value };
  return { key, type: 'string', value };
}

function tagsOf(attributes: Record<string, ReceivedValue>): JaegerTag[] {
  return Object.entries(attributes).map(([key, value]) => tagOf(key, value));
}

/** Microseconds from a nanosecond decimal string (BigInt: nanoseconds since the epoch overflow a double's precision). */
export function microsOf(nanos: string): number {
  return Number(BigInt(nanos) / 1000n);
}

/** Duration of a received span in microseconds. */
export function durationMicrosOf(span: ReceivedSpan): number {
  return Number((BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1000n);
}

/** One trace in Jaeger's v1 JSON; spans in start order, one process per distinct resource. */
export function toJaegerTrace(traceId: string, spans: readonly ReceivedSpan[]): JaegerTrace {
  const processes: JaegerTrace['processes'] = {};
  const processIds = new Map<string, string>();
  const ordered = [...spans].sort((a, b) => microsOf(a.startTimeUnixNano) - microsOf(b.startTimeUnixNano));
  const jaegerSpans = ordered.map((span): JaegerSpan => {
    const processKey = JSON.stringify([span.service, span.resource]);
    let processID = processIds.get(processKey);
    if (!processID) {
      processID = `p${processIds.size + 1}`;
      processIds.set(processKey, processID);
      processes[processID] = { serviceName: span.service, tags: tagsOf(span.resource) };
    }
    const tags = tagsOf(span.attributes);
    if (span.scope) tags.push(tagOf('otel.scope.name', span.scope));
    tags.push(tagOf('span.kind', SPAN_KINDS[span.kind] ?? 'unspecified'));
    if (span.statusCode !== 0) tags.push(tagOf('otel.status_code', STATUS_CODES[span.statusCode] ?? 'UNSET'));
    if (span.statusCode === 2) {
      tags.push(tagOf('error', true));
      if (span.statusMessage) tags.push(tagOf('otel.status_description', span.statusMessage));
    }
    return {
      traceID: traceId,
      spanID: span.spanId,
      operationName: span.name,
      references: span.parentSpanId ? [{ refType: 'CHILD_OF', traceID: traceId, spanID: span.parentSpanId }] : [],
      startTime: microsOf(span.startTimeUnixNano),
      duration: durationMicrosOf(span),
      tags,
      logs: [],
      processID,
      warnings: null,
    };
  });
  return { traceID: traceId, spans: jaegerSpans, processes, warnings: null };
}

/** Jaeger's answer for traces found (Jaeger leaves total, limit and offset at 0 in it). */
export function jaegerData<T>(data: T[]): JaegerResponse<T[]> {
  return { data, total: 0, limit: 0, offset: 0, errors: null };
}

/** Jaeger's answer for an error (e.g. 404 "trace not found"). */
export function jaegerError(code: number, msg: string): JaegerResponse<null> {
  return { data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] };
}
