// A synthetic day of probe runs for bench/dashboard-api.mjs: probes of five services each (an
// entry service calls two, the second calls a third, which publishes to a consumer, as in the
// voicemail demo), several instances per service, about 10 % faults of every verdict, some runs
// fired in the same millisecond. Each run is built as the hop records its services would write,
// then classified with the Oamserver's own `classify`, as its collector does. Pure apart from the
// random source.
import { newRunId } from '@hoptrace/core';
import { classify } from '@hoptrace/oamserver';

/** Probe names (more probes than these get `probe-<n>`). */
const PROBE_NAMES = [
  'deposit-voicemail',
  'retrieve-voicemail',
  'forward-call',
  'send-sms',
  'checkout',
  'login',
  'signup',
  'search-catalog',
  'add-to-cart',
  'track-order',
  'refund',
  'invoice-email',
  'password-reset',
  'upload-avatar',
  'export-report',
  'schedule-meeting',
  'book-room',
  'pay-invoice',
  'update-profile',
  'renew-subscription',
];

/** The services, by the role they play in a probe's path; `workMs` is their own typical time. */
const ROLES = {
  entry: ['gateway', 'edge', 'api'],
  first: ['auth', 'mailbox', 'catalog', 'profile', 'cart', 'search'],
  second: ['recorder', 'orders', 'payments', 'billing', 'uploads'],
  third: ['storage', 'ledger', 'inventory', 'files'],
  consumer: ['notifier', 'mailer', 'indexer', 'audit'],
};
const WORK_MS = { entry: 2, first: 4, second: 20, third: 8, consumer: 30 };
/** Instances per service (default 3). */
const INSTANCES = { gateway: 6, edge: 4, api: 4, storage: 4, notifier: 2, audit: 2 };
/** An instance that handles about 0.3 % of its service's visits (a canary): the bench's "rare instance". */
export const RARE_INSTANCE = { service: 'storage', instance: 'storage-9', share: 0.003 };

/** Share of runs of each fault verdict the history is built with (the rest are ok). */
export const FAULT_MIX = {
  slow: 0.04,
  error: 0.02,
  lost: 0.02,
  'context-broken': 0.005,
  'unexpected-path': 0.005,
  'trigger-failed': 0.005,
  unknown: 0.005,
};
/** Share of runs fired in the same millisecond as the run fired just before them (another probe's). */
export const SAME_MS_SHARE = 0.03;

const TIMEOUT_MS = 5000;
const LATE_MS = TIMEOUT_MS + 250;
const NET_US = 400;
const PUBLISH_US = 300;

/** The probes of the bench: name, path (5 services), budgets, and the trigger URL (a closed port). */
export function benchProbes(count) {
  return Array.from({ length: count }, (_, i) => {
    const pick = (role, stride) => ROLES[role][(i * stride + Math.floor(i / ROLES[role].length)) % ROLES[role].length];
    const path = [pick('entry', 1), pick('first', 1), pick('second', 1), pick('third', 1), pick('consumer', 3)];
    return {
      name: PROBE_NAMES[i] ?? `probe-${String(i + 1).padStart(2, '0')}`,
      path,
      budget: { totalMs: 800, hopsMs: { [path[2]]: 200 } },
    };
  });
}

const roleOf = (probe, service) => ['entry', 'first', 'second', 'third', 'consumer'][probe.path.indexOf(service)];

function operationOf(service, role) {
  return role === 'consumer' ? `${service}.events process` : `POST /${service}`;
}

/** An instance of a service: round-robin-ish (random), the rare canary now and then. */
function instanceOf(service, random) {
  if (service === RARE_INSTANCE.service && random() < RARE_INSTANCE.share) return RARE_INSTANCE.instance;
  return `${service}-${1 + Math.floor(random() * (INSTANCES[service] ?? 3))}`;
}

/** A duration around `ms`: ±30 %, and 2 % of them 2-4 times longer (a tail). */
function jitter(ms, random) {
  const base = ms * (0.7 + 0.6 * random());
  return random() < 0.02 ? base * (2 + 2 * random()) : base;
}

function pickVerdict(random) {
  let r = random();
  for (const [verdict, share] of Object.entries(FAULT_MIX)) {
    if (r < share) return verdict;
    r -= share;
  }
  return 'ok';
}

const HEX = '0123456789abcdef';
/** `digits` random hex digits: span and trace ids (cheaper than crypto, tens of them per run). */
function hexId(random, digits) {
  let out = '';
  for (let i = 0; i < digits; i++) out += HEX[Math.floor(random() * 16)];
  return out;
}

/**
 * The hop records of one run of `probe` meant to get verdict `intended`, as its services would
 * write them (same shape as packages/oamserver/test/support/hops.ts). Returns the records and the
 * trigger's round trip.
 */
