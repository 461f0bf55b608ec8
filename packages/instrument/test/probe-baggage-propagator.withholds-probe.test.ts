import {
  ROOT_CONTEXT,
  SpanKind,
  defaultTextMapSetter,
  propagation,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import {
  DESTINATION_KEY,
  DestinationAllowList,
  ProbeBaggagePropagator,
  ProbeTokenScope,
  destinationOf,
} from '../src/propagation';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const tracer = new BasicTracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('test');
const unsampled = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('test');

/** A request context holding the probe (and another baggage entry), as a probe hop's handler sees it. */
function probeContext(withProbe = true): Context {
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
  });
  const entries: Record<string, { value: string; metadata?: never }> = { tenant: { value: 'acme co' } };
  if (withProbe) entries[PROBE_BAGGAGE_KEY] = { value: 'v1.k0.run.sig' };
  return propagation.setBaggage(remote, propagation.createBaggage(entries));
}

function callContext(kind: SpanKind, attributes: Attributes, parent = probeContext()): Context {
  return trace.setSpan(parent, tracer.startSpan('call', { kind, attributes }, parent));
}

function setup(propagateTo?: string) {
  const scope = new ProbeTokenScope(DestinationAllowList.parse(propagateTo).list);
  const propagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new ProbeBaggagePropagator(scope)],
  });
  const plain = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  const inject = (ctx: Context, p = propagator) => {
    const carrier: Record<string, string> = {};
    p.inject(ctx, carrier, defaultTextMapSetter);
    return carrier;
  };
  return { scope, inject, plain: (ctx: Context) => inject(ctx, plain) };
}

describe('ProbeBaggagePropagator', () => {
  it('sends the probe to an allowed destination exactly as W3C Baggage would', () => {
    const { scope, inject, plain } = setup();
    const ctx = callContext(SpanKind.CLIENT, { 'server.address': 'payments', 'server.port': 8080 });
    expect(inject(ctx)).toEqual(plain(ctx));
    expect(inject(ctx).baggage).toContain(`${PROBE_BAGGAGE_KEY}=`);
    expect(scope.withheld).toEqual({ request: 0, message: 0 });
  });

  it('leaves the probe member out for a destination outside the list, the rest as OpenTelemetry sends it', () => {
    const { scope, inject, plain } = setup();
    const ctx = callContext(SpanKind.CLIENT, { 'server.address': 'api.stripe.com', 'server.port': 443 });
    const sent = inject(ctx);
    const normal = plain(ctx);
    expect(sent.traceparent).toBe(normal.traceparent);
    expect(sent.baggage).toBe('tenant=acme%20co');
    expect(normal.baggage).toContain('tenant=acme%20co');
    expect(sent.baggage).not.toContain(PROBE_BAGGAGE_KEY);
    expect(scope.withheld).toEqual({ request: 1, message: 0 });
  });

  it('sends no baggage header when the probe was its only member', () => {
    const { inject } = setup();
    const parent = propagation.setBaggage(
      probeContext(),
      propagation.createBaggage({ [PROBE_BAGGAGE_KEY]: { value: 'v1.k0.run.sig' } }),
    );
    const sent = inject(callContext(SpanKind.CLIENT, { 'server.address': '8.8.8.8' }, parent));
    expect(sent.baggage).toBeUndefined();
    expect(sent.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-`));
  });

  it('judges messages by the broker (PRODUCER spans) and counts them apart', () => {
    const { scope, inject } = setup('rabbitmq,nats:4222');
    expect(inject(callContext(SpanKind.PRODUCER, { 'server.address': 'rabbitmq' })).baggage).toContain(
      PROBE_BAGGAGE_KEY,
    );
    expect(inject(callContext(SpanKind.PRODUCER, { 'server.address': 'nats', 'server.port': 4222 })).baggage).toContain(
      PROBE_BAGGAGE_KEY,
    );
    expect(
      inject(callContext(SpanKind.PRODUCER, { 'server.address': 'nats', 'server.port': 4223 })).baggage,
    ).not.toContain(PROBE_BAGGAGE_KEY);
    expect(scope.withheld).toEqual({ request: 0, message: 1 });
  });

  it('reads the older net.peer.* attributes too', () => {
    const { inject } = setup('10.0.0.0/8');
    expect(inject(callContext(SpanKind.CLIENT, { 'net.peer.name': '10.2.3.4' })).baggage).toContain(PROBE_BAGGAGE_KEY);
    expect(inject(callContext(SpanKind.CLIENT, { 'net.peer.name': '11.2.3.4' })).baggage).not.toContain(
      PROBE_BAGGAGE_KEY,
    );
  });

  it('prefers the destination the injecting code names in the context', () => {
    const { inject } = setup('127.0.0.1');
    const ctx = callContext(SpanKind.CLIENT, { 'server.address': '127.0.0.1' }).setValue(DESTINATION_KEY, {
      host: '127.0.0.2',
      kind: 'request',
    });
    expect(inject(ctx).baggage).toBe('tenant=acme%20co');
  });

  it('keeps the probe when the destination is unknown: no span, a SERVER or INTERNAL span, no address', () => {
    const { scope, inject } = setup('none');
    const parent = probeContext();
    for (const ctx of [
      parent,
      callContext(SpanKind.SERVER, { 'server.address': 'api.stripe.com' }),
      callContext(SpanKind.INTERNAL, {}),
      callContext(SpanKind.CLIENT, {}),
      trace.setSpan(parent, unsampled.startSpan('call', { kind: SpanKind.CLIENT }, parent)),
    ]) {
      expect(destinationOf(ctx)).toBeUndefined();
      expect(inject(ctx).baggage).toContain(PROBE_BAGGAGE_KEY);
    }
    expect(scope.withheld).toEqual({ request: 0, message: 0 });
  });

  it('does nothing to baggage without a probe', () => {
    const { scope, inject, plain } = setup('none');
    const ctx = callContext(SpanKind.CLIENT, { 'server.address': 'api.stripe.com' }, probeContext(false));
    expect(inject(ctx)).toEqual(plain(ctx));
    expect(scope.withheld).toEqual({ request: 0, message: 0 });
  });

  it('extracts as W3C Baggage does', () => {
    const { scope } = setup();
    const propagator = new ProbeBaggagePropagator(scope);
    const carrier = { baggage: `${PROBE_BAGGAGE_KEY}=tok,a=1` };
    const ctx = propagator.extract(ROOT_CONTEXT, carrier, { get: (c, k) => c[k as 'baggage'], keys: Object.keys });
    expect(propagation.getBaggage(ctx)?.getEntry(PROBE_BAGGAGE_KEY)?.value).toBe('tok');
    expect(propagator.fields()).toEqual(['baggage']);
  });
});
