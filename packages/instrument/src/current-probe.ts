import { context as api, createContextKey, propagation, trace, type Context } from '@opentelemetry/api';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import { getInstrumentationState } from './global-state';
import type { ProbeInfo } from './types';

/**
 * Context key under which the messaging helpers keep a probe verified against its origin trace
 * (when the trace context was lost on the way, the baggage token no longer matches the trace).
 */
export const VERIFIED_PROBE_KEY = createContextKey('hoptrace verified probe');

/**
 * The probe this code runs for, or undefined for ordinary traffic. Verified: a forged,
 * expired or tampered token gives undefined. Use it to keep synthetic data apart (a test
 * mailbox, no real SMS).
 */
export function currentProbe(ctx: Context = api.active()): ProbeInfo | undefined {
  try {
    const kept = ctx.getValue(VERIFIED_PROBE_KEY) as ProbeInfo | undefined;
    if (kept) return kept;
    const verifier = getInstrumentationState()?.verifier;
    if (!verifier) return undefined;
    const token = propagation.getBaggage(ctx)?.getEntry(PROBE_BAGGAGE_KEY)?.value;
    const traceId = trace.getSpanContext(ctx)?.traceId;
    if (token === undefined || traceId === undefined) return undefined;
    const probe = verifier.verify(token, traceId);
    return probe ? { name: probe.probe, runId: probe.runId } : undefined;
  } catch {
    return undefined;
  }
}

/** The request shape `probeMiddleware` writes to. */
export interface ProbeAwareRequest {
  /** The verified probe of this request, or undefined for ordinary traffic. */
  hoptraceProbe?: ProbeInfo;
}

/**
 * Express middleware that puts the verified probe (or undefined) on `req.hoptraceProbe`.
 * `app.use(probeMiddleware())`, then `if (req.hoptraceProbe) { ...synthetic path... }`.
 */
export function probeMiddleware(): (req: ProbeAwareRequest, res: unknown, next: () => void) => void {
  return (req, _res, next) => {
    req.hoptraceProbe = currentProbe();
    next();
  };
}
