import { ROOT_CONTEXT, SpanKind, TraceFlags, propagation, trace, type Context } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProbeKeyRing, signProbeToken } from '@hoptrace/core';
import { ProbeSampler } from '../src/probe-sampler';
import { ProbeVerifier } from '../src/probe-verifier';

const ring = parseProbeKeyRing('k0:a-secret-of-at-least-16-chars');
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const OTHER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const NOW_MS = 1_700_000_000_000;
const claims = { probe: 'deposit-voicemail', runId: 'run-42', expiresAtMs: NOW_MS + 60_000 };
const validToken = signProbeToken(claims, TRACE_ID, ring);

/** What a service sees after extracting `traceparent` and `baggage` from an incoming request. */
function incoming(token: string | undefined, traceId = TRACE_ID, traceFlags = TraceFlags.SAMPLED): Context {
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: 'b7ad6b7169203331',
    traceFlags,
    isRemote: true,
  });
  if (token === undefined) return parent;
  return propagation.setBaggage(parent, propagation.createBaggage({ 'hoptrace.probe': { value: token } }));
}

let providers: BasicTracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  providers = [];
});

function setup(delegate: Sampler = new AlwaysOffSampler(), verifier = new ProbeVerifier(ring, { now: () => NOW_MS })) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler: new ProbeSampler(delegate, verifier),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  providers.push(provider);
  return { tracer: provider.getTracer('probe-sampler-test'), exporter, verifier };
}

describe('ProbeSampler over a 0% delegate (AlwaysOffSampler)', () => {
  it('records and samples a span whose parent context carries a valid token for its trace', () => {
    const { tracer, exporter } = setup();
    const span = tracer.startSpan('GET /voicemail', { kind: SpanKind.SERVER }, incoming(validToken));
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.spanContext().traceId).toBe(TRACE_ID);
    expect(finished?.attributes).toMatchObject({
      'hoptrace.probe.name': 'deposit-voicemail',
      'hoptrace.run.id': 'run-42',
      'user_agent.synthetic.type': 'test',
    });
  });

  it('samples the probe even when the caller did not sample it', () => {
    const { tracer } = setup(new AlwaysOnSampler());
    const span = tracer.startSpan('GET /', { kind: SpanKind.SERVER }, incoming(validToken, TRACE_ID, TraceFlags.NONE));
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    span.end();
  });

  it('samples every span of the run in this service, not only the hop', () => {
    const { tracer, exporter } = setup();
    const hop = tracer.startSpan('GET /', { kind: SpanKind.SERVER }, incoming(validToken));
    const child = tracer.startSpan('db query', { kind: SpanKind.CLIENT }, trace.setSpan(incoming(validToken), hop));
    child.end();
    hop.end();
    expect(exporter.getFinishedSpans().map((s) => s.attributes['hoptrace.run.id'])).toEqual(['run-42', 'run-42']);
  });

  it.each([
    ['no token', undefined, TRACE_ID],
    ['a forged token', `${validToken.slice(0, -2)}xx`, TRACE_ID],
    ['garbage', 'let-me-in', TRACE_ID],
    ['a token for another trace', signProbeToken(claims, OTHER_TRACE_ID, ring), TRACE_ID],
    [
      'a token signed with another secret',
      signProbeToken(claims, TRACE_ID, parseProbeKeyRing('other-secret-16chars')),
      TRACE_ID,
    ],
    ['a token of 300 characters', 'v'.repeat(300), TRACE_ID],
  ])('leaves %s to the delegate: not recorded', (_label, token, traceId) => {
    const { tracer, exporter } = setup();
    const span = tracer.startSpan('GET /', { kind: SpanKind.SERVER }, incoming(token, traceId));
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('leaves an expired token to the delegate', () => {
    const { tracer, verifier } = setup(
      new AlwaysOffSampler(),
      new ProbeVerifier(ring, { now: () => claims.expiresAtMs + 60_000, clockSkewMs: 30_000 }),
    );
    const span = tracer.startSpan('GET /', { kind: SpanKind.SERVER }, incoming(validToken));
    expect(span.isRecording()).toBe(false);
    expect(verifier.rejected.expired).toBe(1);
  });

  it('lets the delegate decide ordinary traffic, without probe attributes', () => {
    const { tracer, exporter } = setup(new AlwaysOnSampler());
    tracer.startSpan('GET /', { kind: SpanKind.SERVER }, incoming('forged')).end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished).toBeDefined();
    expect(finished!.attributes).not.toHaveProperty('hoptrace.run.id');
    expect(finished!.attributes).not.toHaveProperty('user_agent.synthetic.type');
  });

  it('verifies against hoptrace.origin.trace_id when the span starts with it (context broken on the way)', () => {
    const { tracer, exporter } = setup();
    // The consumer lost traceparent: its span starts a new trace, with only the token in baggage.
    const baggageOnly = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({ 'hoptrace.probe': { value: validToken } }),
    );
    const withoutOrigin = tracer.startSpan('process q', { kind: SpanKind.CONSUMER }, baggageOnly);
    expect(withoutOrigin.isRecording()).toBe(false);

    const span = tracer.startSpan(
      'process q',
      { kind: SpanKind.CONSUMER, attributes: { 'hoptrace.origin.trace_id': TRACE_ID } },
      baggageOnly,
    );
    expect(span.isRecording()).toBe(true);
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished!.spanContext().traceId).not.toBe(TRACE_ID);
    expect(finished!.attributes).toMatchObject({
      'hoptrace.origin.trace_id': TRACE_ID,
      'hoptrace.run.id': 'run-42',
      'hoptrace.probe.name': 'deposit-voicemail',
    });
  });

  it('falls through to the delegate when the verifier throws', () => {
    class ExplodingVerifier extends ProbeVerifier {
      override verify(): never {
        throw new Error('verifier broke');
      }
    }
    const { tracer, exporter } = setup(new AlwaysOnSampler(), new ExplodingVerifier(ring));
    const span = tracer.startSpan('GET /', { kind: SpanKind.SERVER }, incoming(validToken));
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(exporter.getFinishedSpans()[0]!.attributes).not.toHaveProperty('hoptrace.run.id');
  });

  it('describes itself with its delegate', () => {
    expect(new ProbeSampler(new AlwaysOffSampler(), new ProbeVerifier(ring)).toString()).toBe(
      'ProbeSampler{AlwaysOffSampler}',
    );
  });
});
