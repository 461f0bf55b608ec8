import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VERDICTS, isFault } from '../classifier/types';
import type { RunResult } from '../store/run-store';
import { HopInstanceMetric } from './hop-instance-metric';
import { registerIncidentAndAlertMetrics, type IncidentAndAlertSources } from './incident-and-alert-metrics';

/** Latency buckets, in seconds, from 5 ms to 30 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What OamMetrics reads from the rest of the Oamserver. */
export interface OamMetricsOptions extends IncidentAndAlertSources {
  /** Probe names (every probe's run counters start at zero). */
  probes: readonly string[];
  storageUp: () => boolean;
  /** Services whose hop latency is also recorded per instance (config `metrics.instanceLabels`). */
  instanceLabels?: readonly string[];
  /** Instances per service with series of their own, the rest `(other)` (config `limits.metricInstancesPerService`). Default 200. */
  maxInstancesPerService?: number;
}

/**
 * The Oamserver's Prometheus metrics, on a registry of its own. Label values are bounded:
 * probes and services come from the probe config, verdicts from a fixed list.
 */
export class OamMetrics {
  readonly registry = new Registry();
  private readonly _runs: Counter<'probe' | 'verdict'>;
  private readonly _runDuration: Histogram<'probe'>;
  private readonly _hopDuration: Histogram<'probe' | 'service'>;
  private readonly _hopFaults: Counter<'probe' | 'service'>;
  private readonly _storageUp: Gauge;
  private readonly _hopInstanceDuration: HopInstanceMetric;

  constructor(options: OamMetricsOptions) {
    collectDefaultMetrics({ register: this.registry, prefix: 'hoptrace_oamserver_' });
    this._runs = new Counter({
      name: 'hoptrace_probe_runs_total',
      help: 'Probe runs classified, by probe and verdict.',
      labelNames: ['probe', 'verdict'],
      registers: [this.registry],
    });
    this._runDuration = new Histogram({
      name: 'hoptrace_probe_run_duration_seconds',
      help: "End-to-end time of probe runs (from each host's monotonic durations).",
      labelNames: ['probe'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this._hopDuration = new Histogram({
      name: 'hoptrace_hop_duration_seconds',
      help: 'Time each service took to handle its hop of a probe run.',
      labelNames: ['probe', 'service'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this._hopFaults = new Counter({
      name: 'hoptrace_hop_faults_total',
      help: 'Probe runs whose verdict blamed this service.',
      labelNames: ['probe', 'service'],
      registers: [this.registry],
    });
    this._storageUp = new Gauge({
      name: 'hoptrace_storage_up',
      help: '1 when the Oamserver can reach its Redis, 0 when not (verdicts are unknown meanwhile).',
      registers: [this.registry],
      collect: () => this._storageUp.set(options.storageUp() ? 1 : 0),
    });
    this._hopInstanceDuration = new HopInstanceMetric(
      this.registry,
      options.instanceLabels ?? [],
      LATENCY_BUCKETS,
      options.maxInstancesPerService,
    );
    registerIncidentAndAlertMetrics(this.registry, options);
    // Start every probe's series at zero so that rate() and absent() behave from the first scrape.
    for (const probe of options.probes) for (const verdict of VERDICTS) this._runs.inc({ probe, verdict }, 0);
  }

  recordRun(result: RunResult): void {
    const probe = result.run.probe;
    this._runs.inc({ probe, verdict: result.verdict });
    if (result.facts.totalMs !== undefined && result.verdict !== 'unknown') {
      this._runDuration.observe({ probe }, result.facts.totalMs / 1000);
    }
    // Only services of the probe's path become label values: a hop from anywhere else must not
    // grow the number of series.
    const label = (service: string): string => (result.run.path.includes(service) ? service : '(unexpected)');
    for (const hop of result.hops)
      this._hopDuration.observe({ probe, service: label(hop.service) }, hop.durationMs / 1000);
    if (isFault(result.verdict) && result.fault) this._hopFaults.inc({ probe, service: label(result.fault.service) });
    this._hopInstanceDuration.recordRun(result);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
