import { ROOT_CONTEXT, SpanKind, defaultTextMapGetter, type Context } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_PROBE_MESSAGE_FIELD_LENGTH,
  MAX_PROBE_TOKEN_LENGTH,
  PROBE_BAGGAGE_KEY,
  formatProbeMessageField,
  parseProbeKeyRing,
  parseProbeMessageField,
  signProbeToken,
} from '@hoptrace/core';
import { ProbeBaggagePropagator } from '../src/propagation';
import { ProbeSampler } from '../src/probe-sampler';
import { ProbeVerifier } from '../src/probe-verifier';
import { fuzzParams, fuzzTimeoutMs } from '../../../test/support/fuzz';

// What the drop-in reads from the outside on every request and message: `traceparent`,
// `baggage` (and the probe token in it) and the `hoptrace-probe` message field. Whatever arrives,
// the service's request goes on; only a token signed with the secret for that trace makes a probe.

const NOW_MS = 1_700_000_000_000;
const ring = parseProbeKeyRing('k0:a-secret-of-at-least-16-chars');
const otherRing = parseProbeKeyRing('k0:another-secret-of-16-chars-or-more');
const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new ProbeBaggagePropagator()],
});
const provider = new BasicTracerProvider({
  sampler: new ProbeSampler(new AlwaysOffSampler(), new ProbeVerifier(ring, { now: () => NOW_MS })),
});
const tracer = provider.getTracer('incoming-context-fuzz');
afterAll(() => provider.shutdown());

/**
 * What the HTTP instrumentation does with a request's headers: extract, then start the SERVER
 * span. Whether it records (a probe hop) and its attributes, read before it ends.
 */
function serverSpan(headers: Record<string, string | string[]>) {
  const parent: Context = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const span = tracer.startSpan('GET /', { kind: SpanKind.SERVER }, parent);
  const hop = {
    recording: span.isRecording(),
    attributes: { ...(span as unknown as { attributes: Record<string, unknown> }).attributes },
  };
  span.end();
  return hop;
}

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const traceId = hex(32).filter((t) => !/^0+$/.test(t));
const spanId = hex(16).filter((s) => !/^0+$/.test(s));
const probeName = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/);
const runId = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);

/** Text as it comes off the wire: any unicode, control characters, `%` escapes (good and broken), W3C delimiters. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('%', '2', 'C', 'E', 'F', '0', '=', ',', ';', ' ', '\t', 'v', '1', '.', '-', 'a') }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) }),
);
const traceparentLike = fc.oneof(
  hostileText,
  fc
    .tuple(hex(2), traceId, spanId, hex(2), fc.oneof(fc.constant(''), hostileText))
    .map(([v, t, s, f, rest]) => `${v}-${t}-${s}-${f}${rest}`),
);
/** A token-shaped value: the grammar holds, the signature is anyone's. */
const tokenLike = fc
  .tuple(fc.stringMatching(/^k[0-9]$/), probeName, runId, fc.stringMatching(/^\d{13}$/), fc.base64String())
  .map(([kid, p, r, exp, sig]) => ['v1', kid, p, r, exp, sig.replace(/[+/=]/g, '_')].join('.'));
