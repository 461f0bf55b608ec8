import { describe, expect, it } from 'vitest';
import { HoptraceError } from '../src/errors';
import {
  MAX_PROBE_TOKEN_LENGTH,
  checkProbeToken,
  signProbeToken,
  verifyProbeToken,
  type ProbeClaims,
} from '../src/probe-token';
import { parseProbeKeyRing } from '../src/secret-keys';

const ring = parseProbeKeyRing('a-secret-of-at-least-16-chars');
const traceId = '0af7651916cd43dd8448eb211c80319c';
const nowMs = 1_700_000_000_000;
const claims: ProbeClaims = {
  probe: 'deposit-voicemail',
  runId: '0lq2x9k3c-3f9c0a7e12bd',
  expiresAtMs: nowMs + 60_000,
};

describe('probe token: sign then verify', () => {
  it('gives back the claims and the signing key id', () => {
    const token = signProbeToken(claims, traceId, ring);
    expect(checkProbeToken(token, traceId, ring, { nowMs })).toEqual({
      ok: true,
      probe: { ...claims, keyId: 'k0' },
    });
    expect(verifyProbeToken(token, traceId, ring, { nowMs })).toEqual({ ...claims, keyId: 'k0' });
  });

  it('writes the documented grammar with baggage-safe characters only', () => {
    const token = signProbeToken(claims, traceId, ring);
    const parts = token.split('.');
    expect(parts.slice(0, 5)).toEqual(['v1', 'k0', claims.probe, claims.runId, String(claims.expiresAtMs)]);
    expect(parts[5]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThanOrEqual(MAX_PROBE_TOKEN_LENGTH);
  });

  it('still fits the length limit with the longest probe name, run id and expiry', () => {
    const longest: ProbeClaims = { probe: 'p'.repeat(64), runId: 'r'.repeat(64), expiresAtMs: 999_999_999_999_999 };
    const token = signProbeToken(longest, traceId, parseProbeKeyRing('k'.repeat(16) + ':' + 's'.repeat(16)));
    expect(token.length).toBeLessThanOrEqual(MAX_PROBE_TOKEN_LENGTH);
    expect(
      verifyProbeToken(token, traceId, parseProbeKeyRing('k'.repeat(16) + ':' + 's'.repeat(16)), { nowMs }),
    ).toMatchObject({ probe: longest.probe, runId: longest.runId });
  });

  it('is deterministic for the same claims, trace and key', () => {
    expect(signProbeToken(claims, traceId, ring)).toBe(signProbeToken(claims, traceId, ring));
  });

  it('verifyProbeToken gives undefined for ordinary traffic', () => {
    expect(verifyProbeToken('not-a-token', traceId, ring, { nowMs })).toBeUndefined();
    expect(verifyProbeToken(undefined, traceId, ring, { nowMs })).toBeUndefined();
  });
});

describe('probe token: signProbeToken refuses claims the grammar cannot carry', () => {
  const cases: [string, ProbeClaims, string][] = [
    ['probe name with a dot', { ...claims, probe: 'deposit.voicemail' }, traceId],
    ['probe name with a space', { ...claims, probe: 'deposit voicemail' }, traceId],
    ['empty probe name', { ...claims, probe: '' }, traceId],
    ['probe name starting with -', { ...claims, probe: '-deposit' }, traceId],
    ['probe name of 65 characters', { ...claims, probe: 'p'.repeat(65) }, traceId],
    ['run id with braces', { ...claims, runId: '{run}' }, traceId],
    ['run id with a dot', { ...claims, runId: 'run.1' }, traceId],
    ['empty run id', { ...claims, runId: '' }, traceId],
    ['run id of 65 characters', { ...claims, runId: 'r'.repeat(65) }, traceId],
    ['upper-case trace id', claims, traceId.toUpperCase()],
    ['all-zero trace id', claims, '0'.repeat(32)],
    ['short trace id', claims, traceId.slice(1)],
    ['negative expiry', { ...claims, expiresAtMs: -1 }, traceId],
    ['fractional expiry', { ...claims, expiresAtMs: 1.5 }, traceId],
    ['NaN expiry', { ...claims, expiresAtMs: Number.NaN }, traceId],
  ];

  it.each(cases)('%s', (_label, badClaims, badTraceId) => {
    let thrown: unknown;
    try {
      signProbeToken(badClaims, badTraceId, ring);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HoptraceError);
    expect((thrown as HoptraceError).code).toBe('HOPTRACE_TOKEN_INVALID');
  });
});
