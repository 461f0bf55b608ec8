import { describe, expect, it } from 'vitest';
import { checkProbeToken, signProbeToken, type ProbeClaims } from '../src/probe-token';
import { parseProbeKeyRing } from '../src/secret-keys';

const ring = parseProbeKeyRing('k7:a-secret-of-at-least-16-chars');
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const otherTraceId = '4bf92f3577b34da6a3ce929d0e0e4737';
const nowMs = 1_700_000_000_000;
const claims: ProbeClaims = { probe: 'deposit-voicemail', runId: 'run-7Xq_z', expiresAtMs: nowMs + 60_000 };
const token = signProbeToken(claims, traceId, ring);

/** Every character a token may hold, plus a few it may not. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.{}:= ';

/** Every token that differs from `token` in exactly one character of the given part. */
function singleCharacterFlips(partIndex: number): string[] {
  const parts = token.split('.');
  const part = parts[partIndex]!;
  const flips: string[] = [];
  for (let i = 0; i < part.length; i++) {
    for (const c of ALPHABET) {
      if (c === part[i]) continue;
      const changed = [...parts];
      changed[partIndex] = part.slice(0, i) + c + part.slice(i + 1);
      flips.push(changed.join('.'));
    }
  }
  return flips;
}

describe('probe token: tampering', () => {
  it('the untouched token verifies (so the refusals below are about the change)', () => {
    expect(checkProbeToken(token, traceId, ring, { nowMs }).ok).toBe(true);
  });

  it('refuses the token replayed on another trace', () => {
    expect(checkProbeToken(token, otherTraceId, ring, { nowMs })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['version', 0],
    ['key id', 1],
    ['probe name', 2],
    ['run id', 3],
    ['expiry', 4],
    ['mac', 5],
  ])('refuses every single-character change of the %s', (_label, partIndex) => {
    const flips = singleCharacterFlips(partIndex);
    expect(flips.length).toBeGreaterThan(0);
    const accepted = flips.filter((flipped) => checkProbeToken(flipped, traceId, ring, { nowMs }).ok);
    expect(accepted).toEqual([]);
  });

  it('refuses the expiry written with a leading zero (only the signed spelling is accepted)', () => {
    const parts = token.split('.');
    parts[4] = `0${parts[4]}`;
    expect(checkProbeToken(parts.join('.'), traceId, ring, { nowMs }).ok).toBe(false);
  });

  it('refuses a later expiry copied onto the token', () => {
    const parts = token.split('.');
    parts[4] = String(claims.expiresAtMs + 3_600_000);
    expect(checkProbeToken(parts.join('.'), traceId, ring, { nowMs })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses the mac of one run moved onto another run', () => {
    const otherRun = signProbeToken({ ...claims, runId: 'run-8' }, traceId, ring);
    const parts = token.split('.');
    parts[5] = otherRun.split('.')[5]!;
    expect(checkProbeToken(parts.join('.'), traceId, ring, { nowMs })).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
