// Builds runs of any shape for the tests of richer expected paths (a service visited twice, optional
// services, groups in any order), which the fixed deposit-voicemail topology of hops.ts cannot
// draw: a run is a tree of calls, `['gateway', 'mailbox', ['recorder', 'storage']]` (the gateway
// calls the mailbox, then the recorder, which calls storage). Parent span ids match the caller's
// exits and durations nest, as in hops.ts.
import type { HopRecord } from '@hoptrace/core';
import { classify } from '../../src/classifier/classify';
import { runPathFields, type PathStep } from '../../src/classifier/expected-path';
import type { Classification, ClassifyInput, RunRecord, TriggerOutcome } from '../../src/classifier/types';
import { FIRED_AT_MS, OTHER_TRACE_ID, PROBE, PROBE_SPAN_ID, RUN_ID, RUN_TRACE_ID, TIMEOUT_MS, hopRecord } from './hops';

/** A service and, after it, the calls it makes, in order. */
export type CallTree = string | readonly [string, ...CallTree[]];

/** Runs with missing hops are classified at their deadline. */
export const AT_DEADLINE_MS = TIMEOUT_MS + 250;

const OWN_WORK_US = 1000;
const NET_US = 200;

let exitCounter = 0;
/** Span id of an outgoing call (apart from hops.ts's ids, so they never collide). */
function exitSpanId(): string {
  exitCounter += 1;
  return (0x2000_0000_0000 + exitCounter).toString(16).padStart(16, '0');
}

/**
 * The hop records of a run that went through `tree`, in causal (depth-first) order: hop i is the
 * i-th service written. Instances are `<service>-1` unless `instances` names one per hop index.
 */
export function treeHops(tree: CallTree, instances: Record<number, string> = {}): HopRecord[] {
  const records: HopRecord[] = [];
  const visit = (node: CallTree, startUs: number, parentSpanId: string): number => {
    const [service, ...calls] = typeof node === 'string' ? [node] : node;
    const record = hopRecord(service, { startUs, parentSpanId });
    const index = records.push(record) - 1;
    if (instances[index] !== undefined) record.instance = instances[index];
    let t = OWN_WORK_US / 2;
    const exits: NonNullable<HopRecord['exits']> = [];
    for (const call of calls) {
      const exit = { spanId: exitSpanId(), atUs: t };
      exits.push(exit);
      t += visit(call, startUs + t + NET_US, exit.spanId) + 2 * NET_US;
    }
    if (exits.length > 0) record.exits = exits;
    record.durationUs = t + OWN_WORK_US / 2;
    // A consumer's record says how long its message waited; here, not at all.
    if (record.kind === 'consumer') record.queueWaitUs = 0;
    return record.durationUs;
  };
  visit(tree, FIRED_AT_MS * 1000 + NET_US, PROBE_SPAN_ID);
  return records;
}

/** A chain: each service calls the next. */
export function chain(services: readonly string[]): CallTree {
  if (services.length === 0) throw new Error('a chain needs a service');
  return services
    .slice(0, -1)
    .reduceRight<CallTree>((callee, service) => [service, callee], services[services.length - 1]!);
}

/** The hop arrives under another trace: its context was lost on the way. */
export function loseContext(hop: HopRecord): void {
  hop.traceId = OTHER_TRACE_ID;
  hop.originTraceId = RUN_TRACE_ID;
  delete hop.parentSpanId;
}

/** The run record of a probe with this path (as the runner stores it: runPathFields). */
export function runWithPath(path: readonly PathStep[]): RunRecord {
  return {
    runId: RUN_ID,
    probe: PROBE,
    traceId: RUN_TRACE_ID,
    firedAtMs: FIRED_AT_MS,
    deadlineMs: FIRED_AT_MS + TIMEOUT_MS,
    ...runPathFields(path),
  };
}

/** Classifies a run of a probe with `path` whose hops are `hops`, at its deadline. */
export function classifyWithPath(
  path: readonly PathStep[],
  hops: HopRecord[] | undefined,
  input: Partial<ClassifyInput> = {},
): Classification {
  const trigger: TriggerOutcome = { kind: 'http', ok: true, delivered: true, status: 200, durationMs: 20 };
  return classify({ run: runWithPath(path), trigger, hops, ...input }, AT_DEADLINE_MS);
}
