// The headers each request of a load run carries: ordinary traffic with a trickle of probes (the
// first request after each full second since the last probe carries probe headers, as a service
// sees about one probe a second in production), or every request a probe.
import { performance } from 'node:perf_hooks';

const NO_HEADERS = {};
const TRICKLE_INTERVAL_MS = 1000;
/**
 * No trickle probe in a run's last second: none is then still in flight when the run ends, so the
 * hops counted between the /_stats calls around a run are exactly the probes it sent.
 */
const TRICKLE_QUIET_END_MS = 1000;

/**
 * Headers for one load run of `durationS` seconds of `traffic` ('ordinary' or 'probes'), drawn
 * from `pool` (lib/probe-headers.mjs). Returns { next() (headers of the next request), probesSent() }.
 * autocannon calls next() as it writes each request, so probesSent() counts probes sent.
 */
export function trafficForRun(traffic, pool, durationS) {
  let sent = 0;
  if (traffic === 'probes') {
    return {
      next: () => {
        sent++;
        return pool.next();
      },
      probesSent: () => sent,
    };
  }
  const startedAt = performance.now();
  const lastProbeAt = startedAt + durationS * 1000 - TRICKLE_QUIET_END_MS;
  let previous = startedAt;
  return {
    next: () => {
      const now = performance.now();
      if (now - previous < TRICKLE_INTERVAL_MS || now > lastProbeAt) return NO_HEADERS;
      previous = now;
      sent++;
      return pool.next();
    },
    probesSent: () => sent,
  };
}
