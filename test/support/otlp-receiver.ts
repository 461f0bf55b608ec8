import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** An attribute value as received; arrays arrive JSON-encoded, as Jaeger shows them. */
export type ReceivedValue = string | number | boolean;

/** One span as an OTLP/JSON receiver sees it, flattened. */
export interface ReceivedSpan {
  service: string;
  /** The resource's attributes other than `service.name` (e.g. `service.instance.id`). */
  resource: Record<string, ReceivedValue>;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  /** Nanoseconds since the epoch, as decimal strings (they do not fit a double). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  /** Instrumentation scope that made the span. */
  scope: string;
  attributes: Record<string, ReceivedValue>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpBody {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        name: string;
        kind: number;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
        status?: { code?: number; message?: string };
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

function valueOf(value: OtlpValue): ReceivedValue | ReceivedValue[] {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map((v) => valueOf(v) as ReceivedValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
}

function flatten(attributes: OtlpAttribute[] = []): Record<string, ReceivedValue> {
  const out: Record<string, ReceivedValue> = {};
  for (const { key, value } of attributes) {
    const v = valueOf(value);
    out[key] = Array.isArray(v) ? JSON.stringify(v) : v;
  }
  return out;
}

/** The spans of one OTLP/JSON ExportTraceServiceRequest body. Throws when the body is not one. */
export function parseOtlpJson(text: string): ReceivedSpan[] {
  const body = JSON.parse(text) as OtlpBody;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.resourceSpans)) {
    throw new Error('not an OTLP/JSON traces request (no resourceSpans)');
  }
  const spans: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans) {
    const { 'service.name': service = '', ...resource } = flatten(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          service: String(service),
          resource,
          name: s.name,
          kind: s.kind,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          startTimeUnixNano: String(s.startTimeUnixNano),
          endTimeUnixNano: String(s.endTimeUnixNano),
          statusCode: s.status?.code ?? 0,
          statusMessage: s.status?.message ?? '',
          scope: ss.scope?.name ?? '',
          attributes: flatten(s.attributes),
        });
      }
    }
  }
  return spans;
}

/** Largest request body accepted: exporters send batches of at most 512 spans, far below it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * Answers one `POST /v1/traces` the way an OTLP/HTTP receiver does: 200 `{}` for OTLP/JSON, whose
 * spans go to `onSpans`; 415 for protobuf (this receiver speaks JSON only, and says so); 400 for a
 * body that is not OTLP/JSON.
 */
export function receiveOtlpTraces(
  req: IncomingMessage,
  res: ServerResponse,
  onSpans: (spans: ReceivedSpan[]) => void,
): void {
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('json')) {
    req.resume();
    answer(res, 415, {
      message: `this receiver accepts OTLP/JSON only (content-type application/json), got "${type}": set OTEL_EXPORTER_OTLP_PROTOCOL=http/json`,
    });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) {
      answer(res, 413, { message: `request body over ${MAX_BODY_BYTES} bytes` });
      return;
    }
    let spans: ReceivedSpan[];
    try {
      spans = parseOtlpJson(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      answer(res, 400, { message: `bad OTLP/JSON: ${(error as Error).message}` });
      return;
    }
    onSpans(spans);
    answer(res, 200, {});
  });
}

/** Listens on 127.0.0.1, port 0, and resolves with the base URL. */
export function listenLocally(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    });
  });
}

/** A real OTLP/HTTP (JSON) trace receiver: what Jaeger's port 4318 does, minus the storage. */
export interface OtlpReceiver {
  /** Value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/traces') {
      receiveOtlpTraces(req, res, (received) => {
        for (const span of received) spans.push(span);
      });
    } else {
      req.resume();
      res.writeHead(404).end();
    }
  });
  const endpoint = await listenLocally(server);
  return { endpoint, spans, close: () => new Promise((r) => server.close(() => r())) };
}
