import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_PROBE_NAME,
  ATTR_RUN_ID,
  ATTR_USER_AGENT_SYNTHETIC_TYPE,
  SYNTHETIC_TYPE_TEST,
  newRunId,
  signProbeToken,
  type ProbeKeyRing,
} from '@hoptrace/core';
import { runPathFields } from '../classifier/expected-path';
import type { JourneyStepPlan, RunRecord, StepOutcome, TriggerOutcome } from '../classifier/types';
import type { JourneyStepDefinition, ProbeDefinition } from '../config/probe-config-schema';
import type { TriggerPlugin } from '../plugins/types';
import type { OamRedis } from '../store/redis-client';
import type { RunStore } from '../store/run-store';
import type { StorageHealth } from '../store/storage-health';
import { builtinTriggers } from '../triggers/builtin-triggers';
import { runCarrier } from '../triggers/run-carrier';
import { TriggerSet } from '../triggers/trigger-set';
import { substituteCaptures, type Captured } from './captures';

/** How much longer than the run's deadline a token stays valid (time for the last hop to start). */
const TOKEN_GRACE_MS = 30_000;
/** The journey step a span fires, on the step's span. */
const ATTR_STEP_NAME = 'hoptrace.step.name';

/** What firing a run gave. */
export interface FiredRun {
  run: RunRecord;
  /** What the trigger did (a journey: its first step's); undefined when the run could not be recorded (and so was not fired). */
  trigger?: TriggerOutcome;
  /** A journey: what became of each step. */
  steps?: StepOutcome[];
  /** The run could not be recorded in storage: its verdict is `unknown`. */
  storageError?: string;
}

/** What the runner needs. */
export interface ProbeRunnerDeps {
  store: RunStore;
  redis: OamRedis;
  keys: ProbeKeyRing;
  tracer: Tracer;
  storageHealth: StorageHealth;
  /** Trigger plugins loaded from the config, besides the built-in ones. */
  plugins?: readonly TriggerPlugin[];
  /** Where plugins log. */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
  now?: () => number;
}

/** The longest a run of the probe may take: a journey's steps each poll as long as they may, then wait their whole timeout. */
export function runLengthMs(probe: ProbeDefinition): number {
  return probe.steps.reduce((sum, step) => sum + (step.poll?.within ?? 0) + step.timeout, 0);
}

function budgetOf(step: JourneyStepDefinition): RunRecord['budget'] {
  return step.budget ? { totalMs: step.budget.total, hopsMs: step.budget.hops } : undefined;
}

/**
 * Fires probe runs: each run is a real root span whose context (W3C traceparent, plus the
 * signed probe token in baggage) goes with the trigger. The run is recorded as pending before
 * the trigger is sent, so the collector can always account for it. A journey's steps fire one
 * after the other, each under a span of its own in the run's trace, so that the hops of each
 * step descend from its span. Never throws.
 */
export class ProbeRunner {
  private readonly _now: () => number;
  private readonly _triggers: TriggerSet;
  private _closing = false;

  constructor(private readonly _deps: ProbeRunnerDeps) {
    this._now = _deps.now ?? Date.now;
    this._triggers = new TriggerSet([...builtinTriggers(_deps.redis), ...(_deps.plugins ?? [])], _deps.log);
  }

  async fire(probe: ProbeDefinition): Promise<FiredRun> {
    const runId = newRunId();
    const root = this._deps.tracer.startSpan(
      `probe ${probe.name}`,
      {
        kind: probe.journey ? SpanKind.INTERNAL : SpanKind.CLIENT,
        root: true,
        attributes: {
          [ATTR_PROBE_NAME]: probe.name,
          [ATTR_RUN_ID]: runId,
          [ATTR_USER_AGENT_SYNTHETIC_TYPE]: SYNTHETIC_TYPE_TEST,
        },
      },
      ROOT_CONTEXT,
    );
    const run = this._record(probe, runId, root.spanContext().traceId);
    try {
      await this._deps.store.createRun(run);
      // Storage that took half the run's time to record it is failing (a hung Redis, a cluster
      // failing over): fired now, the trigger would get the time left at most, and a service
      // would be blamed for hoptrace's own delay.
      const recordMs = this._now() - run.firedAtMs;
      if (recordMs > (run.deadlineMs - run.firedAtMs) / 2) {
        throw new Error(`storage took ${Math.round(recordMs)} ms to record the run, too long to fire it`);
      }
      this._deps.storageHealth.success();
    } catch (error) {
      this._deps.storageHealth.failure(error);
      root.setStatus({ code: SpanStatusCode.ERROR, message: 'run could not be recorded' });
      root.end();
      return { run, storageError: (error as Error).message };
    }
    const token = signProbeToken(
      { probe: probe.name, runId, expiresAtMs: run.deadlineMs + TOKEN_GRACE_MS },
      run.traceId,
      this._deps.keys,
    );
    const rootContext = trace.setSpan(ROOT_CONTEXT, root);
    const fired = probe.journey
      ? await this._fireJourney(probe, run, rootContext, token)
      : await this._fireSingle(probe.steps[0]!, run, root, rootContext, token);
    if (!fired.trigger?.ok)
      root.setStatus({ code: SpanStatusCode.ERROR, message: fired.trigger?.error ?? 'a step failed' });
    root.end();
    try {
      if (fired.trigger) await this._deps.store.recordTrigger(runId, fired.trigger);
      this._deps.storageHealth.success();
    } catch (error) {
      // The run is recorded; only the trigger's outcome is missing. The collector copes.
      this._deps.storageHealth.failure(error);
    }
    return { run, ...fired };
  }

