import { z } from 'zod';
import { runSummarySchema, verdictSchema } from './run-schemas';

export const incidentKindSchema = verdictSchema.exclude(['ok', 'unknown']);
/** The kinds of fault an incident can be about (every verdict that blames a place). */
export type IncidentKind = z.infer<typeof incidentKindSchema>;

export const incidentSchema = z.object({
  /** Stable id: the place and when it opened. */
  id: z.string(),
  state: z.enum(['open', 'resolved']),
  probe: z.string(),
  service: z.string(),
  /** The instance at fault; absent when the service as a whole is (all instances, or unknown which). */
  instance: z.string().optional(),
  kind: incidentKindSchema,
  /** When the first faulty run of this incident was fired (epoch ms). */
  startedAtMs: z.number(),
  /** When the incident was opened (epoch ms). */
  openedAtMs: z.number(),
  /** When the last faulty run was seen (epoch ms). */
  lastSeenAtMs: z.number(),
  resolvedAtMs: z.number().optional(),
  /** Faulty runs counted in this incident. */
  runsAffected: z.number(),
  /** Worst and typical (median) hop or run latency among the faulty runs, when they had one. */
  worstMs: z.number().optional(),
  typicalMs: z.number().optional(),
  /** A few run ids of faulty runs (the first and the latest ones), to look at. */
  exampleRuns: z.array(z.string()),
  /** The latest reason given by the classifier. */
  reason: z.string(),
  /** Instances seen failing in this incident's runs. */
  instancesFailing: z.array(z.string()).optional(),
  /** Resolved because a service-wide incident of the same kind took it over: that incident's id. */
  mergedInto: z.string().optional(),
});
/** A fault that held across runs at one place (probe × service × instance). */
export type Incident = z.infer<typeof incidentSchema>;

export const incidentListSchema = z.object({ incidents: z.array(incidentSchema) });
/** GET /api/incidents. */
export type IncidentList = z.infer<typeof incidentListSchema>;

export const incidentTimelineEntrySchema = z.object({
  atMs: z.number(),
  type: z.enum(['opened', 'visit', 'resolved']),
  /** For visits: the run, its verdict, and the instance it went through at the incident's service. */
  runId: z.string().optional(),
  verdict: verdictSchema.optional(),
  instance: z.string().optional(),
  latencyMs: z.number().optional(),
});
/** One step of an incident's life. */
export type IncidentTimelineEntry = z.infer<typeof incidentTimelineEntrySchema>;

export const incidentDetailSchema = z.object({
  incident: incidentSchema,
  /** Opened, each faulty visit found among stored runs (newest last, at most `maxVisits`), resolved. */
  timeline: z.array(incidentTimelineEntrySchema),
  /** More faulty visits were stored than the timeline shows. */
  timelineTruncated: z.boolean(),
  examples: z.object({
    firstFailure: runSummarySchema.optional(),
    latestFailure: runSummarySchema.optional(),
    /** The last ok run of the probe through this place (its instance, else its service) before the incident started. */
    lastOkBefore: runSummarySchema.optional(),
  }),
  /** Jaeger's comparison of the last ok run's trace with the latest failed one's, when JAEGER_UI_URL is set. */
  jaegerCompareUrl: z.string().optional(),
});
/** An incident with its story. */
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

export const incidentEventSchema = z.object({
  type: z.enum(['incident.opened', 'incident.updated', 'incident.resolved']),
  /** Epoch ms of the event. */
  atMs: z.number(),
  incident: incidentSchema,
});
/** What happened to an incident. */
export type IncidentEvent = z.infer<typeof incidentEventSchema>;
