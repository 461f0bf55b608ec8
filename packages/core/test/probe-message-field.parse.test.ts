import { describe, expect, it } from 'vitest';
import { PROBE_MESSAGE_FIELD } from '../src/attributes';
import {
  MAX_PROBE_MESSAGE_FIELD_LENGTH,
  formatProbeMessageField,
  parseProbeMessageField,
} from '../src/probe-message-field';
import { MAX_PROBE_TOKEN_LENGTH, checkProbeToken, signProbeToken } from '../src/probe-token';
import { parseProbeKeyRing } from '../src/secret-keys';

const ring = parseProbeKeyRing('k0:a-secret-of-at-least-16-chars');
const traceId = '0af7651916cd43dd8448eb211c80319c';
const expiresAtMs = 1_700_000_000_000;
const token = signProbeToken({ probe: 'deposit-voicemail', runId: 'run-42', expiresAtMs }, traceId, ring);

describe('probe message field', () => {
  it('is named hoptrace-probe and written as <traceId>:<token>', () => {
    expect(PROBE_MESSAGE_FIELD).toBe('hoptrace-probe');
    expect(formatProbeMessageField(traceId, token)).toBe(`${traceId}:${token}`);
  });

  it('reads back what it wrote, and the token still verifies for that trace', () => {
    const field = parseProbeMessageField(formatProbeMessageField(traceId, token));
    expect(field).toEqual({ traceId, token });
    expect(checkProbeToken(field!.token, field!.traceId, ring, { nowMs: expiresAtMs - 1 }).ok).toBe(true);
  });

  it('splits at the first colon: the token is the rest, colons included, even empty', () => {
    expect(parseProbeMessageField(`${traceId}:a:b`)).toEqual({ traceId, token: 'a:b' });
    expect(parseProbeMessageField(`${traceId}:`)).toEqual({ traceId, token: '' });
  });

  it('fits the longest token, and reads up to 300 characters inclusive', () => {
    expect(formatProbeMessageField(traceId, 'x'.repeat(MAX_PROBE_TOKEN_LENGTH)).length).toBeLessThanOrEqual(
      MAX_PROBE_MESSAGE_FIELD_LENGTH,
    );
    const longest = `${traceId}:${'x'.repeat(MAX_PROBE_MESSAGE_FIELD_LENGTH - traceId.length - 1)}`;
    expect(longest.length).toBe(300);
    expect(parseProbeMessageField(longest)?.traceId).toBe(traceId);
    expect(parseProbeMessageField(`${longest}x`)).toBeUndefined();
  });

  it.each([
    ['missing', undefined],
    ['not a string', 42],
    ['a buffer', Buffer.from(`${traceId}:${token}`)],
    ['empty', ''],
    ['no colon', `${traceId}${token}`],
    ['no trace id', `:${token}`],
    ['a short trace id', `${traceId.slice(1)}:${token}`],
    ['an uppercase trace id', `${traceId.toUpperCase()}:${token}`],
    ['the all-zero trace id', `${'0'.repeat(32)}:${token}`],
    ['a colon inside the trace id', `${traceId.slice(0, 16)}:${traceId.slice(16)}:${token}`],
  ])('gives undefined (ordinary traffic) for %s', (_label, value) => {
    expect(parseProbeMessageField(value)).toBeUndefined();
  });
});
