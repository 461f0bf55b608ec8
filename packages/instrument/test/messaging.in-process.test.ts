import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseProbeKeyRing, signProbeToken } from '@hoptrace/core';
import { currentProbe } from '../src/current-probe';
import { setInstrumentationState } from '../src/global-state';
import {
  injectMessageContext,
  objectToStreamFields,
  runInMessageContext,
  streamFieldsToObject,
  type MessageCarrier,
} from '../src/messaging';
import { ProbeSampler } from '../src/probe-sampler';
import { ProbeVerifier } from '../src/probe-verifier';
import { DestinationAllowList, ProbeBaggagePropagator, ProbeTokenScope } from '../src/propagation';
import type { HoptraceInstrumentation } from '../src/types';

const DEST = 'vm:deposited';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ring = parseProbeKeyRing('k0:a-secret-of-at-least-16-chars');

let exporter: InMemorySpanExporter;
let providers: BasicTracerProvider[] = [];

/** Registers a tracer provider with `sampler` as the global one (replacing any earlier one). */
function install(sampler: Sampler = new AlwaysOnSampler()): void {
  exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  providers.push(provider);
  // The API keeps the first global provider it is given: clear it before setting another.
  trace.disable();
  expect(trace.setGlobalTracerProvider(provider)).toBe(true);
}

// The globals a service would have: context manager, W3C propagators, tracer provider.
beforeEach(() => {
  expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(true);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  install();
});

afterEach(async () => {
  vi.useRealTimers();
  setInstrumentationState(undefined);
  await Promise.all(providers.map((p) => p.shutdown()));
  providers = [];
  trace.disable();
  propagation.disable();
  context.disable();
});

function tracer() {
  return trace.getTracer('messaging-test');
}

function finished(name: string): ReadableSpan {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (!span) throw new Error(`no finished span named ${name}`);
  return span;
}

/** Runs `fn` inside a SERVER span of a request arriving on TRACE_ID, with the given baggage. */
function inRequest<R>(baggage: Record<string, string>, fn: (span: Span) => R): R {
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
  });
  const entries = Object.fromEntries(Object.entries(baggage).map(([k, value]) => [k, { value }]));
  const withBaggage = propagation.setBaggage(remote, propagation.createBaggage(entries));
  const span = tracer().startSpan('POST /deposit', { kind: SpanKind.SERVER }, withBaggage);
  try {
    return context.with(trace.setSpan(withBaggage, span), () => fn(span));
  } finally {
    span.end();
  }
}

/** Makes the instrumentation state that `currentProbe()` and the message fallback read. */
function enableProbes(now = () => Date.now(), tokenScope?: ProbeTokenScope): ProbeVerifier {
  const verifier = new ProbeVerifier(ring, { now });
  const handle: HoptraceInstrumentation = {
    mode: 'full',
    probesEnabled: true,
    sdk: { line: '2.x', version: '2.12.0', source: 'bundled' },
    stats: () => {
      throw new Error('not used here');
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  setInstrumentationState({ verifier, handle, tokenScope });
  return verifier;
}

function probeToken(traceId = TRACE_ID): string {
  return signProbeToken(
    { probe: 'deposit-voicemail', runId: 'run-7', expiresAtMs: Date.now() + 60_000 },
    traceId,
    ring,
  );
}

describe('injectMessageContext', () => {
  it('writes traceparent and baggage under a PRODUCER span "send <destination>"', () => {
    let handlerSpan: Span | undefined;
    const message = { body: 'voicemail 1' };
    const returned = inRequest({ tenant: 'acme' }, (span) => {
      handlerSpan = span;
      return injectMessageContext(message, { destination: DEST });
    });
    expect(returned).toBe(message);

    const producer = finished(`send ${DEST}`);
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.parentSpanContext?.spanId).toBe(handlerSpan!.spanContext().spanId);
    expect(producer.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'send',
      'messaging.destination.name': DEST,
    });
    const carrier = message as MessageCarrier;
    expect(carrier.traceparent).toBe(`00-${TRACE_ID}-${producer.spanContext().spanId}-01`);
    expect(carrier.baggage).toBe('tenant=acme');
    expect(carrier.body).toBe('voicemail 1');
    expect(carrier).not.toHaveProperty('hoptrace-probe');
  });

  it('names the messaging system given', () => {
    inRequest({}, () => injectMessageContext<MessageCarrier>({}, { destination: DEST, system: 'rabbitmq' }));
    expect(finished(`send ${DEST}`).attributes['messaging.system']).toBe('rabbitmq');
  });

  it('adds the hoptrace-probe field (trace id and token) for a verified probe run', () => {
    enableProbes();
    const token = probeToken();
    const carrier = inRequest({ 'hoptrace.probe': token }, () =>
      injectMessageContext<MessageCarrier>({}, { destination: DEST }),
    );
    expect(carrier['hoptrace-probe']).toBe(`${TRACE_ID}:${token}`);
  });

  it('adds no hoptrace-probe field for a token that does not verify', () => {
    enableProbes();
    const carrier = inRequest({ 'hoptrace.probe': probeToken('4bf92f3577b34da6a3ce929d0e0e4736') }, () =>
      injectMessageContext<MessageCarrier>({}, { destination: DEST }),
    );
    expect(carrier).not.toHaveProperty('hoptrace-probe');
    expect(carrier).toHaveProperty('baggage');
  });
});

