// Contract-valid API documents for the dashboard's unit tests. Each builder parses its result with
// the schema from @hoptrace/core/api, so a fixture that drifts from the contract fails loudly.
import {
  probeOverviewSchema,
  runSummarySchema,
  runViewSchema,
  type HopView,
  type ProbeOverview,
  type RunSummary,
  type RunView,
} from '@hoptrace/core/api';

export const FIRED = '2026-11-25T14:02:11.000Z';
export const FIRED_MS = Date.parse(FIRED);
export const PATH = ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'];

let span = 0;
export function hop(service: string, patch: Partial<HopView> = {}): HopView {
  span++;
  return {
    service,
    instance: `${service}-1`,
    operation: 'POST /x',
    kind: 'server',
    status: 'ok',
    durationMs: 10,
    startMs: FIRED_MS + 5,
    offsetMs: 5,
    traceId: 'a'.repeat(32),
    spanId: span.toString(16).padStart(16, '0'),
    expected: true,
    onTrace: true,
    ...patch,
  };
}

export function runView(patch: Partial<RunView> = {}): RunView {
  return runViewSchema.parse({
    probe: 'deposit-voicemail',
    runId: 'run-1',
    traceId: 'a'.repeat(32),
    state: 'done',
    verdict: 'ok',
    firedAt: FIRED,
    path: PATH,
    hops: [],
    ...patch,
  });
}

export function runSummary(patch: Partial<RunSummary> = {}): RunSummary {
  return runSummarySchema.parse({
    runId: 'run-1',
    probe: 'deposit-voicemail',
    traceId: 'a'.repeat(32),
    state: 'done',
    verdict: 'ok',
    firedAt: FIRED,
    totalMs: 72,
    hops: [{ service: 'gateway', instance: 'gateway-1', durationMs: 72, status: 'ok', expected: true, onTrace: true }],
    ...patch,
  });
}

export function probeOverview(patch: Partial<ProbeOverview> = {}): ProbeOverview {
  return probeOverviewSchema.parse({
    name: 'deposit-voicemail',
    enabled: true,
    every: '10s',
    path: PATH,
    stats: { count: 0, faults: 0, unknown: 0 },
    recent: [],
    series: { bucketMs: 60_000, points: [] },
    incidents: [],
    ...patch,
  });
}
