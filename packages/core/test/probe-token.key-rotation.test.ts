import { describe, expect, it } from 'vitest';
import { checkProbeToken, signProbeToken, type ProbeClaims } from '../src/probe-token';
import { parseProbeKeyRing } from '../src/secret-keys';

const OLD = 'old-secret-0123456789';
const NEW = 'new-secret-9876543210';
const traceId = '0af7651916cd43dd8448eb211c80319c';
const nowMs = 1_700_000_000_000;
const claims: ProbeClaims = { probe: 'deposit-voicemail', runId: 'run-1', expiresAtMs: nowMs + 60_000 };

describe('probe token: key rotation', () => {
  const before = parseProbeKeyRing(`k1:${OLD}`);
  const during = parseProbeKeyRing(`k2:${NEW},k1:${OLD}`);
  const after = parseProbeKeyRing(`k2:${NEW}`);

  it('signs with the first key of the ring', () => {
    expect(during.signing.id).toBe('k2');
    expect(signProbeToken(claims, traceId, during).split('.')[1]).toBe('k2');
  });

  it('still verifies tokens signed by the old key while it is listed', () => {
    const oldToken = signProbeToken(claims, traceId, before);
    expect(checkProbeToken(oldToken, traceId, during, { nowMs })).toEqual({
      ok: true,
      probe: { ...claims, keyId: 'k1' },
    });
  });

  it('verifies tokens of the new key on services that already rotated', () => {
    const newToken = signProbeToken(claims, traceId, during);
    expect(checkProbeToken(newToken, traceId, after, { nowMs })).toMatchObject({ ok: true, probe: { keyId: 'k2' } });
  });

  it('refuses old-key tokens once the old key is removed from the ring', () => {
    const oldToken = signProbeToken(claims, traceId, before);
    expect(checkProbeToken(oldToken, traceId, after, { nowMs })).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('refuses a token that claims the old key id but is signed with the new secret', () => {
    const relabelled = signProbeToken(claims, traceId, parseProbeKeyRing(`k1:${NEW}`));
    expect(checkProbeToken(relabelled, traceId, during, { nowMs })).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