describe('injectMessageContext and HOPTRACE_PROPAGATE_TO', () => {
  /** Probes on, with the drop-in's baggage propagator keeping the probe to `propagateTo`. */
  function withAllowList(propagateTo: string): ProbeTokenScope {
    const scope = new ProbeTokenScope(DestinationAllowList.parse(propagateTo).list);
    propagation.disable();
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new ProbeBaggagePropagator(scope)] }),
    );
    enableProbes(undefined, scope);
    return scope;
  }

  it('sends the probe (baggage member and field) to a broker in the list, named on the PRODUCER span', () => {
    const scope = withAllowList('redis:6379');
    const token = probeToken();
    const carrier = inRequest({ 'hoptrace.probe': token, tenant: 'acme' }, () =>
      injectMessageContext<MessageCarrier>({}, { destination: DEST, serverAddress: 'redis', serverPort: 6379 }),
    );
    expect(carrier['hoptrace-probe']).toBe(`${TRACE_ID}:${token}`);
    expect(carrier.baggage).toContain(`hoptrace.probe=${token}`);
    expect(finished(`send ${DEST}`).attributes).toMatchObject({ 'server.address': 'redis', 'server.port': 6379 });
    expect(scope.withheld).toEqual({ request: 0, message: 0 });
  });

  it('leaves the probe out of a message to a broker outside the list, and counts it once', () => {
    const scope = withAllowList('redis:6379');
    const carrier = inRequest({ 'hoptrace.probe': probeToken(), tenant: 'acme' }, () =>
      injectMessageContext<MessageCarrier>({}, { destination: DEST, serverAddress: 'queue.example.com' }),
    );
    expect(carrier).not.toHaveProperty('hoptrace-probe');
    expect(carrier.baggage).toBe('tenant=acme');
    expect(carrier.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-`));
    expect(scope.withheld).toEqual({ request: 0, message: 1 });
  });

  it('keeps the probe when no broker address is given (the destination is unknown)', () => {
    const scope = withAllowList('none');
    const token = probeToken();
    const carrier = inRequest({ 'hoptrace.probe': token }, () =>
      injectMessageContext<MessageCarrier>({}, { destination: DEST }),
    );
    expect(carrier['hoptrace-probe']).toBe(`${TRACE_ID}:${token}`);
    expect(carrier.baggage).toBe(`hoptrace.probe=${token}`);
    expect(scope.withheld).toEqual({ request: 0, message: 0 });
  });
});

describe('runInMessageContext', () => {
  function sentMessage(baggage: Record<string, string> = { tenant: 'acme' }): MessageCarrier {
    return inRequest(baggage, () => injectMessageContext({ body: 'x' }, { destination: DEST }));
  }

  it('runs the handler under a CONSUMER span "process <destination>" whose parent is the producer span, with a link to it', () => {
    const message = sentMessage();
    const producer = finished(`send ${DEST}`);
    let active: Span | undefined;
    runInMessageContext(message, { destination: DEST, consumerGroup: 'notifier', messageId: 'm-1' }, () => {
      active = trace.getActiveSpan();
    });

    const consumer = finished(`process ${DEST}`);
    expect(active?.spanContext().spanId).toBe(consumer.spanContext().spanId);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(TRACE_ID);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.parentSpanContext?.isRemote).toBe(true);
    expect(consumer.links.map((l) => l.context.spanId)).toEqual([producer.spanContext().spanId]);
    expect(consumer.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'process',
      'messaging.destination.name': DEST,
      'messaging.message.id': 'm-1',
      'messaging.consumer.group.name': 'notifier',
    });
    expect(consumer.attributes).not.toHaveProperty('hoptrace.queue.wait_us');
  });

  it('keeps the baggage the producer sent', () => {
    const message = sentMessage({ tenant: 'acme', region: 'eu' });
    const seen = runInMessageContext(message, { destination: DEST }, () =>
      propagation
        .getBaggage(context.active())
        ?.getAllEntries()
        .map(([key, entry]) => `${key}=${entry.value}`),
    );
    expect(seen?.sort()).toEqual(['region=eu', 'tenant=acme']);
  });

  it('computes hoptrace.queue.wait_us from a Redis Stream id', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_002_500);
    runInMessageContext(sentMessage(), { destination: DEST, messageId: '1700000000000-3' }, () => undefined);
    expect(finished(`process ${DEST}`).attributes['hoptrace.queue.wait_us']).toBe(2_500_000);
  });

  it('computes the queue wait from enqueuedAtMs, and never makes it negative', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_750);
    runInMessageContext({}, { destination: 'a', enqueuedAtMs: 1_700_000_000_000 }, () => undefined);
    runInMessageContext({}, { destination: 'b', messageId: '1700000009999-0' }, () => undefined);
    expect(finished('process a').attributes['hoptrace.queue.wait_us']).toBe(750_000);
    expect(finished('process b').attributes['hoptrace.queue.wait_us']).toBe(0);
  });

  it('returns what a synchronous handler returns, and ends the span at once', () => {
    expect(runInMessageContext(sentMessage(), { destination: DEST }, () => 42)).toBe(42);
    expect(finished(`process ${DEST}`).status.code).toBe(SpanStatusCode.UNSET);
  });

  it('awaits an async handler: resolves to its value, keeps the context across await, ends the span after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let activeAfterAwait: string | undefined;
    const result = runInMessageContext(sentMessage(), { destination: DEST }, async () => {
      await gate;
      activeAfterAwait = trace.getActiveSpan()?.spanContext().spanId;
      return 'stored';
    });
    expect(result).toBeInstanceOf(Promise);
    expect(exporter.getFinishedSpans().some((s) => s.name === `process ${DEST}`)).toBe(false);
    release();
    await expect(result).resolves.toBe('stored');
    const consumer = finished(`process ${DEST}`);
    expect(activeAfterAwait).toBe(consumer.spanContext().spanId);
  });

  it('records a synchronous handler error on the span and rethrows it unchanged', () => {
    const error = new TypeError('mailbox not found');
    let thrown: unknown;
    try {
      runInMessageContext(sentMessage(), { destination: DEST }, () => {
        throw error;
      });
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBe(error);
    const consumer = finished(`process ${DEST}`);
    expect(consumer.status).toEqual({ code: SpanStatusCode.ERROR, message: 'mailbox not found' });
    const exception = consumer.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'mailbox not found',
    });
  });

  it('records an async handler rejection and rejects with the same error', async () => {
    const error = new Error('storage down');
    const result = runInMessageContext(sentMessage(), { destination: DEST }, async () => {
      await Promise.resolve();
      throw error;
    });
    await expect(result).rejects.toBe(error);
    const consumer = finished(`process ${DEST}`);
    expect(consumer.status.code).toBe(SpanStatusCode.ERROR);
    expect(consumer.events.map((e) => e.name)).toContain('exception');
  });

  it('rethrows a thrown value that is not an Error unchanged', () => {
    let thrown: unknown;
    try {
      runInMessageContext({}, { destination: DEST }, () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- handlers may throw anything; that is the case here
        throw 'plain string';
      });
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBe('plain string');
    expect(finished(`process ${DEST}`).status).toEqual({ code: SpanStatusCode.ERROR, message: 'plain string' });
  });

  it('reads context from Buffer field values (as Redis clients return them)', () => {
    const message = sentMessage();
    const asBuffers = Object.fromEntries(
      Object.entries(message).map(([key, value]) => [key, Buffer.from(String(value))]),
    );
    runInMessageContext(asBuffers, { destination: DEST }, () => undefined);
    expect(finished(`process ${DEST}`).parentSpanContext?.spanId).toBe(finished(`send ${DEST}`).spanContext().spanId);
  });

  it('starts a new trace, with no link, for a message without context', () => {
    runInMessageContext({ body: 'x' }, { destination: DEST }, () => undefined);
    const consumer = finished(`process ${DEST}`);
    expect(consumer.parentSpanContext).toBeUndefined();
    expect(consumer.links).toEqual([]);
    expect(consumer.spanContext().traceId).not.toBe(TRACE_ID);
  });

  it('carries context through Redis Stream fields', () => {
    const fields = objectToStreamFields(sentMessage());
    runInMessageContext(streamFieldsToObject(fields), { destination: DEST }, () => undefined);
    expect(finished(`process ${DEST}`).spanContext().traceId).toBe(TRACE_ID);
  });
});

describe('probes across a queue', () => {
  it('currentProbe() in the consumer gives the run when context arrives intact', () => {
    enableProbes();
    const message = inRequest({ 'hoptrace.probe': probeToken() }, () =>
      injectMessageContext<MessageCarrier>({}, { destination: DEST }),
    );
    const probe = runInMessageContext(message, { destination: DEST }, () => currentProbe());
    expect(probe).toEqual({ name: 'deposit-voicemail', runId: 'run-7' });
    expect(finished(`process ${DEST}`).attributes).not.toHaveProperty('hoptrace.origin.trace_id');
  });

  it('keeps a probe whose trace context was lost, through the hoptrace-probe field, noting the origin trace', () => {
    const verifier = enableProbes();
    install(new ProbeSampler(new AlwaysOffSampler(), verifier));
    const message = inRequest({ 'hoptrace.probe': probeToken() }, () =>
      injectMessageContext<MessageCarrier>({}, { destination: DEST }),
    );
    // A relay on the way dropped the W3C headers but kept the other fields.
    delete message.traceparent;
    delete message.baggage;

    const probe = runInMessageContext(message, { destination: DEST }, () => currentProbe());
    expect(probe).toEqual({ name: 'deposit-voicemail', runId: 'run-7' });
    const consumer = finished(`process ${DEST}`);
    expect(consumer.spanContext().traceId).not.toBe(TRACE_ID);
    expect(consumer.attributes).toMatchObject({
      'hoptrace.origin.trace_id': TRACE_ID,
      'hoptrace.run.id': 'run-7',
      'hoptrace.probe.name': 'deposit-voicemail',
    });
  });

  it('ignores a hoptrace-probe field that does not verify for the trace it names', () => {
    const verifier = enableProbes();
    install(new ProbeSampler(new AlwaysOffSampler(), verifier));
    const message: MessageCarrier = { 'hoptrace-probe': `4bf92f3577b34da6a3ce929d0e0e4736:${probeToken()}` };
    const probe = runInMessageContext(message, { destination: DEST }, () => currentProbe());
    expect(probe).toBeUndefined();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('gives no probe without instrumentation state, whatever the baggage', () => {
    const probe = inRequest({ 'hoptrace.probe': probeToken() }, () => currentProbe());
    expect(probe).toBeUndefined();
  });
});

describe('Redis Stream field helpers', () => {
  it('round-trips string fields', () => {
    const object = { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01`, baggage: 'a=1', body: 'hello' };
    const fields = objectToStreamFields(object);
    expect(fields).toEqual(['traceparent', object.traceparent, 'baggage', 'a=1', 'body', 'hello']);
    expect(streamFieldsToObject(fields)).toEqual(object);
  });

  it('writes other values as JSON', () => {
    expect(objectToStreamFields({ n: 1, ok: true, o: { x: [1] } })).toEqual(['n', '1', 'ok', 'true', 'o', '{"x":[1]}']);
  });

  it('ignores a trailing field without a value', () => {
    expect(streamFieldsToObject(['a', '1', 'b'])).toEqual({ a: '1' });
    expect(streamFieldsToObject([])).toEqual({});
  });
});
