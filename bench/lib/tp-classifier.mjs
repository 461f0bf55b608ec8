// The classifier alone, on one core: classify() from the built @hoptrace/oamserver on pre-built
// runs of the bench's five-hop path (lib/tp-hops.mjs), as the collector calls it (peer directory,
// usual callers and baselines given as lookups), per outcome and for the default mix; then the
// collector's whole in-process work per run around it: decode the five hop records from their
// JSON (with the core's schema check), classify, summarize, and serialize the result and summary
// as finish-run stores them. No I/O: Redis round trips are the throughput bench's business.
import hdr from 'hdr-histogram-js';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { decodeHopRecord } from '@hoptrace/core';
import { classify, summarizeResult } from '@hoptrace/oamserver';
import {
  DEFAULT_MIX,
  triggerOutcome,
  OUTCOMES,
  SERVICES,
  instanceAddress,
  instanceName,
  instancePicker,
  newIds,
  outcomePicker,
  runHops,
  runRecord,
} from './tp-hops.mjs';

const oamserverMain = createRequire(import.meta.url).resolve('@hoptrace/oamserver');
const requireFromOamserver = createRequire(oamserverMain);
// The Oamserver's BaselineStore (not exported: loaded from its build, next to the entry point).
const { BaselineStore } = requireFromOamserver('./stats/baselines.js');

/** Distinct pre-built runs per scenario (cycled through while timing). */
const INPUTS = 2000;
/** Usual p90 of each service's hop (what a learned baseline would say). */
const USUAL_P90_MS = { gateway: 40, orders: 35, pricing: 20, inventory: 15, ledger: 12 };

/** The lookups the collector passes to classify(): peer directory, usual callers, baselines. */
function lookups(instances) {
  const perService = Math.max(1, Math.floor(instances / SERVICES.length));
  const peers = new Map();
  for (const service of SERVICES) {
    for (let i = 0; i < perService; i++) {
      const instance = instanceName(service, i);
      peers.set(instanceAddress(instance), { service, instance });
    }
  }
  const callers = new Map(SERVICES.slice(1).map((s, i) => [s, SERVICES[i]]));
  // As BaselineStore: a cache keyed by the series' JSON id, one entry per instance.
  const baselines = new Map();
  const baseline = (probe) => (service, instance) => {
    const id = JSON.stringify([probe, service, instance]);
    let known = baselines.get(id);
    if (!known) {
      known = { p50Ms: USUAL_P90_MS[service] / 2, p90Ms: USUAL_P90_MS[service], samples: 120 };
      baselines.set(id, known);
    }
    return known;
  };
  return {
    peers: (peer) => peers.get(peer),
    callerOf: (service) => callers.get(service),
    baseline,
  };
}

/** One pre-built run: classify()'s input, the window it is classified at, its hops as stored (JSON). */
function buildInput(outcome, pickInstance, look, i) {
  const firedAtMs = Date.now() - 60_000 + i;
  const probe = `probe-${String(i % 200).padStart(3, '0')}`;
  const { runId, traceId, triggerSpanId } = newIds(firedAtMs);
  const run = runRecord({ runId, probe, traceId, firedAtMs });
  const made = runHops({ runId, probe, traceId, triggerSpanId, startMs: firedAtMs + 1, outcome, pickInstance });
  const trigger = triggerOutcome(made);
  // A complete run is classified at the first pass after its trigger was recorded; a lost one at its deadline.
  const observedWindowMs = outcome === 'lost' ? run.deadlineMs - firedAtMs + 120 : made.entryDurationMs + 150;
  const input = {
    run,
    hops: made.hops,
    trigger,
    triggerUnrecorded: false,
    storageGap: false,
    skewThresholdMs: 1000,
    peers: look.peers,
    callerOf: look.callerOf,
    baseline: look.baseline(probe),
  };
  return { input, observedWindowMs, expected: outcome, hopJson: made.hops.map((h) => JSON.stringify(h)) };
}

/** Runs `fn` over `inputs` round-robin for `seconds`; runs per second, µs per run, CPU used. */
function timeLoop(inputs, fn, seconds, chunk = 256) {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let now = t0;
  // Check the clock every `chunk` runs only: performance.now() is not free.
  while (now < until) {
    for (let k = 0; k < chunk; k++) fn(inputs[(n + k) % inputs.length]);
    n += chunk;
    now = performance.now();
  }
  const elapsedMs = now - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    runs: n,
    elapsedMs: Math.round(elapsedMs),
    runsPerSec: Math.round((n / elapsedMs) * 1000),
    usPerRun: Number(((elapsedMs * 1000) / n).toFixed(2)),
    cpuUsPerRun: Number(((cpu.user + cpu.system) / n).toFixed(2)),
    // Runs per second of CPU: what one core would do undisturbed (the wall clock counts preemption too).
    runsPerCpuSec: Math.round((n / (cpu.user + cpu.system)) * 1e6),
  };
}

/** The per-run latency distribution of `fn` (µs, HDR), from `samples` single timed calls. */
function latencyOf(inputs, fn, samples) {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10_000_000,
    numberOfSignificantValueDigits: 3,
  });
  for (let i = 0; i < samples; i++) {
    const input = inputs[i % inputs.length];
    const t0 = performance.now();
    fn(input);
    histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
  }
  const out = {
    p50Us: histogram.getValueAtPercentile(50),
    p99Us: histogram.getValueAtPercentile(99),
    p999Us: histogram.getValueAtPercentile(99.9),
    maxUs: histogram.maxValue,
  };
  histogram.destroy();
  return out;
}

