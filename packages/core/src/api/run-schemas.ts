import { z } from 'zod';

// The JSON shapes of runs as the Oamserver's HTTP API serves them. The Oamserver builds them, the
// dashboard and the CLI parse them: one owner for the wire contract.

/** Every verdict, healthiest first. */
export const VERDICTS = [
  'ok',
  'slow',
  'error',
  'lost',
  'context-broken',
  'unexpected-path',
  'trigger-failed',
  'unknown',
] as const;

export const verdictSchema = z.enum(VERDICTS);
/** The classification of one run. */
export type Verdict = z.infer<typeof verdictSchema>;

/** Verdicts that blame a place in the platform (everything but ok and unknown). */
export function isFault(verdict: Verdict): boolean {
  return verdict !== 'ok' && verdict !== 'unknown';
}

export const faultSchema = z.object({
  service: z.string(),
  /** The instance at fault, when known. */
  instance: z.string().optional(),
  reason: z.string(),
  /** The journey step the fault is in (journeys only). */
  step: z.string().optional(),
});
/** Where a fault is, and why. */
export type Fault = z.infer<typeof faultSchema>;

export const clockSkewSchema = z.object({
  service: z.string(),
  instance: z.string(),
  /** How far ahead (positive) or behind (negative) of its caller the host's clock seems. */
  offsetMs: z.number(),
});
/** A host whose clock disagrees with its caller's. */
export type ClockSkew = z.infer<typeof clockSkewSchema>;

export const triggerOutcomeSchema = z.object({
  /** The trigger's kind: a built-in one (`http`, `redisStream`, `rabbitmq`, `nats`) or a plugin's. */
  kind: z.string(),
  /** The trigger was delivered and, for HTTP, answered with the expected status. */
  ok: z.boolean(),
  /** The trigger was delivered at all (an HTTP answer came back, or the message was added). */
  delivered: z.boolean(),
  /** HTTP status answered. */
  status: z.number().optional(),
  /** HTTP status expected (`2xx` when any success is fine). */
  expectedStatus: z.union([z.number(), z.literal('2xx')]).optional(),
  /** Redis Stream message id (or the RabbitMQ message id the trigger set). */
  messageId: z.string().optional(),
  /** Why it failed (network error, timeout, unexpected status). */
  error: z.string().optional(),
  /** What happened, in one line, as the trigger (a plugin) put it. */
  detail: z.string().optional(),
  /** Values the trigger captured for later steps of a journey. */
  captured: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Round trip as measured by the Oamserver, on its own monotonic clock. */
  durationMs: z.number(),
});
/** What the trigger (the request or message that starts a run) did. */
export type TriggerOutcome = z.infer<typeof triggerOutcomeSchema>;

export const hopViewSchema = z.object({
  service: z.string(),
  instance: z.string(),
  operation: z.string(),
  kind: z.enum(['server', 'consumer']),
  status: z.enum(['ok', 'error']),
  durationMs: z.number(),
  /** Start on the reporting host's wall clock (epoch ms): for display; hosts' clocks differ. */
  startMs: z.number(),
  /**
   * When the hop started, in ms after the run was fired, as the classifier estimates it from
   * causal order and monotonic durations (hosts' skewed clocks corrected): the waterfall's offset.
   */
  offsetMs: z.number().optional(),
  queueWaitMs: z.number().optional(),
  httpStatus: z.number().optional(),
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  /** Span id of the hop that called this one (the caller's hop, linked by its outgoing calls), when known. */
  callerSpanId: z.string().optional(),
  /** The service is in the probe's path. */
  expected: z.boolean(),
  /** The hop arrived under the run's trace (false: context was lost on the way). */
  onTrace: z.boolean(),
  /** This hop's budget, when one is set. */
  budgetMs: z.number().optional(),
  /** Above this the hop was slow by its learned baseline (hops without a budget, once learned). */
  slowAboveMs: z.number().optional(),
  /** Link to this hop's span in Jaeger, when JAEGER_UI_URL is set. */
  jaegerUrl: z.string().optional(),
  /** The journey step the hop belongs to (journeys only). */
  step: z.string().optional(),
  /** The hop answered an earlier attempt of a polling step: kept, not judged. */
  earlierAttempt: z.boolean().optional(),
  /**
   * Another hop of the same service had already answered the same call (same trace, same parent
   * span): a replayed probe token or a message delivered twice. Kept and shown, not judged; the
   * hops it caused are flagged too.
   */
  duplicate: z.boolean().optional(),
});
/** One hop as the Oamserver reports it. */
export type HopView = z.infer<typeof hopViewSchema>;