function buildHops(probe, run, intended, random) {
  const [entry, first, second, third, consumer] = probe.path;
  const calls = { [entry]: [first, second], [second]: [third], [third]: [consumer] };
  if (intended === 'error') calls[third] = [];
  // Services that handle the run but write no hop record: lost at the consumer; skipped (later
  // services report, this one does not) for an unexpected path.
  const silent = { lost: consumer, 'unexpected-path': first }[intended];
  const records = [];
  const spanId = () => hexId(random, 16);
  const otherTrace = hexId(random, 32);

  const hop = (service, trueStartUs, parentSpanId, traceId) => {
    const role = roleOf(probe, service);
    const kind = role === 'consumer' ? 'consumer' : 'server';
    let workMs = jitter(WORK_MS[role], random);
    if (intended === 'slow' && service === second) workMs = 210 + 250 * random();
    const lostContext = intended === 'context-broken' && service === consumer;
    const ownTrace = lostContext ? otherTrace : traceId;
    const workUs = Math.round(workMs * 1000);
    const exits = [];
    let t = Math.round(workUs / 2);
    for (const child of calls[service] ?? []) {
      const exit = spanId();
      exits.push({ spanId: exit, atUs: t });
      if (child === consumer) {
        hop(child, trueStartUs + t + PUBLISH_US + 3000, exit, ownTrace);
        t += PUBLISH_US;
      } else {
        t += hop(child, trueStartUs + t + NET_US, exit, ownTrace) + 2 * NET_US;
      }
    }
    const durationUs = t + (workUs - Math.round(workUs / 2));
    if (service === silent) return durationUs;
    const record = {
      v: 1,
      runId: run.runId,
      probe: probe.name,
      traceId: ownTrace,
      spanId: spanId(),
      kind,
      service,
      instance: instanceOf(service, random),
      operation: operationOf(service, role),
      startUs: trueStartUs,
      durationUs,
      status: 'ok',
    };
    if (!lostContext) record.parentSpanId = parentSpanId;
    else record.originTraceId = traceId;
    if (kind === 'consumer') record.queueWaitUs = 3000;
    if (exits.length > 0) record.exits = exits;
    if (intended === 'error' && service === third) {
      record.status = 'error';
      record.httpStatus = random() < 0.7 ? 500 : 503;
      record.errorType = 'Error';
      record.errorMessage = record.httpStatus === 500 ? 'disk full' : 'upstream unavailable';
    }
    records.push(record);
    return durationUs;
  };

  const firedUs = run.firedAtMs * 1000;
  const entryUs = hop(entry, firedUs + NET_US, spanId(), run.traceId);
  const endUs = Math.max(...records.map((r) => r.startUs + r.durationUs), firedUs + entryUs);
  return { records, triggerMs: (entryUs + 2 * NET_US) / 1000, trueEndMs: (endUs - firedUs) / 1000 };
}

/** One run of `probe` fired at `firedAtMs`, classified: a RunResult as the Oamserver stores it. */
export function buildResult(probe, firedAtMs, random = Math.random) {
  const intended = pickVerdict(random);
  const run = {
    runId: newRunId(firedAtMs),
    probe: probe.name,
    traceId: hexId(random, 32),
    firedAtMs,
    deadlineMs: firedAtMs + TIMEOUT_MS,
    path: probe.path,
    budget: probe.budget,
  };
  if (intended === 'trigger-failed') {
    const trigger = {
      kind: 'http',
      ok: false,
      delivered: false,
      error: `POST http://${probe.path[0]}.internal/${probe.name}: ECONNREFUSED`,
      durationMs: 1 + random() * 3,
    };
    return finish(run, trigger, classify({ run, trigger, hops: [] }, LATE_MS), LATE_MS);
  }
  const { records, triggerMs, trueEndMs } = buildHops(probe, run, intended, random);
  const trigger = { kind: 'http', ok: true, delivered: true, status: 201, expectedStatus: 201, durationMs: triggerMs };
  // A run with a missing hop is classified at its deadline (the collector waits for the hop until then).
  const late = ['lost', 'unexpected-path', 'unknown'].includes(intended);
  const windowMs = late ? LATE_MS : Math.ceil(trueEndMs) + 250;
  const hops = intended === 'unknown' ? undefined : records;
  return finish(run, trigger, classify({ run, trigger, hops }, windowMs), windowMs);
}

function finish(run, trigger, classification, windowMs) {
  return { ...classification, run, trigger, classifiedAtMs: run.firedAtMs + windowMs };
}

/**
 * When each run is fired: `runs` runs of `probes.length` probes spread evenly over
 * [startMs, endMs], each probe on its own phase with a little jitter, and SAME_MS_SHARE of them
 * moved onto the millisecond of the run fired just before (another probe's). Sorted, oldest first.
 */
export function fireTimes(probes, runs, startMs, endMs, random = Math.random) {
  const out = [];
  probes.forEach((probe, p) => {
    const count = Math.floor(runs / probes.length) + (p < runs % probes.length ? 1 : 0);
    const intervalMs = (endMs - startMs) / count;
    const phaseMs = random() * intervalMs;
    for (let k = 0; k < count; k++) {
      const at = startMs + k * intervalMs + phaseMs + (random() - 0.5) * 0.1 * intervalMs;
      out.push({ probe, firedAtMs: Math.max(startMs, Math.min(endMs, Math.round(at))) });
    }
  });
  out.sort((a, b) => a.firedAtMs - b.firedAtMs);
  for (let i = 1; i < out.length; i++) {
    if (out[i].probe !== out[i - 1].probe && random() < SAME_MS_SHARE) out[i].firedAtMs = out[i - 1].firedAtMs;
  }
  return out;
}

/** A seeded pseudo-random source (mulberry32), so that two runs of the bench build the same mix. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
