import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as api,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_ORIGIN_TRACE_ID,
  ATTR_QUEUE_WAIT_US,
  PROBE_BAGGAGE_KEY,
  PROBE_MESSAGE_FIELD,
  formatProbeMessageField,
  parseProbeMessageField,
} from '@hoptrace/core';
import { VERIFIED_PROBE_KEY, currentProbe } from './current-probe';
import { getInstrumentationState } from './global-state';

const TRACER_NAME = '@hoptrace/instrument';

// Messaging semantic-convention keys (incubating in semconv 1.45, so copied rather than imported).
const MESSAGING_SYSTEM = 'messaging.system';
const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
const MESSAGING_MESSAGE_ID = 'messaging.message.id';
const MESSAGING_CONSUMER_GROUP = 'messaging.consumer.group.name';
const SERVER_ADDRESS = 'server.address';
const SERVER_PORT = 'server.port';

/** A message's fields, as a plain object (Redis Stream fields, queue message headers, ...). */
export type MessageCarrier = Record<string, unknown>;

/** Options of `injectMessageContext`. */
export interface MessageSendOptions {
  /** Queue, topic or stream name, e.g. `vm:deposited`. */
  destination: string;
  /** `messaging.system`. Default `redis`. */
  system?: string;
  /**
   * The broker's host as your connection names it (`server.address`), e.g. `redis` or
   * `10.0.3.7`. When given, it is the destination `HOPTRACE_PROPAGATE_TO` judges: outside the
   * list, the message goes without the probe (no probe member in `baggage`, no `hoptrace-probe`
   * field). Without it the destination is unknown and the probe goes with the message.
   */
  serverAddress?: string;
  /** The broker's port (`server.port`), for `host:port` entries. */
  serverPort?: number;
}

/** Options of `runInMessageContext`. */
export interface MessageProcessOptions extends Omit<MessageSendOptions, 'serverAddress' | 'serverPort'> {
  /** The message's id. A Redis Stream id (`1700000000000-0`) also gives the time it was enqueued. */
  messageId?: string;
  /** When the message was enqueued, epoch ms, if the id does not say. Used for the queue wait. */
  enqueuedAtMs?: number;
  /** Consumer group, when there is one. */
  consumerGroup?: string;
}

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Puts the current trace context (W3C `traceparent`, `tracestate`, `baggage`) into a message's
 * fields, under a PRODUCER span `send <destination>`. For a probe run it also adds the
 * `hoptrace-probe` field (trace id and token), so that a consumer that loses the trace context
 * can still report its hop as context-broken rather than lost. To a broker (`serverAddress`)
 * outside `HOPTRACE_PROPAGATE_TO`, neither carries the probe. Returns the same object.
 * Never throws: on an internal fault the message goes out without context.
 */
export function injectMessageContext<T extends MessageCarrier>(carrier: T, options: MessageSendOptions): T {
  try {
    const parent = api.active();
    const attributes: Attributes = {
      [MESSAGING_SYSTEM]: options.system ?? 'redis',
      [MESSAGING_OPERATION_TYPE]: 'send',
      [MESSAGING_OPERATION_NAME]: 'send',
      [MESSAGING_DESTINATION_NAME]: options.destination,
    };
    if (options.serverAddress) attributes[SERVER_ADDRESS] = options.serverAddress;
    if (options.serverPort) attributes[SERVER_PORT] = options.serverPort;
    const span = tracer().startSpan(`send ${options.destination}`, { kind: SpanKind.PRODUCER, attributes }, parent);
    const sendContext = trace.setSpan(parent, span);
    // The baggage propagator leaves the probe out for a broker outside the allow-list (and
    // counts it); the probe field follows the same decision.
    propagation.inject(sendContext, carrier);
    const token = propagation.getBaggage(parent)?.getEntry(PROBE_BAGGAGE_KEY)?.value;
    const traceId = span.spanContext().traceId;
    const scope = getInstrumentationState()?.tokenScope;
    if (token !== undefined && currentProbe(parent) && scope?.withholdFrom(sendContext) === undefined) {
      (carrier as MessageCarrier)[PROBE_MESSAGE_FIELD] = formatProbeMessageField(traceId, token);
    }
    span.end();
  } catch {
    // A message without context is still a message.
  }
  return carrier;
}

/** Queue wait in microseconds, from the Redis Stream id or `enqueuedAtMs`, when known. */
function queueWaitUs(options: MessageProcessOptions, nowMs: number): number | undefined {
  const fromId = options.messageId && /^(\d{1,15})-\d+$/.exec(options.messageId);
  const enqueued = fromId ? Number(fromId[1]) : options.enqueuedAtMs;
  if (enqueued === undefined || !Number.isFinite(enqueued)) return undefined;
  return Math.max(0, Math.round((nowMs - enqueued) * 1000));
}

