import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the time of signing, in epoch milliseconds. */
export const TIMESTAMP_HEADER = 'x-hoptrace-timestamp';
/** Header carrying `sha256=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`. */
export const SIGNATURE_HEADER = 'x-hoptrace-signature';
/** Header carrying an id that stays the same across retries of one delivery (for receivers to de-duplicate). */
export const DELIVERY_ID_HEADER = 'x-hoptrace-delivery';
/** How far a receiver should let a timestamp be from its own clock, by default (5 minutes). */
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 300_000;

/**
 * The signature header value of a webhook body. The timestamp is part of what is signed so that
 * a captured request cannot be replayed later than the receiver's tolerance.
 */
export function signWebhookBody(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `sha256=${mac}`;
}

/** What a receiver got, as it got it: the raw body bytes, not a re-serialised parse of them. */
export interface SignedWebhook {
  rawBody: string | Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * Checks a received webhook: a well-formed timestamp within `toleranceMs` of `nowMs`, and a
 * signature equal (in constant time) to the one computed with `secret`. For receivers written
 * in Node; docs/alerts.md shows the same steps for other languages.
 */
export function verifyWebhookSignature(
  received: SignedWebhook,
  secret: string,
  options: { nowMs?: number; toleranceMs?: number } = {},
): boolean {
  const { timestamp, signature } = received;
  if (!timestamp || !/^\d{1,16}$/.test(timestamp) || !signature) return false;
  const nowMs = options.nowMs ?? Date.now();
  if (Math.abs(nowMs - Number(timestamp)) > (options.toleranceMs ?? DEFAULT_SIGNATURE_TOLERANCE_MS)) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, received.rawBody));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; the length of a well-formed signature is public anyway.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
