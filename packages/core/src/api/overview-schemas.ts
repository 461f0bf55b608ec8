import { z } from 'zod';
import { incidentSchema, incidentKindSchema } from './incident-schemas';
import { runBudgetSchema, runSummarySchema, verdictSchema } from './run-schemas';

/** The windows the overview and the flow map summarise over. */
export const OVERVIEW_WINDOWS = ['15m', '1h', '6h', '24h'] as const;
export const overviewWindowSchema = z.enum(OVERVIEW_WINDOWS);
/** A window of the overview and the flow map. */
export type OverviewWindow = z.infer<typeof overviewWindowSchema>;

export const windowStatsSchema = z.object({
  /** Runs (or hops) in the window. */
  count: z.number(),
  /** Of which blamed a place. */
  faults: z.number(),
  /** Of which hoptrace could not judge (storage trouble). */
  unknown: z.number(),
  /** Share of judged runs that were ok (availability); absent with nothing judged. */
  okRatio: z.number().optional(),
  p50Ms: z.number().optional(),
  p95Ms: z.number().optional(),
  p99Ms: z.number().optional(),
  maxMs: z.number().optional(),
});
/** Counts and latency percentiles over a window. */
export type WindowStats = z.infer<typeof windowStatsSchema>;

export const runCellSchema = z.object({
  runId: z.string(),
  state: z.enum(['pending', 'done']),
  verdict: verdictSchema.optional(),
  firedAt: z.string(),
  totalMs: z.number().optional(),
  /** Where it went wrong, in words: `notifier (notifier-1)`. */
  where: z.string().optional(),
});
/** One cell of a probe's strip of recent runs. */
export type RunCell = z.infer<typeof runCellSchema>;

export const seriesPointSchema = z.object({
  /** Start of the bucket (epoch ms). */
  startMs: z.number(),
  count: z.number(),
  faults: z.number(),
  unknown: z.number(),
  p50Ms: z.number().optional(),
  p95Ms: z.number().optional(),
});
/** One time bucket of a probe's latency chart. */
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

export const incidentMarkerSchema = z.object({
  id: z.string(),
  state: z.enum(['open', 'resolved']),
  kind: incidentKindSchema,
  service: z.string(),
  instance: z.string().optional(),
  startedAtMs: z.number(),
  resolvedAtMs: z.number().optional(),
});
/** An incident drawn on a probe's latency chart. */
export type IncidentMarker = z.infer<typeof incidentMarkerSchema>;

export const probeOverviewSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  enabled: z.boolean(),
  /** Schedule, as written in the config (`10s`). */
  every: z.string(),
  path: z.array(z.string()),
  /** A journey's steps, by name, in order (journeys only; `path` is then every step's, one after the other). */
  steps: z.array(z.string()).optional(),
  budget: runBudgetSchema.optional(),
  /** The probe over the window: availability and end-to-end latency. */
  stats: windowStatsSchema,
  /** Most recent runs first (pending ones included), at most `cells`. */
  recent: z.array(runCellSchema),
  /** The most recent run that blamed a place, stored or not in `recent`. */
  lastFailure: runSummarySchema.optional(),
  /** The window cut into equal buckets, oldest first. */
  series: z.object({ bucketMs: z.number(), points: z.array(seriesPointSchema) }),
  /** Incidents of this probe that overlap the window. */
  incidents: z.array(incidentMarkerSchema),
});
/** One probe's block on the overview. */
export type ProbeOverview = z.infer<typeof probeOverviewSchema>;

export const overviewSchema = z.object({
  window: overviewWindowSchema,
  generatedAt: z.string(),
  /** Whether storage answered: with `unavailable`, stored parts (strips, incidents) are empty, not zero. */
  storage: z.enum(['ok', 'unavailable']),
  openIncidents: z.array(incidentSchema),
  probes: z.array(probeOverviewSchema),
});
/** GET /api/overview. */
export type Overview = z.infer<typeof overviewSchema>;

export const flowInstanceSchema = z.object({
  instance: z.string(),
  /** Runs that went through this instance (among those considered). */
  count: z.number(),
  /** Runs whose fault was put on this instance. */
  faults: z.number(),
  /** The worst verdict blamed on this instance, `ok` when none. */
  worst: verdictSchema,
  p95Ms: z.number().optional(),
});
/** An instance of a service on the flow map. */
export type FlowInstance = z.infer<typeof flowInstanceSchema>;

export const flowNodeSchema = z.object({
  service: z.string(),
  /** In the probe's expected path (false: seen, but not expected). */
  expected: z.boolean(),
  count: z.number(),
  /** Runs whose fault was put on this service (any instance, or the service as a whole). */
  faults: z.number(),
  /** Runs lost here: this service was the first missing hop. */
  lost: z.number(),
  worst: verdictSchema,
  p95Ms: z.number().optional(),
  instances: z.array(flowInstanceSchema),
});
/** A service on the flow map. */
export type FlowNode = z.infer<typeof flowNodeSchema>;

export const flowEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Part of the expected path (false: drawn dashed). */
  expected: z.boolean(),
  /** Runs that went along this edge (the callee's hop was seen after the caller's). */
  count: z.number(),
  /** p95 of the callee's hop duration over this edge. */
  p95Ms: z.number().optional(),
  /** Runs that reached `from` but never `to` (lost on this edge). */
  lost: z.number(),
});
/** A call from one service to the next on the flow map. */
export type FlowEdge = z.infer<typeof flowEdgeSchema>;

export const probeFlowSchema = z.object({
  probe: z.string(),
  path: z.array(z.string()),
  /** Classified runs the map is built from (the most recent in the window, at most `maxRuns`). */
  runs: z.number(),
  nodes: z.array(flowNodeSchema),
  edges: z.array(flowEdgeSchema),
});
/** One probe's flow: its expected path, and what runs did on it. */
export type ProbeFlow = z.infer<typeof probeFlowSchema>;

export const flowMapSchema = z.object({
  window: overviewWindowSchema,
  generatedAt: z.string(),
  probes: z.array(probeFlowSchema),
});
/** GET /api/map. */
export type FlowMap = z.infer<typeof flowMapSchema>;
