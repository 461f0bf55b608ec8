import type { HopRecord } from '@hoptrace/core';
import type { Baseline, BaselineRule } from './baseline-rule';

/** The classification of one run. */
export type Verdict =
  'ok' | 'slow' | 'error' | 'lost' | 'context-broken' | 'unexpected-path' | 'trigger-failed' | 'unknown';

/** Every verdict, healthiest first. */
export const VERDICTS: readonly Verdict[] = [
  'ok',
  'slow',
  'error',
  'lost',
  'context-broken',
  'unexpected-path',
  'trigger-failed',
  'unknown',
];

/** Verdicts that blame a place in the platform (everything but ok and unknown). */
export function isFault(verdict: Verdict): boolean {
  return verdict !== 'ok' && verdict !== 'unknown';
}

/** Whether a fault is at this hop's place: its service, and its instance when the fault names one. */
export function blames(fault: Fault | undefined, hop: { service: string; instance: string }): boolean {
  return (
    fault !== undefined &&
    fault.service === hop.service &&
    (fault.instance === undefined || fault.instance === hop.instance)
  );
}

/** What the trigger (the request or message that starts a run) did. */
export interface TriggerOutcome {
  kind: 'http' | 'redisStream';
  /** The trigger was delivered and, for HTTP, answered with the expected status. */
  ok: boolean;
  /** The trigger was delivered at all (an HTTP answer came back, or the message was added). */
  delivered: boolean;
  /** HTTP status answered. */
  status?: number;
  /** HTTP status expected (`2xx` when any success is fine). */
  expectedStatus?: number | '2xx';
  /** Redis Stream message id. */
  messageId?: string;
  /** Why it failed (network error, timeout, unexpected status). */
  error?: string;
  /** Round trip as measured by the Oamserver, on its own monotonic clock. */
  durationMs: number;
}

/** A run as fired: what it must do and by when. Stored with the run, so config edits do not change runs in flight. */
export interface RunRecord {
  runId: string;
  probe: string;
  traceId: string;
  firedAtMs: number;
  deadlineMs: number;
  path: string[];
  budget?: { totalMs?: number; hopsMs?: Record<string, number> };
}

/** One hop as the Oamserver reports it. */
export interface HopView {
  service: string;
  instance: string;
  operation: string;
  kind: 'server' | 'consumer';
  status: 'ok' | 'error';
  durationMs: number;
  /** Start on the reporting host's wall clock (epoch ms): for display; hosts' clocks differ. */
  startMs: number;
  queueWaitMs?: number;
  httpStatus?: number;
  errorType?: string;
  errorMessage?: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** The service is in the probe's path. */
  expected: boolean;
  /** The hop arrived under the run's trace (false: context was lost on the way). */
  onTrace: boolean;
  /** This hop's budget, when one is set. */
  budgetMs?: number;
}

/** Where a fault is, and why. */
export interface Fault {
  service: string;
  instance?: string;
  reason: string;
}

/** A host whose clock disagrees with its caller's. */
export interface ClockSkew {
  service: string;
  instance: string;
  /** How far ahead (positive) or behind (negative) of its caller the host's clock seems. */
  offsetMs: number;
}

/** The facts a verdict rests on. */
export interface VerdictFacts {
  expectedPath: string[];
  /** Services seen, in causal order (as far as the hop links tell). */
  hopsSeen: string[];
  lastHopReached?: string;
  firstMissingHop?: string;
  missingHops: string[];
  extraHops: string[];
  deadlineMs: number;
  /** End-to-end time, from each host's monotonic durations (not from comparing clocks). */
  totalMs?: number;
  totalBudgetMs?: number;
  /** Clocks found to disagree by more than the threshold. */
  clockSkew: ClockSkew[];
  /** Why hoptrace could not tell (for `unknown`). */
  note?: string;
}

/** The verdict of one run, with the facts behind it. */
export interface Classification {
  verdict: Verdict;
  fault?: Fault;
  facts: VerdictFacts;
  hops: HopView[];
}

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
