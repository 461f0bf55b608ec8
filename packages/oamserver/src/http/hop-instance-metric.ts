import { Histogram, type Registry } from 'prom-client';
import type { RunResult } from '../store/run-store';
import { BoundedLabelValues } from './bounded-label-values';

/**
 * Default of config `limits.metricInstancesPerService`: distinct instances per service that get
 * series of their own; the rest are `(other)`. Each instance costs 15 series per probe (12
 * buckets, +Inf, sum, count): 200 instances are 3,000 series per probe and service.
 */
export const DEFAULT_MAX_INSTANCES_PER_SERVICE = 200;

/**
 * hoptrace_hop_instance_duration_seconds: hop latency per instance, only for the services the
 * config names in `metrics.instanceLabels` (per-instance series multiply the metric's size).
 */
export class HopInstanceMetric {
  private readonly _histogram: Histogram<'probe' | 'service' | 'instance'>;
  private readonly _services: ReadonlySet<string>;
  private readonly _instances: BoundedLabelValues;

  constructor(
    registry: Registry,
    services: readonly string[],
    buckets: readonly number[],
    maxInstancesPerService = DEFAULT_MAX_INSTANCES_PER_SERVICE,
  ) {
    this._services = new Set(services);
    this._instances = new BoundedLabelValues(maxInstancesPerService, '(other)');
    this._histogram = new Histogram({
      name: 'hoptrace_hop_instance_duration_seconds',
      help: `Time each instance took to handle its hop, for the services in metrics.instanceLabels (at most ${maxInstancesPerService} instances per service, the rest "(other)").`,
      labelNames: ['probe', 'service', 'instance'],
      buckets: [...buckets],
      registers: [registry],
    });
  }

  recordRun(result: RunResult): void {
    if (this._services.size === 0) return;
    const probe = result.run.probe;
    for (const hop of result.hops) {
      // Only hops of the probe's path: a foreign hop under a listed name is not that service.
      if (!this._services.has(hop.service) || !result.run.path.includes(hop.service)) continue;
      const instance = this._instances.valueFor(hop.service, hop.instance || '(unknown)');
      this._histogram.observe({ probe, service: hop.service, instance }, hop.durationMs / 1000);
    }
  }
}
