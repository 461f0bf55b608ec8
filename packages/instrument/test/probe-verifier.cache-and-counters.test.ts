import { describe, expect, it } from 'vitest';
import { parseProbeKeyRing, signProbeToken, type ProbeKeyRing } from '@hoptrace/core';
import { ProbeVerifier } from '../src/probe-verifier';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const OTHER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const EXPIRES_AT_MS = 1_700_000_060_000;
const SKEW_MS = 1_000;

/** A key ring whose keys the test can remove, to tell a cache hit from a fresh check. */
function removableRing(): { ring: ProbeKeyRing; forgetKeys: () => void } {
  const parsed = parseProbeKeyRing('k0:a-secret-of-at-least-16-chars');
  const byId = new Map(parsed.byId);
  return { ring: { signing: parsed.signing, byId }, forgetKeys: () => byId.clear() };
}

function token(runId = 'run-1', traceId = TRACE_ID, ring: ProbeKeyRing = removableRing().ring): string {
  return signProbeToken({ probe: 'deposit-voicemail', runId, expiresAtMs: EXPIRES_AT_MS }, traceId, ring);
}

describe('ProbeVerifier', () => {
  it('verifies a valid token and counts nothing', () => {
    const { ring } = removableRing();
    const verifier = new ProbeVerifier(ring, { now: () => EXPIRES_AT_MS - 1 });
    expect(verifier.verify(token(), TRACE_ID)).toEqual({
      probe: 'deposit-voicemail',
      runId: 'run-1',
      expiresAtMs: EXPIRES_AT_MS,
      keyId: 'k0',
    });
    expect(Object.values(verifier.rejected).every((n) => n === 0)).toBe(true);
  });

  it('answers a repeated question from its cache', () => {
    const { ring, forgetKeys } = removableRing();
    const verifier = new ProbeVerifier(ring, { now: () => EXPIRES_AT_MS - 1 });
    const value = token();
    expect(verifier.verify(value, TRACE_ID)).toBeDefined();
    forgetKeys(); // a fresh check would now refuse the token as unknown-key
    expect(verifier.verify(value, TRACE_ID)).toBeDefined();
    // The cache is keyed by trace too: another trace is a fresh check.
    expect(verifier.verify(value, OTHER_TRACE_ID)).toBeUndefined();
    expect(verifier.rejected['unknown-key']).toBe(1);
  });

  it('still refuses a cached token once it has expired (fake clock)', () => {
    const { ring, forgetKeys } = removableRing();
    let nowMs = EXPIRES_AT_MS - 10_000;
    const verifier = new ProbeVerifier(ring, { now: () => nowMs, clockSkewMs: SKEW_MS });
    const value = token();
    expect(verifier.verify(value, TRACE_ID)).toBeDefined();
    forgetKeys(); // so the answers below can only come from the cache

    nowMs = EXPIRES_AT_MS + SKEW_MS;
    expect(verifier.verify(value, TRACE_ID)).toBeDefined();
    nowMs = EXPIRES_AT_MS + SKEW_MS + 1;
    expect(verifier.verify(value, TRACE_ID)).toBeUndefined();
    expect(verifier.rejected.expired).toBe(1);
    expect(verifier.rejected['unknown-key']).toBe(0);
  });

  it('counts refusals by reason, once per (token, trace) however many spans ask', () => {
    const { ring } = removableRing();
    const verifier = new ProbeVerifier(ring, { now: () => EXPIRES_AT_MS - 1 });
    const valid = token();
    verifier.verify('x'.repeat(257), TRACE_ID);
    verifier.verify(12345, TRACE_ID);
    verifier.verify('garbage', TRACE_ID);
    verifier.verify('garbage', TRACE_ID);
    verifier.verify(token('run-1', TRACE_ID, parseProbeKeyRing('k9:another-secret-16-chars')), TRACE_ID);
    verifier.verify(valid, OTHER_TRACE_ID);
    const late = new ProbeVerifier(ring, { now: () => EXPIRES_AT_MS + 60_000 });
    late.verify(valid, TRACE_ID);

    // The same oversized value asked again (every span of one request asks) counts once.
    const huge = 'y'.repeat(300);
    verifier.verify(huge, TRACE_ID);
    verifier.verify(huge, TRACE_ID);

    expect(verifier.rejected).toEqual({
      oversized: 3,
      malformed: 1,
      'unknown-key': 1,
      'bad-signature': 1,
      expired: 0,
    });
    expect(late.rejected.expired).toBe(1);
  });

  it('keeps its cache bounded, evicting the least recently used answer', () => {
    const { ring, forgetKeys } = removableRing();
    const verifier = new ProbeVerifier(ring, { now: () => EXPIRES_AT_MS - 1, cacheSize: 2 });
    const [a, b, c] = [token('run-a', TRACE_ID, ring), token('run-b', TRACE_ID, ring), token('run-c', TRACE_ID, ring)];
    verifier.verify(a, TRACE_ID);
    verifier.verify(b, TRACE_ID);
    verifier.verify(a, TRACE_ID); // a is now the most recently used
    verifier.verify(c, TRACE_ID); // evicts b
    forgetKeys();
    expect(verifier.verify(a, TRACE_ID)?.runId).toBe('run-a');
    expect(verifier.verify(c, TRACE_ID)?.runId).toBe('run-c');
    expect(verifier.verify(b, TRACE_ID)).toBeUndefined();
    expect(verifier.rejected['unknown-key']).toBe(1);
  });
});