  /** The run as recorded before anything is sent: what it must do and by when. */
  private _record(probe: ProbeDefinition, runId: string, traceId: string): RunRecord {
    const firedAtMs = this._now();
    if (!probe.journey) {
      const step = probe.steps[0]!;
      const budget = budgetOf(step);
      return {
        runId,
        probe: probe.name,
        traceId,
        firedAtMs,
        deadlineMs: firedAtMs + probe.timeout,
        ...runPathFields(step.path),
        ...(budget ? { budget } : {}),
      };
    }
    const steps: JourneyStepPlan[] = probe.steps.map((step) => {
      const budget = budgetOf(step);
      return {
        name: step.name,
        ...runPathFields(step.path),
        timeoutMs: step.timeout,
        ...(budget ? { budget } : {}),
        ...(step.cleanup ? { cleanup: true } : {}),
      };
    });
    return {
      runId,
      probe: probe.name,
      traceId,
      firedAtMs,
      deadlineMs: firedAtMs + runLengthMs(probe),
      path: steps.flatMap((step) => step.path),
      steps,
    };
  }

  private async _fireSingle(
    step: JourneyStepDefinition,
    run: RunRecord,
    root: Span,
    rootContext: Context,
    token: string,
  ): Promise<Pick<FiredRun, 'trigger'>> {
    const trigger = await this._triggers.fire(
      step.trigger.kind,
      { runId: run.runId, probe: run.probe, traceId: run.traceId, deadlineMs: run.deadlineMs },
      runCarrier(rootContext, token),
      step.trigger.options,
    );
    if (trigger.status !== undefined) root.setAttribute('http.response.status_code', trigger.status);
    return { trigger };
  }

  /**
   * Fires a journey's steps in order. A step whose trigger fails stops the journey: the steps
   * after it are skipped, but cleanup steps run whatever happened (with the values captured so
   * far). Each step's outcome is recorded as soon as it is known.
   */
  private async _fireJourney(
    probe: ProbeDefinition,
    run: RunRecord,
    rootContext: Context,
    token: string,
  ): Promise<Pick<FiredRun, 'trigger' | 'steps'>> {
    const captured: Captured = {};
    const outcomes: StepOutcome[] = [];
    let failed: string | undefined;
    for (const [index, step] of probe.steps.entries()) {
      let outcome: StepOutcome;
      const options = substituteCaptures(step.trigger.options, captured);
      if (this._closing) outcome = { skipped: 'the Oamserver stopped before this step' };
      else if (failed !== undefined && !step.cleanup) outcome = { skipped: `step ${failed} failed before it` };
      else if (options.missing.length > 0) {
        outcome = {
          skipped: `it needs ${options.missing.map((name) => `\${${name}}`).join(', ')}, which no earlier step captured`,
        };
      } else outcome = await this._fireStep(probe, step, run, rootContext, token, options.value);
      outcomes.push(outcome);
      Object.assign(captured, outcome.trigger?.captured);
      if (!step.cleanup && (outcome.skipped !== undefined || !outcome.trigger?.ok)) failed ??= step.name;
      try {
        await this._deps.store.recordStep(run.runId, index, outcome);
      } catch (error) {
        this._deps.storageHealth.failure(error);
      }
    }
    const entry = outcomes[0]?.trigger;
    return { steps: outcomes, ...(entry ? { trigger: entry } : {}) };
  }

  /** One step: its trigger, fired again every `poll.every` until it answers as expected or `poll.within` has passed. */
  private async _fireStep(
    probe: ProbeDefinition,
    step: JourneyStepDefinition,
    run: RunRecord,
    rootContext: Context,
    token: string,
    options: unknown,
  ): Promise<StepOutcome> {
    const firstAtMs = this._now();
    const pollUntilMs = firstAtMs + (step.poll?.within ?? 0);
    const earlierSpanIds: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const span = this._deps.tracer.startSpan(
        `step ${step.name}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { [ATTR_PROBE_NAME]: probe.name, [ATTR_RUN_ID]: run.runId, [ATTR_STEP_NAME]: step.name },
        },
        rootContext,
      );
      const firedAtMs = this._now();
      const trigger = await this._triggers.fire(
        step.trigger.kind,
        {
          runId: run.runId,
          probe: probe.name,
          step: step.name,
          traceId: run.traceId,
          deadlineMs: firedAtMs + step.timeout,
        },
        runCarrier(trace.setSpan(rootContext, span), token),
        options,
      );
      if (!trigger.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: trigger.error });
      span.end();
      const spanId = span.spanContext().spanId;
      const again = !trigger.ok && step.poll && !this._closing && this._now() + step.poll.every < pollUntilMs;
      if (!again) {
        return {
          spanId,
          firedAtMs,
          trigger,
          attempts: attempt,
          ...(earlierSpanIds.length > 0 ? { earlierSpanIds } : {}),
        };
      }
      earlierSpanIds.push(spanId);
      await new Promise((resolve) => setTimeout(resolve, step.poll!.every));
    }
  }

  /** Stops firing journey steps, aborts triggers in flight and closes the trigger plugins. */
  close(): Promise<void> {
    this._closing = true;
    return this._triggers.close();
  }
}
