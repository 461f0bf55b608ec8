import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProbeToken, signProbeToken, verifyProbeToken } from '../src/probe-token';
import { parseProbeKeyRing } from '../src/secret-keys';
import { fuzzParams } from '../../../test/support/fuzz';

const ring = parseProbeKeyRing('k0:a-secret-of-at-least-16-chars');
const nowMs = 1_700_000_000_000;

const hexTraceId = fc.stringMatching(/^[0-9a-f]{32}$/);
const anyTraceId = fc.oneof(hexTraceId, fc.string(), fc.string({ unit: 'grapheme', maxLength: 40 }));
/** Strings shaped like tokens, so the fuzzing reaches the HMAC and not only the grammar check. */
const tokenLike = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/),
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    fc.stringMatching(/^\d{1,15}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
  )
  .map((parts) => ['v1', ...parts].join('.'));
const anyToken = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ maxLength: 400 }), tokenLike);

describe('probe token: fuzzing', () => {
  it('checkProbeToken never throws and refuses arbitrary strings on arbitrary trace ids', () => {
    fc.assert(
      fc.property(anyToken, anyTraceId, (token, traceId) => {
        const result = checkProbeToken(token, traceId, ring, { nowMs });
        expect(result.ok).toBe(false);
      }),
      fuzzParams(2000),
    );
  });

  it('checkProbeToken never throws for arbitrary values that are not strings', () => {
    fc.assert(
      fc.property(fc.anything(), anyTraceId, (value, traceId) => {
        expect(checkProbeToken(value, traceId, ring, { nowMs }).ok).toBe(false);
      }),
      fuzzParams(100),
    );
  });

  it('a valid token verifies only on the trace it was signed for', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        hexTraceId.filter((t) => !/^0+$/.test(t)),
        hexTraceId,
        (probe, runId, traceId, otherTraceId) => {
          const token = signProbeToken({ probe, runId, expiresAtMs: nowMs }, traceId, ring);
          expect(verifyProbeToken(token, traceId, ring, { nowMs })).toMatchObject({ probe, runId });
          if (otherTraceId !== traceId) expect(checkProbeToken(token, otherTraceId, ring, { nowMs }).ok).toBe(false);
        },
      ),
      fuzzParams(100),
    );
  });

  it('refuses a 1 MB string as oversized, quickly', () => {
    const huge = 'v1.k0.'.padEnd(1024 * 1024, 'A');
    const started = performance.now();
    expect(checkProbeToken(huge, '0af7651916cd43dd8448eb211c80319c', ring, { nowMs })).toEqual({
      ok: false,
      reason: 'oversized',
    });
    expect(performance.now() - started).toBeLessThan(50);
  });
});
