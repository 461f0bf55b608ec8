import {
  DEFAULT_CLOCK_SKEW_MS,
  MAX_PROBE_TOKEN_LENGTH,
  checkProbeToken,
  type ProbeKeyRing,
  type ProbeTokenRejection,
  type VerifiedProbe,
} from '@hoptrace/core';

/** Options of `ProbeVerifier`. */
export interface ProbeVerifierOptions {
  /** Grace after a token's expiry for clocks that disagree. Default 30 000 ms. */
  clockSkewMs?: number;
  /** Most recent (token, trace) checks remembered, so each span of a run does not re-hash. Default 256. */
  cacheSize?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

type CacheEntry = { ok: true; probe: VerifiedProbe } | { ok: false; reason: ProbeTokenRejection };

/**
 * Checks probe tokens against the trace they arrived on, remembering recent answers in a
 * small LRU (every span of a probe run asks the same question). Refusals are counted by reason,
 * once per (token, trace) pair, not once per span.
 */
export class ProbeVerifier {
  /** Tokens refused so far, by reason. */
  readonly rejected: Record<ProbeTokenRejection, number> = {
    oversized: 0,
    malformed: 0,
    'unknown-key': 0,
    'bad-signature': 0,
    expired: 0,
  };
  private readonly _cache = new Map<string, CacheEntry>();
  private readonly _cacheSize: number;
  private readonly _clockSkewMs: number;
  private readonly _now: () => number;
  /** The last oversized value refused: every span of one request hands in the same string. */
  private _lastOversized: unknown;

  constructor(
    private readonly _keys: ProbeKeyRing,
    options: ProbeVerifierOptions = {},
  ) {
    this._cacheSize = options.cacheSize ?? 256;
    this._clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    this._now = options.now ?? Date.now;
  }

  /** The verified probe, or undefined when the token makes this ordinary traffic. Never throws. */
  verify(token: unknown, traceId: string): VerifiedProbe | undefined {
    if (typeof token !== 'string' || token.length > MAX_PROBE_TOKEN_LENGTH) {
      if (token !== this._lastOversized) this.rejected.oversized++;
      this._lastOversized = token;
      return undefined;
    }
    const key = `${traceId}|${token}`;
    let entry = this._cache.get(key);
    if (entry) {
      // Refresh LRU position.
      this._cache.delete(key);
      this._cache.set(key, entry);
    } else {
      entry = checkProbeToken(token, traceId, this._keys, { nowMs: this._now(), clockSkewMs: this._clockSkewMs });
      this._cache.set(key, entry);
      if (this._cache.size > this._cacheSize) this._cache.delete(this._cache.keys().next().value as string);
      // Counted once per (token, trace), not once per span that asks.
      if (!entry.ok) this.rejected[entry.reason]++;
    }
    if (!entry.ok) return undefined;
    // A remembered token still expires.
    if (this._now() > entry.probe.expiresAtMs + this._clockSkewMs) {
      this.rejected.expired++;
      return undefined;
    }
    return entry.probe;
  }
}
