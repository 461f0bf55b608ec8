import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapSetter,
  propagation,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_PROBE_NAME,
  ATTR_RUN_ID,
  ATTR_USER_AGENT_SYNTHETIC_TYPE,
  MESSAGE_PUBLISHED_AT_FIELD,
  PROBE_BAGGAGE_KEY,
  PROBE_MESSAGE_FIELD,
  SYNTHETIC_TYPE_TEST,
  newRunId,
  signProbeToken,
  type ProbeKeyRing,
} from '@hoptrace/core';
import type { RunRecord, TriggerOutcome } from '../classifier/types';
import type { ProbeDefinition } from '../config/probe-config-schema';
import type { OamRedis } from '../store/redis-client';
import type { RunStore } from '../store/run-store';
import type { StorageHealth } from '../store/storage-health';
import { BrokerClients } from './broker-triggers';
import { fireHttpTrigger } from './http-trigger';
import { fireStreamTrigger } from './stream-trigger';

/** How much longer than the probe's timeout a token stays valid (time for the last hop to start). */
const TOKEN_GRACE_MS = 30_000;

/** What firing a run gave. */
export interface FiredRun {
  run: RunRecord;
  /** What the trigger did; undefined when the run could not be recorded (and so was not fired). */
  trigger?: TriggerOutcome;
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
  now?: () => number;
}

const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

/**
 * Fires probe runs: each run is a real root span whose context (W3C traceparent, plus the
 * signed probe token in baggage) goes with the trigger. The run is recorded as pending before
 * the trigger is sent, so the collector can always account for it. Never throws.
 */
export class ProbeRunner {
  private readonly _now: () => number;
  private readonly _brokers = new BrokerClients();

  constructor(private readonly _deps: ProbeRunnerDeps) {
    this._now = _deps.now ?? Date.now;
  }

  async fire(probe: ProbeDefinition): Promise<FiredRun> {
    const runId = newRunId();
    const span = this._deps.tracer.startSpan(
      `probe ${probe.name}`,
      {
        kind: SpanKind.CLIENT,
        root: true,
        attributes: {
          [ATTR_PROBE_NAME]: probe.name,
          [ATTR_RUN_ID]: runId,
          [ATTR_USER_AGENT_SYNTHETIC_TYPE]: SYNTHETIC_TYPE_TEST,
        },
      },
      ROOT_CONTEXT,
    );
    const firedAtMs = this._now();
    const run: RunRecord = {
      runId,
      probe: probe.name,
      traceId: span.spanContext().traceId,
      firedAtMs,
      deadlineMs: firedAtMs + probe.timeout,
      path: [...probe.path],
      ...(probe.budget ? { budget: { totalMs: probe.budget.total, hopsMs: probe.budget.hops } } : {}),
    };
    try {
      await this._deps.store.createRun(run);
      this._deps.storageHealth.success();
    } catch (error) {
      this._deps.storageHealth.failure(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'run could not be recorded' });
      span.end();
      return { run, storageError: (error as Error).message };
    }

    const token = signProbeToken(
      { probe: probe.name, runId, expiresAtMs: run.deadlineMs + TOKEN_GRACE_MS },
      run.traceId,
      this._deps.keys,
    );
    const baggage = propagation.createBaggage({ [PROBE_BAGGAGE_KEY]: { value: token } });
    const context = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, span), baggage);
    const carrier: Record<string, string> = {};
    propagator.inject(context, carrier, defaultTextMapSetter);

    // A message carries the probe field too: a consumer that loses the trace context still
    // reports a context-broken hop rather than none.
    const messageFields = { ...carrier, [PROBE_MESSAGE_FIELD]: `${run.traceId}:${token}` };
    const { http, redisStream, rabbitmq, nats } = probe.trigger;
    const trigger = http
      ? await fireHttpTrigger(http, carrier, probe.timeout)
      : rabbitmq
        ? await this._brokers.fireRabbitmq(
            rabbitmq,
            { ...messageFields, [MESSAGE_PUBLISHED_AT_FIELD]: String(Date.now()) },
            probe.timeout,
          )
        : nats
          ? await this._brokers.fireNats(
              nats,
              { ...messageFields, [MESSAGE_PUBLISHED_AT_FIELD]: String(Date.now()) },
              probe.timeout,
            )
          : await fireStreamTrigger(this._deps.redis, redisStream!, messageFields);
    if (!trigger.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: trigger.error });
    if (trigger.status !== undefined) span.setAttribute('http.response.status_code', trigger.status);
    span.end();
    try {
      await this._deps.store.recordTrigger(runId, trigger);
      this._deps.storageHealth.success();
    } catch (error) {
      // The run is recorded; only the trigger's outcome is missing. The collector copes.
      this._deps.storageHealth.failure(error);
    }
    return { run, trigger };
  }

  /** Closes the broker connections of message triggers. */
  close(): Promise<void> {
    return this._brokers.close();
  }
}
