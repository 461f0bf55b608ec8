import { randomBytes } from 'node:crypto';
import { PROBE_BAGGAGE_KEY, newRunId, parseProbeKeyRing, signProbeToken } from '@hoptrace/core';

/** The secret every test service is started with. */
export const TEST_SECRET = 'integration-test-secret-0123456789';

/** Headers of one probe request, as the Oamserver would send them, and the ids they carry. */
export interface ProbeRequest {
  headers: Record<string, string>;
  traceId: string;
  /** The caller's span id: the parent of the first hop. */
  parentSpanId: string;
  runId: string;
  token: string;
}

/** Builds `traceparent` and `baggage` for a probe run (a fresh trace unless one is given). */
export function probeRequest(
  options: {
    probe?: string;
    runId?: string;
    secret?: string;
    traceId?: string;
    expiresAtMs?: number;
    sampled?: boolean;
  } = {},
): ProbeRequest {
  const traceId = options.traceId ?? randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  const runId = options.runId ?? newRunId();
  const token = signProbeToken(
    { probe: options.probe ?? 'test-probe', runId, expiresAtMs: options.expiresAtMs ?? Date.now() + 60_000 },
    traceId,
    parseProbeKeyRing(options.secret ?? TEST_SECRET),
  );
  return {
    headers: {
      traceparent: `00-${traceId}-${parentSpanId}-${options.sampled === false ? '00' : '01'}`,
      baggage: `${PROBE_BAGGAGE_KEY}=${token}`,
    },
    traceId,
    parentSpanId,
    runId,
    token,
  };
}
