// Builds realistic probe runs for the classifier tests: the deposit-voicemail chain
// gateway → mailbox, gateway → recorder → storage → (Redis Stream) → notifier, on one true clock,
// with parent span ids that match the caller's exits and durations that nest. One host's clock can
// be shifted to see what skew does to the records.
import type { HopRecord } from '@hoptrace/core';
import { classify } from '../../src/classifier/classify';
import type { Classification, ClassifyInput, RunRecord, TriggerOutcome } from '../../src/classifier/types';

export const PROBE = 'deposit-voicemail';
export const RUN_ID = '0mfq3k2a1-3f9c0a7e12bd';
export const RUN_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
/** The trace a hop starts when the run's context was lost on the way to it. */
export const OTHER_TRACE_ID = 'a3ce929d0e0e47364bf92f3577b34da6';
/** The Oamserver's root span of the run: the gateway's parent. */
export const PROBE_SPAN_ID = '00f067aa0ba902b7';
/** When the Oamserver fired the run (its wall clock, epoch ms). */
export const FIRED_AT_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
export const TIMEOUT_MS = 5000;
export const PATH: readonly string[] = ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'];
export const BUDGET: NonNullable<RunRecord['budget']> = { totalMs: 800, hopsMs: { recorder: 200 } };

/** One way network latency between services, µs. */
const NET_US = 400;
/** Time to XADD a message, µs. */
const PUBLISH_US = 300;

interface ServiceSpec {
  kind: 'server' | 'consumer';
  operation: string;
  /** Time spent in the service itself, ms (half before its calls, half after). */
  workMs: number;
  /** Services it calls (server) or publishes to (consumer), in order. */
  calls: string[];
}

const TOPOLOGY: Record<string, ServiceSpec> = {
  gateway: { kind: 'server', operation: 'POST /calls/:number/voicemail', workMs: 2, calls: ['mailbox', 'recorder'] },
  mailbox: { kind: 'server', operation: 'GET /mailboxes/:number/greeting', workMs: 4, calls: [] },
  recorder: { kind: 'server', operation: 'POST /recordings', workMs: 20, calls: ['storage'] },
  storage: { kind: 'server', operation: 'POST /messages', workMs: 8, calls: ['notifier'] },
  notifier: { kind: 'consumer', operation: 'voicemail.deposited process', workMs: 30, calls: [] },
};

/** What to change about one service's hop. */
export interface HopOverride {
  workMs?: number;
  instance?: string;
  status?: 'ok' | 'error';
  httpStatus?: number;
  errorType?: string;
  errorMessage?: string;
  /** The hop arrives under a new trace (its context was lost on the way), with the run's trace as origin. */
  lostContext?: boolean;
}

/** How to build a run. */
export interface ChainOptions {
  /** Per-service changes. */
  hops?: Record<string, HopOverride>;
  /** Who calls whom (replaces the default topology for the services named). */
  calls?: Record<string, string[]>;
  /** Services that handled the run but wrote no hop record (crashed, not instrumented, record dropped). */
  silent?: string[];
  /** Host clock offsets by service, ms: the host's wall clock reads true time + offset. */
  skewMs?: Record<string, number>;
  /** True time the message waits in the queue before a consumer takes it, ms. Default 3. */
  queueWaitMs?: number;
  /** The run's expected path. Default PATH. */
  path?: string[];
  /** The run's budgets; `null` for none. Default BUDGET. */
  budget?: RunRecord['budget'] | null;
  /** Changes to what the trigger did. */
  trigger?: Partial<TriggerOutcome>;
  /** The address (`host:port`) each service is called at: the caller's exit toward it names it as its `peer`. */
  peers?: Record<string, string>;
  /** Calls a service makes to addresses where nothing instrumented answers (a third party): exits with that peer and no hop. */
  extraCalls?: Record<string, string[]>;
  /** Calls that reached no process (`{ peer: 'ECONNREFUSED' }`): the exit toward that address carries the code. */
  unreached?: Record<string, string>;
}

/** A built run: what the classifier gets, plus what really happened. */
export interface BuiltRun {
  run: RunRecord;
  trigger: TriggerOutcome;
  hops: HopRecord[];
  /** End of the last hop after firing, true time, ms. */
  trueEndMs: number;
  /** The collector's observed window: the run was classified a quarter second after its last hop ended. */
  observedWindowMs: number;
}

let spanCounter = 0;
function nextSpanId(): string {
  spanCounter += 1;
  return (0x1000_0000_0000 + spanCounter).toString(16).padStart(16, '0');
}

/** The hop record of `service` in a run, from the default topology (for tests that build hops by hand). */
export function hopRecord(service: string, fields: Partial<HopRecord> = {}): HopRecord {
  const spec = specOf(service);
  return {
    v: 1,
    runId: RUN_ID,
    probe: PROBE,
    traceId: RUN_TRACE_ID,
    spanId: nextSpanId(),
    kind: spec.kind,
    service,
    instance: `${service}-1`,
    operation: spec.operation,
    startUs: FIRED_AT_MS * 1000,
    durationUs: spec.workMs * 1000,
    status: 'ok',
    ...fields,
  };
}

function specOf(service: string): ServiceSpec {
  return TOPOLOGY[service] ?? { kind: 'server', operation: `POST /${service}`, workMs: 3, calls: [] };
}

