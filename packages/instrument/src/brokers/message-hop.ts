import { SpanStatusCode, context as api, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_HOP_ERROR_TYPE,
  MESSAGE_PUBLISHED_AT_FIELD,
  PROBE_BAGGAGE_KEY,
  PROBE_MESSAGE_FIELD,
} from '@hoptrace/core';
import { injectMessageContext, startConsumerSpan, type MessageCarrier } from '../messaging';
import type { BrokerPeer } from './broker-peer';

/** Header a traced publish adds: when the message was published (epoch ms), for the queue wait. */
export const PUBLISHED_AT_HEADER = MESSAGE_PUBLISHED_AT_FIELD;

/** Most messages one channel or subscription holds a CONSUMER span for while they await their ack. */
export const MAX_UNSETTLED = 1000;

/** How the broker instrumentations behave: in probe-only mode they look at probes only. */
export interface BrokerTracingOptions {
  probeOnly: boolean;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/**
 * The headers to publish with, trace context added, when the publish happens inside a traced
 * operation (in probe-only mode: inside a probe); otherwise undefined, and the publish goes out
 * untouched. Headers the app set itself win over ours: we are guests in its messages. `peer`,
 * the broker the connection is on, is the destination `HOPTRACE_PROPAGATE_TO` judges.
 */
export function publishHeaders(
  own: Record<string, unknown> | undefined,
  destination: string,
  system: string,
  options: BrokerTracingOptions,
  peer?: BrokerPeer,
): Record<string, unknown> | undefined {
  const span = trace.getSpan(api.active());
  if (span === undefined || (options.probeOnly && !span.isRecording())) return undefined;
  const injected: MessageCarrier = injectMessageContext(
    {},
    { destination, system, ...(peer ? { serverAddress: peer.address, serverPort: peer.port } : {}) },
  );
  injected[PUBLISHED_AT_HEADER] = String(Date.now());
  return { ...injected, ...own };
}

/** Whether message headers carry a probe (its baggage, or the probe field that outlives lost context). */
export function carriesProbe(headers: MessageCarrier): boolean {
  const baggage = text(headers.baggage);
  return (baggage !== undefined && baggage.includes(PROBE_BAGGAGE_KEY)) || headers[PROBE_MESSAGE_FIELD] !== undefined;
}

/**
 * The CONSUMER span of a received message and the context to handle it in, when it is to be
 * traced: any message with trace context in full mode, a probe's in probe-only mode.
 */
export function startMessageHop(
  headers: MessageCarrier | undefined,
  destination: string,
  system: string,
  options: BrokerTracingOptions & { messageId?: string },
): { span: Span; context: ReturnType<typeof api.active> } | undefined {
  if (!headers) return undefined;
  if (options.probeOnly ? !carriesProbe(headers) : headers.traceparent === undefined && !carriesProbe(headers)) {
    return undefined;
  }
  const publishedAt = Number(text(headers[PUBLISHED_AT_HEADER]));
  const started = startConsumerSpan(headers, {
    destination,
    system,
    ...(options.messageId ? { messageId: options.messageId } : {}),
    ...(Number.isFinite(publishedAt) && publishedAt > 0 ? { enqueuedAtMs: publishedAt } : {}),
  });
  if (!started) return undefined;
  if (!started.span.isRecording()) {
    // A forged or expired marker: ordinary traffic.
    started.span.end();
    return undefined;
  }
  return started;
}

/** Ends a message hop that failed (the handler threw, or the message was refused). */
export function failMessageHop(span: Span, error: unknown, type?: string): void {
  if (!span.isRecording()) return;
  try {
    if (error instanceof Error) span.recordException(error);
    if (type) span.setAttribute(ATTR_HOP_ERROR_TYPE, type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  } catch {
    // Never into the host.
  }
}

/** Ends a message hop that was handled. */
export function endMessageHop(span: Span): void {
  if (span.isRecording()) span.end();
}

/**
 * Runs a message handler in its hop's context. A throw or a rejected promise fails the hop (and
 * goes on to the caller unchanged); `endWhenDone` ends the hop when the handler is done (messages
 * nobody acknowledges), else the acknowledgement ends it.
 */
export function runMessageHandler<R>(
  hop: { span: Span; context: ReturnType<typeof api.active> },
  handler: () => R,
  endWhenDone: boolean,
): R {
  let result: R;
  try {
    result = api.with(hop.context, handler);
  } catch (error) {
    failMessageHop(hop.span, error);
    throw error;
  }
  if (result instanceof Promise) {
    // Watching the promise marks it handled: the rejection is thrown on, so that a handler whose
    // failure nobody awaited is reported by Node exactly as before (an unhandled rejection).
    void result.then(
      () => endWhenDone && endMessageHop(hop.span),
      (error: unknown) => {
        failMessageHop(hop.span, error);
        throw error;
      },
    );
  } else if (endWhenDone) {
    endMessageHop(hop.span);
  }
  return result;
}
