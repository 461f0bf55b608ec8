// One load run with autocannon: fixed connections, fixed duration, every request the handler's
// request shape (lib/handlers.mjs) plus the headers the mode's traffic gives it.
// Latency percentiles are computed here from each response's own time (sub-millisecond), because
// autocannon's histogram keeps whole milliseconds, too coarse for a +5 % p99 target.
import autocannon from 'autocannon';

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs the load. `extraHeaders()` is called for every request (every mode goes through the same
 * per-request path, so the load generator costs the same in all of them).
 */
export function runLoad({ url, connections, durationS, request, extraHeaders }) {
  const latenciesMs = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationS,
        requests: [
          {
            ...request,
            setupRequest: (built) => ({ ...built, headers: { ...built.headers, ...extraHeaders() } }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        latenciesMs.sort((a, b) => a - b);
        resolve({
          durationS: result.duration,
          requests: result.requests.total,
          reqPerSec: result.requests.total / result.duration,
          ok2xx: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: {
            p50: percentile(latenciesMs, 50),
            p90: percentile(latenciesMs, 90),
            p99: percentile(latenciesMs, 99),
            max: latenciesMs.at(-1) ?? null,
          },
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
}
