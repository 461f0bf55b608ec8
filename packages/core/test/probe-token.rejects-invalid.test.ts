import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLOCK_SKEW_MS,
  MAX_PROBE_TOKEN_LENGTH,
  checkProbeToken,
  signProbeToken,
  type ProbeClaims,
} from '../src/probe-token';
import { parseProbeKeyRing } from '../src/secret-keys';

const ring = parseProbeKeyRing('k0:a-secret-of-at-least-16-chars');
const traceId = '0af7651916cd43dd8448eb211c80319c';
const expiresAtMs = 1_700_000_000_000;
const claims: ProbeClaims = { probe: 'retrieve-voicemails', runId: 'run-42', expiresAtMs };
const token = signProbeToken(claims, traceId, ring);
const beforeExpiry = { nowMs: expiresAtMs - 1 };

describe('probe token: each rejection reason', () => {
  it('refuses a token longer than 256 characters as oversized, before parsing', () => {
    const long = `${token}${'A'.repeat(MAX_PROBE_TOKEN_LENGTH + 1 - token.length)}`;
    expect(long.length).toBe(MAX_PROBE_TOKEN_LENGTH + 1);
    expect(checkProbeToken(long, traceId, ring, beforeExpiry)).toEqual({ ok: false, reason: 'oversized' });
  });

  it('parses a 256-character value (the limit is inclusive) and refuses it on its grammar', () => {
    expect(checkProbeToken('x'.repeat(MAX_PROBE_TOKEN_LENGTH), traceId, ring, beforeExpiry)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['v1'], Buffer.from(token)]) {
      expect(checkProbeToken(value, traceId, ring, beforeExpiry)).toEqual({ ok: false, reason: 'oversized' });
    }
  });

  it.each([
    ['empty', ''],
    ['free text', 'hello'],
    ['another version', token.replace(/^v1\./, 'v2.')],
    ['a part missing', token.split('.').slice(0, 5).join('.')],
    ['an extra part', `${token}.x`],
    ['a short mac', token.slice(0, -1)],
    ['a mac with padding', `${token.slice(0, -1)}=`],
    ['whitespace around it', ` ${token} `],
    ['an expiry that is not a number', token.replace(`.${expiresAtMs}.`, '.soon.')],
  ])('refuses %s as malformed', (_label, value) => {
    expect(checkProbeToken(value, traceId, ring, beforeExpiry)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a valid token checked against a trace id that is not a W3C trace id', () => {
    for (const badTraceId of ['', 'xyz', traceId.toUpperCase(), '0'.repeat(32), `${traceId}0`]) {
      expect(checkProbeToken(token, badTraceId, ring, beforeExpiry)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a token whose key id is not in the ring', () => {
    const other = signProbeToken(claims, traceId, parseProbeKeyRing('k9:a-secret-of-at-least-16-chars'));
    expect(checkProbeToken(other, traceId, ring, beforeExpiry)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('refuses a token signed with another secret under the same key id', () => {
    const forged = signProbeToken(claims, traceId, parseProbeKeyRing('k0:another-secret-16-chars-long'));
    expect(forged.split('.')[1]).toBe('k0');
    expect(checkProbeToken(forged, traceId, ring, beforeExpiry)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('accepts a token up to the default clock skew after its expiry, and refuses it one ms later', () => {
    expect(checkProbeToken(token, traceId, ring, { nowMs: expiresAtMs }).ok).toBe(true);
    expect(checkProbeToken(token, traceId, ring, { nowMs: expiresAtMs + DEFAULT_CLOCK_SKEW_MS }).ok).toBe(true);
    expect(checkProbeToken(token, traceId, ring, { nowMs: expiresAtMs + DEFAULT_CLOCK_SKEW_MS + 1 })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('honours a configured clock skew', () => {
    expect(checkProbeToken(token, traceId, ring, { nowMs: expiresAtMs + 5_000, clockSkewMs: 5_000 }).ok).toBe(true);
    expect(checkProbeToken(token, traceId, ring, { nowMs: expiresAtMs + 5_001, clockSkewMs: 5_000 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(checkProbeToken(token, traceId, ring, { nowMs: expiresAtMs + 1, clockSkewMs: 0 })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('uses the real clock when none is given', () => {
    const fresh = signProbeToken({ ...claims, expiresAtMs: Date.now() + 60_000 }, traceId, ring);
    expect(checkProbeToken(fresh, traceId, ring).ok).toBe(true);
    const old = signProbeToken({ ...claims, expiresAtMs: Date.now() - DEFAULT_CLOCK_SKEW_MS - 60_000 }, traceId, ring);
    expect(checkProbeToken(old, traceId, ring)).toEqual({ ok: false, reason: 'expired' });
  });
});
