// The ways each bench app is run, and the environment of each. `bare` is what the "vs bare"
// ratios are taken against, `otel` (plain OpenTelemetry, no hoptrace) the "vs otel" ones.
//
// traffic: 'ordinary' = plain requests plus a trickle of one probe a second (a real service sees
// about that many; without it probe-only mode would never need its async context and would look
// cheaper than it is), sent to `bare` too so that every mode gets the same requests;
// 'probes' = every request a probe (lib/traffic.mjs).

const HOPTRACE = '@hoptrace/instrument/register';
const OTEL_ONLY = './otel-only/register.mjs';

/** Modes in their base order (the order of the first round and of the report). */
export const MODES = [
  { id: 'bare', label: 'no preload', preload: null, traffic: 'ordinary' },
  { id: 'otel', label: 'plain OpenTelemetry, 1 % sampled', preload: OTEL_ONLY, traffic: 'ordinary' },
  { id: 'full', label: 'hoptrace full, 1 % sampled', preload: HOPTRACE, hoptraceMode: 'full', traffic: 'ordinary' },
  {
    id: 'probe-only',
    label: 'hoptrace probe-only',
    preload: HOPTRACE,
    hoptraceMode: 'probe-only',
    traffic: 'ordinary',
  },
  { id: 'otel-probes', label: 'plain OpenTelemetry, every request sampled', preload: OTEL_ONLY, traffic: 'probes' },
  {
    id: 'full-probes',
    label: 'hoptrace full, every request a probe',
    preload: HOPTRACE,
    hoptraceMode: 'full',
    traffic: 'probes',
  },
  {
    id: 'probe-only-probes',
    label: 'hoptrace probe-only, every request a probe',
    preload: HOPTRACE,
    hoptraceMode: 'probe-only',
    traffic: 'probes',
  },
  {
    id: 'probe-only-redis-down',
    label: 'hoptrace probe-only, every request a probe, Redis down',
    preload: HOPTRACE,
    hoptraceMode: 'probe-only',
    traffic: 'probes',
    redisDown: true,
  },
].map((mode) => ({ redisDown: false, ...mode }));

export const modeById = (id) => MODES.find((m) => m.id === id);

/** The order of round `round` (0-based): forward, then backward (ABBA), so drift hits every mode alike. */
export function roundOrder(round) {
  return round % 2 === 0 ? MODES : [...MODES].reverse();
}

/**
 * The service's environment in `mode`. The app's own Redis is always the real one; the exporter's
 * (`REDIS_URL`) is a closed port in the Redis-down mode. No OTLP endpoint: in full mode, spans
 * that are sampled but are not probe hops go nowhere (the `otel` modes hand them to an exporter
 * that drops them). HOPTRACE_MODE is always set: its default depends on the OTLP endpoint.
 */
export function modeEnv(mode, handler, { redisUrl, closedRedisUrl, secret, keyPrefix, catalogKey }) {
  const app = {
    BENCH_APP_REDIS_URL: redisUrl,
    BENCH_CATALOG_KEY: catalogKey,
    OTEL_SERVICE_NAME: handler.serviceName,
  };
  if (process.env.BENCH_WORK_ROUNDS) app.BENCH_WORK_ROUNDS = process.env.BENCH_WORK_ROUNDS;
  if (mode.preload === null) return app;
  const sampling = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' };
  if (mode.preload === OTEL_ONLY) return { ...app, ...sampling };
  return {
    ...app,
    ...sampling,
    HOPTRACE_MODE: mode.hoptraceMode,
    HOPTRACE_SECRET: secret,
    HOPTRACE_KEY_PREFIX: keyPrefix,
    REDIS_URL: mode.redisDown ? closedRedisUrl : redisUrl,
  };
}

/** Whether `mode` runs the hoptrace drop-in (and so has hop counters). */
export const isHoptrace = (mode) => mode.preload === HOPTRACE;