const baggageLike = fc.oneof(
  hostileText,
  fc
    .tuple(fc.array(fc.tuple(hostileText, hostileText), { maxLength: 4 }), fc.oneof(hostileText, tokenLike))
    .map(
      ([members, value]) =>
        `${members.map(([k, v]) => `${k}=${v}`).join(',')},${PROBE_BAGGAGE_KEY}=${encodeURIComponent(value)}`,
    ),
);
const headerValue = (arb: fc.Arbitrary<string>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

/** A probe request's headers, as an Oamserver sends them: trace id, token signed for it. */
function probeHeaders(trace: string, span: string, token: string) {
  return {
    traceparent: `00-${trace}-${span}-01`,
    baggage: `tenant=acme,${PROBE_BAGGAGE_KEY}=${encodeURIComponent(token)}`,
  };
}

describe('the drop-in reading incoming context: fuzzing', () => {
  it(
    'arbitrary traceparent and baggage never throw and are ordinary traffic',
    () => {
      fc.assert(
        fc.property(
          fc.record(
            { traceparent: headerValue(traceparentLike), baggage: headerValue(baggageLike), tracestate: hostileText },
            { requiredKeys: [] },
          ),
          (headers) => {
            expect(serverSpan(headers).recording).toBe(false);
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'a token signed with another secret, or for another trace, is ordinary traffic',
    () => {
      fc.assert(
        fc.property(traceId, traceId, spanId, probeName, runId, (signedFor, sentOn, span, probe, run) => {
          const claims = { probe, runId: run, expiresAtMs: NOW_MS + 60_000 };
          expect(
            serverSpan(probeHeaders(signedFor, span, signProbeToken(claims, signedFor, otherRing))).recording,
          ).toBe(false);
          const onOther = serverSpan(probeHeaders(sentOn, span, signProbeToken(claims, signedFor, ring)));
          expect(onOther.recording).toBe(sentOn === signedFor);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'a valid token round-trips: the hop is a probe, with its name and run id',
    () => {
      fc.assert(
        fc.property(traceId, spanId, probeName, runId, (trace, span, probe, run) => {
          const token = signProbeToken({ probe, runId: run, expiresAtMs: NOW_MS + 60_000 }, trace, ring);
          const hop = serverSpan(probeHeaders(trace, span, token));
          expect(hop.recording).toBe(true);
          expect(hop.attributes).toMatchObject({ 'hoptrace.probe.name': probe, 'hoptrace.run.id': run });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'a valid token with any one character changed is ordinary traffic',
    () => {
      fc.assert(
        fc.property(
          traceId,
          spanId,
          probeName,
          runId,
          fc.nat(),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          (trace, span, probe, run, at, replacement) => {
            const token = signProbeToken({ probe, runId: run, expiresAtMs: NOW_MS + 60_000 }, trace, ring);
            const index = at % token.length;
            fc.pre(token[index] !== replacement);
            const changed = token.slice(0, index) + replacement + token.slice(index + 1);
            expect(serverSpan(probeHeaders(trace, span, changed)).recording).toBe(false);
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'an oversized token or baggage is ordinary traffic, even with a valid token inside',
    () => {
      fc.assert(
        fc.property(traceId, spanId, fc.integer({ min: 1, max: 64 * 1024 }), (trace, span, extra) => {
          const token = signProbeToken({ probe: 'p', runId: 'r', expiresAtMs: NOW_MS + 60_000 }, trace, ring);
          const oversized = token + '_'.repeat(Math.max(extra, MAX_PROBE_TOKEN_LENGTH - token.length + 1));
          expect(serverSpan(probeHeaders(trace, span, oversized)).recording).toBe(false);
        }),
        fuzzParams(50),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'ProbeVerifier.verify never throws, whatever the value and trace id',
    () => {
      const verifier = new ProbeVerifier(ring, { now: () => NOW_MS, cacheSize: 4 });
      fc.assert(
        fc.property(fc.oneof(fc.anything(), hostileText, tokenLike), fc.oneof(traceId, hostileText), (token, trace) => {
          expect(verifier.verify(token, trace)).toBeUndefined();
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );
});

describe('the hoptrace-probe message field: fuzzing', () => {
  it(
    'parseProbeMessageField never throws; what it accepts has a W3C trace id and fits the bound',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.anything(), hostileText, fc.string({ maxLength: 600 })), (value) => {
          const field = parseProbeMessageField(value);
          if (field === undefined) return;
          expect(typeof value).toBe('string');
          expect((value as string).length).toBeLessThanOrEqual(MAX_PROBE_MESSAGE_FIELD_LENGTH);
          expect(field.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(formatProbeMessageField(field.traceId, field.token)).toBe(value);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'a field as the producer writes it round-trips; longer than the bound it is ordinary traffic',
    () => {
      fc.assert(
        fc.property(traceId, fc.oneof(tokenLike, hostileText), (trace, token) => {
          const text = formatProbeMessageField(trace, token);
          const parsed = parseProbeMessageField(text);
          if (text.length > MAX_PROBE_MESSAGE_FIELD_LENGTH) expect(parsed).toBeUndefined();
          else expect(parsed).toEqual({ traceId: trace, token });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );
});
