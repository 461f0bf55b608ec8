// The four ways the bench app is run, and the environment of each.

/** Modes in their base order; `baseline` is what every ratio is taken against. */
export const MODES = [
  { id: 'baseline', label: 'baseline: node app.js', instrumented: false, probes: false, redisDown: false },
  {
    id: 'ordinary',
    label: 'drop-in, ordinary traffic, 1 % sampled',
    instrumented: true,
    probes: false,
    redisDown: false,
  },
  { id: 'probes', label: 'drop-in, every request a probe', instrumented: true, probes: true, redisDown: false },
  {
    id: 'probes-redis-down',
    label: 'drop-in, every request a probe, Redis down',
    instrumented: true,
    probes: true,
    redisDown: true,
  },
];

/** The order of round `round` (0-based): forward, then backward (ABBA), so drift hits every mode alike. */
export function roundOrder(round) {
  return round % 2 === 0 ? MODES : [...MODES].reverse();
}

/**
 * The service's environment in `mode`. The app's own Redis is always the real one; the exporter's
 * (`REDIS_URL`) is a closed port in the Redis-down mode. No OTLP endpoint: spans that are sampled
 * but are not probe hops go nowhere, as in a service whose collector is not configured.
 */
export function modeEnv(mode, { redisUrl, closedRedisUrl, secret, keyPrefix, catalogKey }) {
  const app = { BENCH_APP_REDIS_URL: redisUrl, BENCH_CATALOG_KEY: catalogKey, OTEL_SERVICE_NAME: 'bench-quote' };
  if (process.env.BENCH_WORK_ROUNDS) app.BENCH_WORK_ROUNDS = process.env.BENCH_WORK_ROUNDS;
  if (!mode.instrumented) return app;
  return {
    ...app,
    HOPTRACE_SECRET: secret,
    HOPTRACE_KEY_PREFIX: keyPrefix,
    REDIS_URL: mode.redisDown ? closedRedisUrl : redisUrl,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.01',
  };
}
