import { tracingChannel } from 'node:diagnostics_channel';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFastifyServerSpans, type FastifyServerSpans } from '../src/fastify';
import { errorOf, routeOf } from '../src/fastify/fastify-handler-channel';
import { FastifyHops } from '../src/probe-only/fastify-hops';
import { PROBE_HOP, type ProbeHopState } from '../src/probe-only/probe-hop-state';

// The channel Fastify 5 publishes on (lib/handle-request.js); here we publish its messages ourselves.
const handler = tracingChannel('fastify.request.handler');

/** A message shaped as Fastify's, for a raw request. */
function message(raw: object, url = '/mailbox/:box', error?: unknown) {
  return { request: { raw }, reply: {}, async: false, route: { url, method: 'GET' }, ...(error ? { error } : {}) };
}

/** A raw request as `ServerHops` leaves a probe's: its hop under `PROBE_HOP`. */
function probeRequest(): { raw: object; hop: ProbeHopState } {
  const span = trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 });
  const hop: ProbeHopState = { span, ended: false };
  return { raw: { [PROBE_HOP]: hop }, hop };
}

describe("reading Fastify's channel message", () => {
  it('takes the route template and whatever was thrown, as an exception can be recorded', () => {
    expect(routeOf(message({}, '/v1/calls/:number'))).toBe('/v1/calls/:number');
    expect(routeOf({ route: { url: '' } })).toBeUndefined();
    const error = new TypeError('full');
    expect(errorOf({ error })).toBe(error);
    const foreign = { name: 'FetchError', message: 'from another realm' };
    expect(errorOf({ error: foreign })).toBe(foreign);
    expect(errorOf({ error: 'a string' })).toBe('a string');
    expect(errorOf({ error: 404 })).toBe('404');
    expect(errorOf({ error: { code: 1 } })).toBe('[object Object]');
    expect(errorOf({ error: null })).toBeUndefined();
    expect(errorOf(undefined)).toBeUndefined();
  });
});

describe('FastifyHops (probe-only mode)', () => {
  let hops: FastifyHops;
  beforeEach(() => {
    hops = new FastifyHops();
  });
  afterEach(() => hops.stop());

  it('is subscribed to Fastify only while a probe hop is in flight', () => {
    expect(handler.hasSubscribers).toBe(false);
    hops.hopStarted();
    hops.hopStarted();
    expect(handler.start.hasSubscribers && handler.error.hasSubscribers).toBe(true);
    hops.hopEnded();
    expect(handler.hasSubscribers).toBe(true);
    hops.hopEnded();
    expect(handler.hasSubscribers).toBe(false);
    hops.hopEnded(); // one too many: no effect
    hops.hopStarted();
    expect(handler.hasSubscribers).toBe(true);
    hops.stop();
    expect(handler.hasSubscribers).toBe(false);
    hops.hopStarted();
    expect(handler.hasSubscribers).toBe(false);
  });

  it("keeps a probe request's route and first error on its hop, and leaves other requests alone", () => {
    const probe = probeRequest();
    const ordinary = {};
    hops.hopStarted();
    handler.start.publish(message(ordinary, '/other'));
    handler.start.publish(message(probe.raw));
    const first = new TypeError('first');
    handler.error.publish(message(probe.raw, '/mailbox/:box', first));
    handler.error.publish(message(probe.raw, '/mailbox/:box', new Error('from the error handler')));
    handler.error.publish(message(ordinary, '/other', new Error('not a probe')));
    expect(probe.hop.route).toBe('/mailbox/:box');
    expect(probe.hop.error).toBe(first);
    expect(ordinary).toEqual({});
  });

  it('never throws into the host on a message it does not understand', () => {
    hops.hopStarted();
    const hostile = Object.defineProperty({}, 'request', {
      get() {
        throw new Error('a getter that throws');
      },
    });
    for (const odd of [undefined, null, 42, 'x', {}, { request: null }, { route: { url: 7 } }, hostile]) {
      expect(() => handler.start.publish(odd)).not.toThrow();
      expect(() => handler.error.publish(odd)).not.toThrow();
    }
  });
});

describe('startFastifyServerSpans (full mode)', () => {
  let running: FastifyServerSpans;
  let provider: BasicTracerProvider;
  let exporter: InMemorySpanExporter;

  beforeEach(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    running = startFastifyServerSpans();
  });

  afterEach(async () => {
    running.stop();
    await provider.shutdown();
    context.disable();
  });

  /** Runs `fn` as the http instrumentation runs a request's handlers: under its SERVER span's RPC metadata. */
  function inRequest(fn: () => void): RPCMetadata {
    const span = provider.getTracer('test').startSpan('GET');
    const metadata: RPCMetadata = { type: RPCType.HTTP, span };
    context.with(setRPCMetadata(trace.setSpan(ROOT_CONTEXT, span), metadata), fn);
    span.end();
    return metadata;
  }

  it('gives the route to the http instrumentation and records the first handler error on the SERVER span', () => {
    const store = message({}, '/v1/calls/:number');
    const metadata = inRequest(() => {
      handler.start.publish(store);
      // Fastify publishes the error on the same message; here outside the request's context, to
      // show the span is not looked up again there.
      context.with(ROOT_CONTEXT, () => {
        handler.error.publish(Object.assign(store, { error: new RangeError('rejected by the handler') }));
        handler.error.publish(Object.assign(store, { error: new Error('from the error handler') }));
      });
      handler.error.publish(message({}, '/other', new Error('another request')));
    });
    expect(metadata.route).toBe('/v1/calls/:number');
    const [span] = exporter.getFinishedSpans();
    const exceptions = span!.events.filter((e) => e.name === 'exception');
    expect(exceptions.map((e) => e.attributes?.['exception.message'])).toEqual(['rejected by the handler']);
  });

  it('does nothing outside an http request, and stops', () => {
    expect(() => handler.start.publish(message({}))).not.toThrow();
    running.stop();
    running.stop();
    expect(handler.hasSubscribers).toBe(false);
    const metadata = inRequest(() => handler.start.publish(message({})));
    expect(metadata.route).toBeUndefined();
  });
});