/** Builds the deposit-voicemail run as the Oamserver would read it back from Redis. */
export function buildRun(options: ChainOptions = {}): BuiltRun {
  const silent = new Set(options.silent ?? []);
  const queueWaitUs = Math.round((options.queueWaitMs ?? 3) * 1000);
  const records: HopRecord[] = [];
  let trueEndUs = 0;

  const skewUs = (service: string): number => Math.round((options.skewMs?.[service] ?? 0) * 1000);

  /** Builds a hop starting at `trueStartUs` (true clock), returns its duration. */
  const hop = (service: string, trueStartUs: number, parentSpanId: string | undefined, traceId: string): number => {
    const spec = specOf(service);
    const override = options.hops?.[service] ?? {};
    const lostContext = override.lostContext === true;
    const ownTrace = lostContext ? OTHER_TRACE_ID : traceId;
    const workUs = Math.round((override.workMs ?? spec.workMs) * 1000);
    const exits: NonNullable<HopRecord['exits']> = [];
    let t = Math.round(workUs / 2);
    for (const peer of options.extraCalls?.[service] ?? []) {
      const unreached = options.unreached?.[peer];
      exits.push({ spanId: nextSpanId(), atUs: t, peer, ...(unreached ? { unreached } : {}) });
      t += 2 * NET_US;
    }
    for (const child of options.calls?.[service] ?? spec.calls) {
      const exitSpanId = nextSpanId();
      const peer = options.peers?.[child];
      const unreached = peer !== undefined ? options.unreached?.[peer] : undefined;
      exits.push({
        spanId: exitSpanId,
        atUs: t,
        ...(peer !== undefined ? { peer } : {}),
        ...(unreached ? { unreached } : {}),
      });
      if (specOf(child).kind === 'consumer') {
        // Published to a stream: the consumer takes it after the queue wait; the publisher goes on.
        hop(child, trueStartUs + t + PUBLISH_US + queueWaitUs, exitSpanId, ownTrace);
        t += PUBLISH_US;
      } else {
        t += hop(child, trueStartUs + t + NET_US, exitSpanId, ownTrace) + 2 * NET_US;
      }
    }
    const durationUs = t + (workUs - Math.round(workUs / 2));
    trueEndUs = Math.max(trueEndUs, trueStartUs + durationUs);
    if (silent.has(service)) return durationUs;

    const offsetUs = skewUs(service);
    const record: HopRecord = {
      v: 1,
      runId: RUN_ID,
      probe: PROBE,
      traceId: ownTrace,
      spanId: nextSpanId(),
      kind: spec.kind,
      service,
      instance: override.instance ?? `${service}-1`,
      operation: spec.operation,
      startUs: trueStartUs + offsetUs,
      durationUs,
      status: override.status ?? 'ok',
    };
    if (parentSpanId !== undefined && !lostContext) record.parentSpanId = parentSpanId;
    if (lostContext) record.originTraceId = traceId;
    if (spec.kind === 'consumer') {
      // Measured on the consumer's clock against the stream id (Redis's clock), clamped at 0.
      record.queueWaitUs = Math.max(0, queueWaitUs + offsetUs);
    }
    if (exits.length > 0) record.exits = exits;
    if (override.httpStatus !== undefined) record.httpStatus = override.httpStatus;
    if (override.errorType !== undefined) record.errorType = override.errorType;
    if (override.errorMessage !== undefined) record.errorMessage = override.errorMessage;
    records.push(record);
    return durationUs;
  };

  const firedUs = FIRED_AT_MS * 1000;
  const path = options.path ?? [...PATH];
  const entry = path[0] ?? 'gateway';
  const entryDurationUs = hop(entry, firedUs + NET_US, PROBE_SPAN_ID, RUN_TRACE_ID);
  const trueEndMs = (trueEndUs - firedUs) / 1000;
  const budget = options.budget === undefined ? BUDGET : options.budget;
  const run: RunRecord = {
    runId: RUN_ID,
    probe: PROBE,
    traceId: RUN_TRACE_ID,
    firedAtMs: FIRED_AT_MS,
    deadlineMs: FIRED_AT_MS + TIMEOUT_MS,
    path,
    ...(budget ? { budget } : {}),
  };
  const trigger: TriggerOutcome = {
    kind: 'http',
    ok: true,
    delivered: true,
    status: 201,
    expectedStatus: 201,
    durationMs: (entryDurationUs + 2 * NET_US) / 1000,
    ...options.trigger,
  };
  // An HTTP trigger that got no answer has no status.
  if (!trigger.delivered && options.trigger?.status === undefined) delete trigger.status;
  return { run, trigger, hops: records, trueEndMs, observedWindowMs: Math.ceil(trueEndMs) + 250 };
}

/** Builds a run and classifies it, as the collector would. */
export function classifyRun(
  options: ChainOptions = {},
  input: Partial<ClassifyInput> = {},
  observedWindowMs?: number,
): Classification & { built: BuiltRun } {
  const built = buildRun(options);
  const classification = classify(
    { run: built.run, trigger: built.trigger, hops: built.hops, ...input },
    observedWindowMs ?? built.observedWindowMs,
  );
  return { ...classification, built };
}

/** The hop of `service` in a built run. */
export function hopOf(hops: readonly HopRecord[], service: string): HopRecord {
  const found = hops.find((h) => h.service === service);
  if (!found) throw new Error(`no hop from ${service}`);
  return found;
}
