import { createHmac, timingSafeEqual } from 'node:crypto';
import { HoptraceError } from './errors';
import { PROBE_NAME_PATTERN, RUN_ID_PATTERN, TRACE_ID_PATTERN } from './patterns';
import type { ProbeKeyRing } from './secret-keys';

export { PROBE_NAME_PATTERN, RUN_ID_PATTERN, TRACE_ID_PATTERN };

/**
 * The probe token: the signed, expiring value in W3C baggage that makes a request a probe.
 *
 *   v1.<keyId>.<probe>.<runId>.<expiresAtMs>.<mac>
 *   mac = base64url(HMAC-SHA256(key, "v1|keyId|probe|runId|traceId|expiresAtMs"))
 *
 * The MAC covers the trace id, so a token cannot be replayed on another trace, and the expiry,
 * so a captured token dies quickly. Every part uses baggage-safe characters only.
 */
export const PROBE_TOKEN_VERSION = 'v1';

/** Longer values are refused before any parsing or hashing (oversized markers are ordinary traffic). */
export const MAX_PROBE_TOKEN_LENGTH = 256;

/** Default allowance for clocks that disagree between the Oamserver and a service. */
export const DEFAULT_CLOCK_SKEW_MS = 30_000;

const TOKEN_PATTERN =
  /^v1\.([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.([A-Za-z0-9_-]{1,64})\.(0|[1-9]\d{0,14})\.([A-Za-z0-9_-]{43})$/;

/** What a token says, once its signature is checked. */
export interface ProbeClaims {
  /** Probe name, e.g. `deposit-voicemail`. */
  probe: string;
  /** Id of the run this token belongs to. */
  runId: string;
  /** Epoch milliseconds after which the token is refused. */
  expiresAtMs: number;
}

/** A verified token: its claims and the key that signed it. */
export interface VerifiedProbe extends ProbeClaims {
  keyId: string;
}

/** Why a token was refused; every refusal means "ordinary traffic". */
export type ProbeTokenRejection = 'oversized' | 'malformed' | 'unknown-key' | 'bad-signature' | 'expired';

/** Result of checking a token. */
export type ProbeTokenCheck = { ok: true; probe: VerifiedProbe } | { ok: false; reason: ProbeTokenRejection };

/** Options for checking a token. */
export interface VerifyProbeTokenOptions {
  /** Current time in epoch milliseconds (injectable for tests). Default `Date.now()`. */
  nowMs?: number;
  /** Grace after expiry for clock differences between hosts. Default 30 000 ms. */
  clockSkewMs?: number;
}

function mac(secret: Buffer, keyId: string, claims: ProbeClaims, traceId: string): Buffer {
  const payload = [PROBE_TOKEN_VERSION, keyId, claims.probe, claims.runId, traceId, String(claims.expiresAtMs)].join(
    '|',
  );
  return createHmac('sha256', secret).update(payload).digest();
}

/**
 * Signs a token for one run on one trace with the key ring's signing key.
 * Throws HOPTRACE_TOKEN_INVALID when a claim would not survive the token grammar.
 */
export function signProbeToken(claims: ProbeClaims, traceId: string, keys: ProbeKeyRing): string {
  if (!PROBE_NAME_PATTERN.test(claims.probe)) {
    throw new HoptraceError('HOPTRACE_TOKEN_INVALID', `probe name "${claims.probe}" must match ${PROBE_NAME_PATTERN}`);
  }
  if (!RUN_ID_PATTERN.test(claims.runId)) {
    throw new HoptraceError('HOPTRACE_TOKEN_INVALID', `run id "${claims.runId}" must match ${RUN_ID_PATTERN}`);
  }
  if (!TRACE_ID_PATTERN.test(traceId)) {
    throw new HoptraceError('HOPTRACE_TOKEN_INVALID', `trace id "${traceId}" is not a valid W3C trace id`);
  }
  if (!Number.isSafeInteger(claims.expiresAtMs) || claims.expiresAtMs < 0) {
    throw new HoptraceError('HOPTRACE_TOKEN_INVALID', 'expiresAtMs must be a non-negative integer');
  }
  const key = keys.signing;
  const signature = mac(key.secret, key.id, claims, traceId).toString('base64url');
  return [PROBE_TOKEN_VERSION, key.id, claims.probe, claims.runId, claims.expiresAtMs, signature].join('.');
}

/**
 * Checks a token against the trace it arrived on. Never throws: any input, however large or
 * strange, gives a result. Cheap checks (length, grammar) run before the HMAC.
 */
export function checkProbeToken(
  token: unknown,
  traceId: string,
  keys: ProbeKeyRing,
  options: VerifyProbeTokenOptions = {},
): ProbeTokenCheck {
  if (typeof token !== 'string' || token.length > MAX_PROBE_TOKEN_LENGTH) return { ok: false, reason: 'oversized' };
  const match = TOKEN_PATTERN.exec(token);
  if (!match || !TRACE_ID_PATTERN.test(traceId)) return { ok: false, reason: 'malformed' };
  const [, keyId, probe, runId, expires, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const key = keys.byId.get(keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const claims: ProbeClaims = { probe, runId, expiresAtMs: Number(expires) };
  // Compare the base64url text, not the decoded bytes: the 43rd character carries two unused
  // bits, so decoding would accept four spellings of one MAC. Together with the expiry grammar
  // (no leading zeros), only the exact token that was signed verifies.
  const expected = Buffer.from(mac(key.secret, keyId, claims, traceId).toString('base64url'));
  const given = Buffer.from(signature);
  // Lengths are equal by the grammar (43 characters); check anyway, since timingSafeEqual
  // throws on a mismatch.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
  const nowMs = options.nowMs ?? Date.now();
  if (nowMs > claims.expiresAtMs + (options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS))
    return { ok: false, reason: 'expired' };
  return { ok: true, probe: { ...claims, keyId } };
}

/** Convenience form of `checkProbeToken`: the verified probe, or undefined for ordinary traffic. */
export function verifyProbeToken(
  token: unknown,
  traceId: string,
  keys: ProbeKeyRing,
  options?: VerifyProbeTokenOptions,
): VerifiedProbe | undefined {
  const result = checkProbeToken(token, traceId, keys, options);
  return result.ok ? result.probe : undefined;
}