/**
 * Measures the classifier. Options: `seconds` timed per scenario (after `warmupS`), `instances`
 * (spread over the five services), `mix` (percentages). Returns `{ scenarios, pipeline, checks }`.
 */
export function measureClassifier({ seconds = 3, warmupS = 1, instances = 1000, mix = DEFAULT_MIX, log = () => {} }) {
  const look = lookups(instances);
  const pickInstance = instancePicker(instances);
  const byOutcome = Object.fromEntries(
    OUTCOMES.map((outcome) => [
      outcome,
      Array.from({ length: INPUTS }, (_, i) => buildInput(outcome, pickInstance, look, i)),
    ]),
  );
  const pick = outcomePicker(mix);
  const mixed = Array.from({ length: INPUTS }, (_, i) => byOutcome[pick()][i]);

  // Correctness first: every pre-built run gets the verdict it was built for.
  const checks = [];
  for (const outcome of OUTCOMES) {
    const wrong = byOutcome[outcome].filter((x) => classify(x.input, x.observedWindowMs).verdict !== x.expected);
    if (wrong.length > 0) {
      const got = classify(wrong[0].input, wrong[0].observedWindowMs);
      checks.push(
        `classifier: ${wrong.length}/${INPUTS} "${outcome}" runs got another verdict, e.g. ${got.verdict}: ${got.fault?.reason ?? ''}`,
      );
    }
  }

  const classifyOne = (x) => classify(x.input, x.observedWindowMs);
  const scenarios = [];
  for (const [id, inputs] of [['mix', mixed], ...OUTCOMES.map((o) => [o, byOutcome[o]])]) {
    timeLoop(inputs, classifyOne, warmupS);
    const timed = timeLoop(inputs, classifyOne, seconds);
    const latency = latencyOf(inputs, classifyOne, 20_000);
    scenarios.push({ id, ...timed, ...latency });
    log(`classify() ${id.padEnd(5)}: ${timed.runsPerSec} runs/s, ${timed.usPerRun} µs/run (p99 ${latency.p99Us} µs)`);
  }

  // The same mix with the lookups the Oamserver really passes: its BaselineStore (default cap, as in
  // the server), learned from the healthy hops of an hour of runs of the inputs' 200 probes: 24 runs
  // per probe, two in each 5-minute bucket (a lookup merges the hour's buckets, uncached; what it
  // costs depends on how many hold data and how wide their latencies spread).
  const store = new BaselineStore(Date.now, undefined, 20);
  const nowMs = Date.now();
  const probeNames = [...new Set(byOutcome.ok.map((x) => x.input.run.probe))];
  for (let k = 0; k < 24; k++) {
    for (const probe of probeNames) {
      const atMs = nowMs - 3_540_000 + k * 147_000;
      for (const service of SERVICES) store.record(probe, service, pickInstance(service), 5 + Math.random() * 20, atMs);
    }
  }
  const withStore = mixed.map((x) => ({
    ...x,
    input: { ...x.input, baseline: (service, instance) => store.baseline(x.input.run.probe, service, instance) },
  }));
  const classifyWithStore = (x) => classify(x.input, x.observedWindowMs);
  {
    // The check looks at the first 100.
    const wrong = withStore.slice(0, 100).filter((x) => classifyWithStore(x).verdict !== x.expected).length;
    if (wrong > 0) checks.push(`classifier: ${wrong}/100 runs of the mix got another verdict with the BaselineStore`);
    timeLoop(withStore, classifyWithStore, warmupS, 1);
    const timed = timeLoop(withStore, classifyWithStore, seconds, 1);
    const latency = latencyOf(withStore, classifyWithStore, 50);
    scenarios.push({ id: 'mix+baselines', ...timed, ...latency });
    log(`classify() mix with the Oamserver's BaselineStore: ${timed.runsPerSec} runs/s, ${timed.usPerRun} µs/run`);
  }

  // What the collector does in process per run besides Redis: decode, classify, summarize, serialize.
  const pipelineOne = (x) => {
    const hops = [];
    for (const raw of x.hopJson) {
      const hop = decodeHopRecord(raw);
      if (hop) hops.push(hop);
    }
    const classification = classify({ ...x.input, hops }, x.observedWindowMs);
    const result = { ...classification, run: x.input.run, trigger: x.input.trigger, classifiedAtMs: Date.now() };
    const summary = summarizeResult(result);
    return JSON.stringify(result).length + JSON.stringify(summary).length;
  };
  timeLoop(mixed, pipelineOne, warmupS);
  const pipelineTimed = timeLoop(mixed, pipelineOne, seconds);
  const pipeline = { id: 'mix', ...pipelineTimed, ...latencyOf(mixed, pipelineOne, 20_000) };
  log(`decode + classify + summarize + serialize (mix): ${pipeline.runsPerSec} runs/s, ${pipeline.usPerRun} µs/run`);
  const sizes = mixed.slice(0, 200).map((x) => ({
    hopBytes: x.hopJson.reduce((n, j) => n + j.length, 0),
    hops: x.hopJson.length,
  }));
  const sample = {
    hopRecordBytesAvg: Math.round(sizes.reduce((n, s) => n + s.hopBytes, 0) / sizes.reduce((n, s) => n + s.hops, 0)),
  };
  return { inputsPerScenario: INPUTS, seconds, warmupS, instances, mix, scenarios, pipeline, sample, checks };
}
