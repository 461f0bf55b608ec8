import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../src/alerts/webhook-signature';

const SECRET = 'a-webhook-secret-of-32-characters';
const TIMESTAMP = 1_700_000_000_000;
const BODY = '{"type":"incident.opened"}';
// Computed apart from our code: printf '%s' '1700000000000.{"type":"incident.opened"}' | openssl dgst -sha256 -hmac "$SECRET"
const EXPECTED = 'sha256=11013151995e90c18c710eeb14cc82e338d9bace550dd85e9c3c7a669a9bfa05';

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>', () => {
    expect(signWebhookBody(SECRET, TIMESTAMP, BODY)).toBe(EXPECTED);
    expect(signWebhookBody(SECRET, String(TIMESTAMP), Buffer.from(BODY))).toBe(EXPECTED);
  });

  const received = { rawBody: BODY, timestamp: String(TIMESTAMP), signature: EXPECTED };

  it('verifies a request signed with the secret, within the tolerance', () => {
    expect(verifyWebhookSignature(received, SECRET, { nowMs: TIMESTAMP + 60_000 })).toBe(true);
    expect(verifyWebhookSignature(received, SECRET, { nowMs: TIMESTAMP - 60_000 })).toBe(true);
  });

  it('refuses another body, another secret, another timestamp', () => {
    const now = { nowMs: TIMESTAMP };
    expect(verifyWebhookSignature({ ...received, rawBody: `${BODY} ` }, SECRET, now)).toBe(false);
    expect(verifyWebhookSignature(received, `${SECRET}x`, now)).toBe(false);
    expect(verifyWebhookSignature({ ...received, timestamp: String(TIMESTAMP + 1) }, SECRET, now)).toBe(false);
  });

  it('refuses a timestamp outside the tolerance (a replay), either way', () => {
    expect(verifyWebhookSignature(received, SECRET, { nowMs: TIMESTAMP + 300_001 })).toBe(false);
    expect(verifyWebhookSignature(received, SECRET, { nowMs: TIMESTAMP - 300_001 })).toBe(false);
    expect(verifyWebhookSignature(received, SECRET, { nowMs: TIMESTAMP + 20_000, toleranceMs: 10_000 })).toBe(false);
  });

  it('refuses missing or malformed headers without throwing', () => {
    const now = { nowMs: TIMESTAMP };
    expect(verifyWebhookSignature({ ...received, signature: undefined }, SECRET, now)).toBe(false);
    expect(verifyWebhookSignature({ ...received, timestamp: undefined }, SECRET, now)).toBe(false);
    expect(verifyWebhookSignature({ ...received, timestamp: '17e11' }, SECRET, now)).toBe(false);
    expect(verifyWebhookSignature({ ...received, signature: 'sha256=abc' }, SECRET, now)).toBe(false);
    expect(verifyWebhookSignature({ ...received, signature: EXPECTED.toUpperCase() }, SECRET, now)).toBe(false);
  });
});