export const verdictFactsSchema = z.object({
  /** The services of the probe's path, flattened in order (repeats kept, optional ones included). */
  expectedPath: z.array(z.string()),
  /** The path as written, when it has optional services or groups: `gateway → cache? → (mailbox | recorder)`. */
  expectedPathText: z.string().optional(),
  /** Services seen, in causal order (as far as the hop links tell). */
  hopsSeen: z.array(z.string()),
  lastHopReached: z.string().optional(),
  firstMissingHop: z.string().optional(),
  missingHops: z.array(z.string()),
  extraHops: z.array(z.string()),
  deadlineMs: z.number(),
  /** End-to-end time, from each host's monotonic durations (not from comparing clocks). */
  totalMs: z.number().optional(),
  totalBudgetMs: z.number().optional(),
  /** Clocks found to disagree by more than the threshold. */
  clockSkew: z.array(clockSkewSchema),
  /** Why hoptrace could not tell (for `unknown`). */
  note: z.string().optional(),
  /** Services with hops flagged `duplicate` (a replayed token, a message delivered twice): not judged. */
  duplicateHops: z.array(z.string()).optional(),
});
/** The facts a verdict rests on. */
export type VerdictFacts = z.infer<typeof verdictFactsSchema>;

/** One step of a journey, as classified. */
export const stepViewSchema = z.object({
  name: z.string(),
  /** The step's expected path. */
  path: z.array(z.string()),
  /** A cleanup step (runs even when an earlier step failed). */
  cleanup: z.boolean().optional(),
  /** Absent when the step did not run (see `skipped`). */
  verdict: verdictSchema.optional(),
  fault: faultSchema.optional(),
  /** Why the step did not run (an earlier step failed, a value it needs was not captured). */
  skipped: z.string().optional(),
  trigger: triggerOutcomeSchema.optional(),
  /** Times the trigger was fired (a polling step may fire it several times). */
  attempts: z.number().int().optional(),
  /** When the step was fired, epoch ms. */
  firedAtMs: z.number().optional(),
});
/** One step of a journey, as classified. */
export type StepView = z.infer<typeof stepViewSchema>;

export const runBudgetSchema = z.object({
  totalMs: z.number().optional(),
  hopsMs: z.record(z.string(), z.number()).optional(),
});

export const runViewSchema = z.object({
  probe: z.string(),
  runId: z.string(),
  traceId: z.string(),
  /** `pending` until classified. */
  state: z.enum(['pending', 'done']),
  verdict: verdictSchema.optional(),
  firedAt: z.string(),
  classifiedAt: z.string().optional(),
  /** The probe's expected path when the run was fired. */
  path: z.array(z.string()).optional(),
  /** The budgets the run was fired with. */
  budget: runBudgetSchema.optional(),
  /** Where the fault is, for any verdict other than ok. */
  fault: faultSchema.optional(),
  hops: z.array(hopViewSchema),
  facts: verdictFactsSchema.optional(),
  trigger: triggerOutcomeSchema.optional(),
  /** A journey's steps, in order (journeys only). */
  steps: z.array(stepViewSchema).optional(),
  clockSkew: z.array(clockSkewSchema).optional(),
  /** Link to the run's trace in Jaeger, when JAEGER_UI_URL is set. */
  jaegerUrl: z.string().optional(),
});
/** A run as the API and the CLI show it (`--json`). */
export type RunView = z.infer<typeof runViewSchema>;

export const hopSummarySchema = z.object({
  service: z.string(),
  instance: z.string(),
  durationMs: z.number(),
  status: z.enum(['ok', 'error']),
  expected: z.boolean(),
  onTrace: z.boolean(),
  /** The service of the hop that called this one, when known. */
  caller: z.string().optional(),
});
/** One hop of a run summary: enough for lists, strips and the flow map. */
export type HopSummary = z.infer<typeof hopSummarySchema>;

export const runSummarySchema = z.object({
  runId: z.string(),
  probe: z.string(),
  traceId: z.string(),
  state: z.enum(['pending', 'done']),
  verdict: verdictSchema.optional(),
  firedAt: z.string(),
  /** End-to-end time, when known. */
  totalMs: z.number().optional(),
  fault: faultSchema.optional(),
  /** First missing hop of the expected path, when one is missing. */
  firstMissingHop: z.string().optional(),
  /** Hops in causal order. */
  hops: z.array(hopSummarySchema),
  jaegerUrl: z.string().optional(),
});
/** A run in a list: verdict, where, how long, and which instances it went through. */
export type RunSummary = z.infer<typeof runSummarySchema>;
