import type { Exception } from '@opentelemetry/api';

/**
 * Fastify 5's own tracing channel around a route's handler (`lib/handle-request.js`,
 * `lib/wrap-thenable.js`): Node's `diagnostics_channel.tracingChannel('fastify.request.handler')`.
 * Read, never patched: a diagnostics channel needs no loader hook, so it works for ES modules and
 * CommonJS alike, however late the drop-in started, and whatever copy of Fastify the app loaded.
 *
 * - `start` is published synchronously, in the request's async context, just before the handler
 *   runs, with the matched route (`route.url` is the template, with any plugin prefix);
 * - `error` is published when the handler throws or its promise rejects (or a preHandler hook
 *   failed), with `error` set and the reply's status already set from it, before the answer is sent.
 *
 * Fastify builds this message (and publishes) only while the channel has subscribers, which is
 * why probe-only mode subscribes only while a probe hop is in flight (see `FastifyHops`).
 */
export const FASTIFY_HANDLER_START = 'tracing:fastify.request.handler:start';
/** See `FASTIFY_HANDLER_START`. */
export const FASTIFY_HANDLER_ERROR = 'tracing:fastify.request.handler:error';

/** The part of Fastify's channel message read here; anything may be missing in another version. */
interface FastifyHandlerMessage {
  request?: { raw?: unknown };
  route?: { url?: unknown };
  error?: unknown;
}

/** The Node `IncomingMessage` of the request a channel message is about (Fastify's `request.raw`). */
export function rawRequestOf(message: unknown): unknown {
  return (message as FastifyHandlerMessage | undefined)?.request?.raw;
}

/** The route template of the message (`/v1/calls/:number`), when it has a usable one. */
export function routeOf(message: unknown): string | undefined {
  const url = (message as FastifyHandlerMessage | undefined)?.route?.url;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/** The error of an `error` message, as an exception can be recorded (undefined when absent). */
export function errorOf(message: unknown): Exception | undefined {
  const error = (message as FastifyHandlerMessage | undefined)?.error;
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    // An Error, or one from another realm: OpenTelemetry reads its name, message and stack.
    if (error instanceof Error || typeof (error as { message?: unknown }).message === 'string') {
      return error as Exception;
    }
    return Object.prototype.toString.call(error);
  }
  if (typeof error === 'number' || typeof error === 'boolean' || typeof error === 'bigint') return String(error);
  return typeof error; // a symbol or a function
}
