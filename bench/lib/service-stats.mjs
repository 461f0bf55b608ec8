// What GET /_stats of the bench apps answers: the counters of whatever instruments the process —
// the hoptrace drop-in (its mode and `stats()`), the plain OpenTelemetry preload of otel-only/
// (spans exported), or nothing (null).

/** Where otel-only/setup.cjs leaves its handle: a global, so the app needs no import of it. */
const OTEL_ONLY = Symbol.for('hoptrace-bench.otel-only');

/** The counters, after exporting what is queued when `flush` is set. */
export async function benchStats(flush) {
  const otelOnly = globalThis[OTEL_ONLY];
  if (otelOnly) {
    if (flush) await otelOnly.forceFlush();
    return otelOnly.stats();
  }
  // Loaded on demand: the bench never asks a bare process, which so never loads hoptrace code.
  const { getInstrumentation } = await import('@hoptrace/instrument');
  const instrumentation = getInstrumentation();
  if (!instrumentation) return null;
  if (flush) await instrumentation.forceFlush();
  return { mode: instrumentation.mode, ...instrumentation.stats() };
}
