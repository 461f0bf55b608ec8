import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, type Span } from '@opentelemetry/api';
import { RPCType, getRPCMetadata } from '@opentelemetry/core';
import { FASTIFY_HANDLER_ERROR, FASTIFY_HANDLER_START, errorOf, routeOf } from './fastify-handler-channel';

/** Running full-mode Fastify tracing. */
export interface FastifyServerSpans {
  /** Unsubscribes from Fastify's channel. Idempotent. */
  stop(): void;
}

/**
 * Full mode's Fastify support, without an OpenTelemetry Fastify instrumentation
 * (`@opentelemetry/instrumentation-fastify` is deprecated): from Fastify's own handler channel,
 * - the route template goes where every OpenTelemetry framework instrumentation puts it, the
 *   request's RPC metadata, from which the http instrumentation sets `http.route` on the SERVER
 *   span and names it `GET /mailbox/:box` when the answer is sent;
 * - an error the handler throws or rejects with is recorded on that SERVER span (the hop), so
 *   the hop record has its type and message, as an Express error has.
 * Every request is traced in full mode, so every request gets this; it costs Fastify building
 * its channel message and one context lookup per request. Needs the http instrumentation's
 * SERVER span (`defaultInstrumentations()`); without it, nothing is done.
 */
export function startFastifyServerSpans(): FastifyServerSpans {
  // The SERVER span of a request whose handler started, found once, for its error message (which
  // an async handler's rejection publishes from a promise callback).
  const spans = new WeakMap<object, Span>();
  const onStart = (message: unknown): void => {
    try {
      const metadata = getRPCMetadata(context.active());
      if (metadata?.type !== RPCType.HTTP) return;
      const route = routeOf(message);
      if (route !== undefined) metadata.route = route;
      if (metadata.span.isRecording() && typeof message === 'object' && message !== null) {
        spans.set(message, metadata.span);
      }
    } catch {
      // Never into the host: the request goes on without its route.
    }
  };
  const onError = (message: unknown): void => {
    try {
      if (typeof message !== 'object' || message === null) return;
      const span = spans.get(message);
      const error = errorOf(message);
      if (span === undefined || error === undefined) return;
      spans.delete(message); // the first error is the handler's; a failing error handler's comes after
      span.recordException(error);
    } catch {
      // Never into the host.
    }
  };
  subscribe(FASTIFY_HANDLER_START, onStart);
  subscribe(FASTIFY_HANDLER_ERROR, onError);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe(FASTIFY_HANDLER_START, onStart);
      unsubscribe(FASTIFY_HANDLER_ERROR, onError);
    },
  };
}
