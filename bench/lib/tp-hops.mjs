// The synthetic platform of the throughput bench (bench/oamserver-throughput.mjs) and of the
// classifier bench (bench/classifier.mjs): five services in a chain, each with many instances, and
// the hop records one probe run leaves there, as the drop-in's exporter would write them (schema of
// packages/core/src/hop-record.ts: one record per service, linked by span ids, each caller's exit
// naming the next hop's address). Outcomes: ok, slow (a hop over its budget), error (the last
// service fails, its callers answer 502), lost (the last service is down: its caller's call is
// refused and no hop comes back).
import { randomBytes } from 'node:crypto';

/** The path every probe of the bench takes. */
export const SERVICES = ['gateway', 'orders', 'pricing', 'inventory', 'ledger'];
/** The one hop with a budget (the others are judged against their learned baseline). */
export const BUDGETED = { service: 'pricing', ms: 200 };
/** The run's total budget. */
export const TOTAL_BUDGET_MS = 2000;
/** What the gateway answers for a run that got through, and for one that failed downstream. */
export const OK_STATUS = 200;
export const FAILED_STATUS = 502;
export const OUTCOMES = ['ok', 'slow', 'error', 'lost'];
/** The default mix of outcomes, in percent. */
export const DEFAULT_MIX = { ok: 90, slow: 5, error: 2, lost: 3 };

const hex = (bytes) => randomBytes(bytes).toString('hex');
const between = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** `pricing-042`: instance `i` of a service. */
export const instanceName = (service, i) => `${service}-${String(i).padStart(3, '0')}`;
/** Where an instance answers (what a caller's exit names as its peer). */
export const instanceAddress = (instance) => `${instance}.svc.cluster.local:8080`;

/** Picks an outcome from a mix of percentages (`{ ok: 90, slow: 5, ... }`). */
export function outcomePicker(mix) {
  const total = OUTCOMES.reduce((sum, o) => sum + (mix[o] ?? 0), 0);
  return () => {
    let x = Math.random() * total;
    for (const outcome of OUTCOMES) {
      x -= mix[outcome] ?? 0;
      if (x < 0) return outcome;
    }
    return 'ok';
  };
}

/** Parses `ok=90,slow=5,error=2,lost=3` (missing outcomes are 0). Throws on anything else. */
export function parseMix(raw) {
  const mix = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const part of raw.split(',')) {
    const [name, value] = part.split('=');
    const n = Number(value);
    if (!OUTCOMES.includes(name) || !Number.isFinite(n) || n < 0) {
      throw new Error(`--mix takes ${OUTCOMES.map((o) => `${o}=N`).join(',')}, got "${raw}"`);
    }
    mix[name] = n;
  }
  if (OUTCOMES.every((o) => mix[o] === 0)) throw new Error('--mix needs at least one outcome above 0');
  return mix;
}

/** Picks a random instance of each service among `instances` spread evenly over the services. */
export function instancePicker(instances) {
  const perService = Math.max(1, Math.floor(instances / SERVICES.length));
  return (service) => instanceName(service, Math.floor(Math.random() * perService));
}

/**
 * The hop records of one run and what the gateway answered:
 * `{ hops, outcome, status, entryDurationMs }`. `startMs` is when the trigger reached the gateway.
 */
export function runHops({ runId, probe, traceId, triggerSpanId, startMs, outcome, pickInstance }) {
  const depth = SERVICES.length;
  const reached = outcome === 'lost' ? depth - 1 : depth;
  const instances = SERVICES.map((s) => pickInstance(s));
  // Durations from the deepest hop up: own work before and after its call, plus the call.
  const own = SERVICES.map((service, i) => {
    const pre = between(300, 4000);
    let post = between(200, 3000);
    if (outcome === 'slow' && service === BUDGETED.service) post += between(300_000, 400_000);
    if (i === depth - 1) post += between(1000, 12_000); // the ledger's database call
    return { pre, post };
  });
  const spanIds = SERVICES.map(() => hex(8));
  const exitIds = SERVICES.map(() => hex(8));
  const durations = new Array(depth).fill(0);
  const network = 400;
  for (let i = reached - 1; i >= 0; i--) {
    const callee = i + 1 < reached ? durations[i + 1] + 2 * network : i + 1 < depth ? 1000 : 0;
    durations[i] = own[i].pre + callee + own[i].post;
  }
  const hops = [];
  let startUs = startMs * 1000 + network;
  for (let i = 0; i < reached; i++) {
    const service = SERVICES[i];
    const failing = outcome === 'error' || (outcome === 'lost' && i === reached - 1);
    const deepest = outcome === 'error' && i === depth - 1;
    const exits = [];
    if (i + 1 < depth) {
      const exit = { spanId: exitIds[i], atUs: own[i].pre, peer: instanceAddress(instances[i + 1]) };
      if (outcome === 'lost' && i === reached - 1) exit.unreached = 'ECONNREFUSED';
      exits.push(exit);
    } else {
      exits.push({ spanId: hex(8), atUs: own[i].pre, peer: 'ledger-db.svc.cluster.local:5432' });
    }
    const hop = {
      v: 1,
      runId,
      probe,
      traceId,
      spanId: spanIds[i],
      parentSpanId: i === 0 ? triggerSpanId : exitIds[i - 1],
      kind: 'server',
      service,
      instance: instances[i],
      operation: i === 0 ? 'POST /orders' : `POST /${service}/check`,
      startUs,
      durationUs: durations[i],
      status: failing ? 'error' : 'ok',
      httpStatus: failing ? (deepest ? 500 : FAILED_STATUS) : 200,
      exits,
    };
    if (failing) {
      hop.errorType = deepest ? 'LedgerUnavailableError' : 'UpstreamError';
      hop.errorMessage = deepest
        ? 'ledger write rejected: database connection pool exhausted'
        : `call to ${SERVICES[i + 1]} failed${outcome === 'lost' && i === reached - 1 ? ': connect ECONNREFUSED' : ': 5xx'}`;
    }
    hops.push(hop);
    startUs += own[i].pre + network;
  }
  const failed = outcome === 'error' || outcome === 'lost';
  return { hops, outcome, status: failed ? FAILED_STATUS : OK_STATUS, entryDurationMs: durations[0] / 1000 };
}

/** The run record the Oamserver stores for a probe of the bench (see RunRecord in the classifier). */
/** The HTTP trigger's outcome for a run made by runHops, as the Oamserver records it. */
export function triggerOutcome(made) {
  return {
    kind: 'http',
    ok: made.status === OK_STATUS,
    delivered: true,
    status: made.status,
    expectedStatus: OK_STATUS,
    durationMs: made.entryDurationMs + 1.5,
    ...(made.status === OK_STATUS ? {} : { error: `expected HTTP ${OK_STATUS}, got ${made.status}` }),
  };
}

export function runRecord({ runId, probe, traceId, firedAtMs, timeoutMs = 5000 }) {
  return {
    runId,
    probe,
    traceId,
    firedAtMs,
    deadlineMs: firedAtMs + timeoutMs,
    path: [...SERVICES],
    budget: { totalMs: TOTAL_BUDGET_MS, hopsMs: { [BUDGETED.service]: BUDGETED.ms } },
  };
}

/** A fresh run id, trace id and trigger span id. */
export function newIds(nowMs = Date.now()) {
  return {
    runId: `${nowMs.toString(36).padStart(9, '0')}-${hex(6)}`,
    traceId: hex(16),
    triggerSpanId: hex(8),
  };
}
