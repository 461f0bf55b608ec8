import { z } from 'zod';
import type { HopRecord } from '@hoptrace/core';
import {
  faultSchema,
  hopViewSchema,
  runBudgetSchema,
  stepViewSchema,
  triggerOutcomeSchema,
  verdictFactsSchema,
  verdictSchema,
  type Fault,
  type TriggerOutcome,
} from '@hoptrace/core/api';
import { pathStepSchema } from '../config/path-schema';
import type { Baseline, BaselineRule } from './baseline-rule';

// The shapes the API serves (verdicts, hops, faults, facts) are owned by the API contract in
// @hoptrace/core/api; the classifier produces exactly them.
export { VERDICTS, isFault } from '@hoptrace/core/api';
export type { ClockSkew, Fault, HopView, StepView, TriggerOutcome, Verdict, VerdictFacts } from '@hoptrace/core/api';

/** Whether a fault is at this hop's place: its service, and its instance when the fault names one. */
export function blames(fault: Fault | undefined, hop: { service: string; instance: string }): boolean {
  return (
    fault !== undefined &&
    fault.service === hop.service &&
    (fault.instance === undefined || fault.instance === hop.instance)
  );
}

// The shapes below are stored in Redis with the run (store/run-store.ts) and parsed with these
// schemas when read back; each type is the schema's, so the two cannot drift apart.

/** One step of a journey as fired: what it must do. */
export const journeyStepPlanSchema = z.object({
  name: z.string(),
  path: z.array(z.string()),
  /** The step's path as written, when it has structure (see RunRecord.pathSteps). */
  pathSteps: z.array(pathStepSchema).optional(),
  budget: runBudgetSchema.optional(),
  /** Time for the step's hops to report after its trigger fired. */
  timeoutMs: z.number(),
  cleanup: z.boolean().optional(),
});
/** One step of a journey as fired: what it must do. */
export type JourneyStepPlan = z.infer<typeof journeyStepPlanSchema>;

/** A run as fired: what it must do and by when. Stored with the run, so config edits do not change runs in flight. */
export const runRecordSchema = z.object({
  runId: z.string(),
  probe: z.string(),
  traceId: z.string(),
  firedAtMs: z.number(),
  deadlineMs: z.number(),
  /** The expected services, flattened in order (repeats kept, optional ones included). */
  path: z.array(z.string()),
  /** The path as written, when it has optional services or `anyOrder` groups (expected-path.ts); else `path` says it all. */
  pathSteps: z.array(pathStepSchema).optional(),
  budget: runBudgetSchema.optional(),
  /** A journey's steps, in order (journeys only; `path` is then every step's path, one after the other). */
  steps: z.array(journeyStepPlanSchema).optional(),
});
/** A run as fired: what it must do and by when. Stored with the run, so config edits do not change runs in flight. */
export type RunRecord = z.infer<typeof runRecordSchema>;

/** What became of one step of a journey, as the runner recorded it. */
export const stepOutcomeSchema = z.object({
  /** The span of the step's (last) attempt: the step's hops descend from it. */
  spanId: z.string().optional(),
  /** Spans of earlier attempts of a polling step: their hops are kept, not judged. */
  earlierSpanIds: z.array(z.string()).optional(),
  firedAtMs: z.number().optional(),
  trigger: triggerOutcomeSchema.optional(),
  attempts: z.number().optional(),
  /** Why the step did not run. */
  skipped: z.string().optional(),
});
/** What became of one step of a journey, as the runner recorded it. */
export type StepOutcome = z.infer<typeof stepOutcomeSchema>;

/** The verdict of one run, with the facts behind it. */
export const classificationSchema = z.object({
  verdict: verdictSchema,
  fault: faultSchema.optional(),
  facts: verdictFactsSchema,
  hops: z.array(hopViewSchema),
  /** A journey: each step, classified (classify-journey.ts). */
  steps: z.array(stepViewSchema).optional(),
});
/** The verdict of one run, with the facts behind it. */
export type Classification = z.infer<typeof classificationSchema>;

/** What the classifier needs. */
export interface ClassifyInput {
  run: RunRecord;
  trigger?: TriggerOutcome;
  /** The run's hop records; undefined when storage could not be read. */
  hops: HopRecord[] | undefined;
  /** Storage was unavailable at some time during the run: missing hops may be our own gap. */
  storageGap?: boolean;
  /** The Oamserver stopped before it recorded what the trigger did. */
  triggerUnrecorded?: boolean;
  /** Skew above this is flagged. Default 1000 ms. */
  skewThresholdMs?: number;
  /** Who answered at an address (`host:port`) in earlier runs: names the instance a call that left no hop was meant for. */
  peers?: (peer: string) => { service: string; instance: string | undefined } | undefined;
  /** The service that usually calls a service (learned from earlier runs). */
  callerOf?: (service: string) => string | undefined;
  /** The usual latency of a hop at an instance, for hops that have no budget. */
  baseline?: (service: string, instance: string) => Baseline | undefined;
  /** How a hop is judged slow against its baseline. Default: 3 × p90, at least 100 ms, after 20 samples. */
  baselineRule?: BaselineRule;
}