function stringFields(carrier: MessageCarrier): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate', 'baggage', PROBE_MESSAGE_FIELD]) {
    const value = carrier[key];
    if (typeof value === 'string') fields[key] = value;
    else if (Buffer.isBuffer(value)) fields[key] = value.toString('utf8');
  }
  return fields;
}

/**
 * When the message's trace context is missing or belongs to another trace, but the
 * `hoptrace-probe` field holds a token valid for the trace the run started under, the hop is a
 * probe whose context broke on the way: keep the probe, note its origin trace.
 */
function brokenContextProbe(fields: Record<string, string>, extracted: Context) {
  const field = parseProbeMessageField(fields[PROBE_MESSAGE_FIELD]);
  if (field === undefined) return undefined;
  const { traceId: originTraceId, token } = field;
  if (trace.getSpanContext(extracted)?.traceId === originTraceId) return undefined;
  const probe = getInstrumentationState()?.verifier?.verify(token, originTraceId);
  return probe ? { originTraceId, token, info: { name: probe.probe, runId: probe.runId } } : undefined;
}

/**
 * Runs a message handler in the context the producer sent, under a CONSUMER span
 * `process <destination>` that follows OpenTelemetry's messaging conventions (parent: the
 * producer's context, for single-message processing; plus a link to it). Baggage, and with it
 * the probe, is kept. Returns what the handler returns (a promise is awaited before the span
 * ends); the handler's errors are recorded on the span and re-thrown unchanged.
 */
export function runInMessageContext<R>(carrier: MessageCarrier, options: MessageProcessOptions, handler: () => R): R {
  const started = startConsumerSpan(carrier, options);
  if (!started) return handler();
  return api.with(started.context, () => runAndEnd(started.span, handler));
}

/**
 * The CONSUMER span `process <destination>` of a message, and the context to handle it in (see
 * `runInMessageContext`), or undefined on an internal fault. Used by the broker instrumentations,
 * which end the span themselves (on acknowledgement).
 */
export function startConsumerSpan(
  carrier: MessageCarrier,
  options: MessageProcessOptions,
): { span: Span; context: Context } | undefined {
  try {
    const fields = stringFields(carrier);
    let parent = propagation.extract(ROOT_CONTEXT, fields);
    const producer = trace.getSpanContext(parent);
    const attributes: Attributes = {
      [MESSAGING_SYSTEM]: options.system ?? 'redis',
      [MESSAGING_OPERATION_TYPE]: 'process',
      [MESSAGING_OPERATION_NAME]: 'process',
      [MESSAGING_DESTINATION_NAME]: options.destination,
    };
    if (options.messageId) attributes[MESSAGING_MESSAGE_ID] = options.messageId;
    if (options.consumerGroup) attributes[MESSAGING_CONSUMER_GROUP] = options.consumerGroup;
    const waitUs = queueWaitUs(options, Date.now());
    if (waitUs !== undefined) attributes[ATTR_QUEUE_WAIT_US] = waitUs;
    const broken = brokenContextProbe(fields, parent);
    if (broken) {
      attributes[ATTR_ORIGIN_TRACE_ID] = broken.originTraceId;
      const baggage = (propagation.getBaggage(parent) ?? propagation.createBaggage()).setEntry(PROBE_BAGGAGE_KEY, {
        value: broken.token,
      });
      parent = propagation.setBaggage(parent, baggage).setValue(VERIFIED_PROBE_KEY, broken.info);
    }
    const span = tracer().startSpan(
      `process ${options.destination}`,
      { kind: SpanKind.CONSUMER, attributes, links: producer ? [{ context: producer }] : [] },
      parent,
    );
    return { span, context: trace.setSpan(parent, span) };
  } catch {
    return undefined;
  }
}

function fail(span: Span, error: unknown): void {
  try {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  } catch {
    // Ending a span must not replace the handler's error.
  }
}

function runAndEnd<R>(span: Span, handler: () => R): R {
  let result: R;
  try {
    result = handler();
  } catch (error) {
    fail(span, error);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        fail(span, error);
        throw error;
      },
    ) as R;
  }
  span.end();
  return result;
}

/** Turns the flat field list of a Redis Stream entry (`[k1, v1, k2, v2, ...]`) into an object. */
export function streamFieldsToObject(fields: readonly string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) object[fields[i]!] = fields[i + 1]!;
  return object;
}

/** Turns an object into the flat field list `XADD` takes. */
export function objectToStreamFields(object: Record<string, unknown>): string[] {
  return Object.entries(object).flatMap(([key, value]) => [
    key,
    typeof value === 'string' ? value : JSON.stringify(value),
  ]);
}
