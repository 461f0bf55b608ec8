import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertDispatcher } from './alerts/alert-dispatcher';
import type { ProbeDefinition } from './config/probe-config-schema';
import { createApi } from './http/api';
import { IncidentStore } from './incidents/incident-store';
import { IncidentTracker } from './incidents/incident-tracker';
import type { IncidentEvent } from './incidents/types';
import { OamMetrics } from './http/metrics';
import { createOamCore, type OamCore, type OamCoreOptions } from './oam-core';
import { Scheduler } from './scheduler/scheduler';
import { learnBaselines } from './stats/learn-baselines';
import { recordRun } from './stats/record-run';

/** Options of the long-running Oamserver. */
export interface OamserverOptions extends OamCoreOptions {
  /** Listen address. Default: the config's `server` (127.0.0.1:4400). */
  host?: string;
  port?: number;
  /** Base URL of the Jaeger UI, for links to each run's trace. */
  jaegerUiUrl?: string;
  /** Fire probes on their schedule. Default true. */
  schedule?: boolean;
  /** Told about what the server does (one line each). */
  info?: (message: string) => void;
  /** Where incident events go (webhooks, the log). Its delivery counts are served as metrics; stopped with the server. */
  alerts?: AlertDispatcher;
  /** Told about every opened and resolved incident (besides the alert channels). */
  onIncident?: (event: IncidentEvent) => void;
}

/**
 * The Oamserver: fires probes on schedule, collects and classifies their runs, keeps rolling
 * statistics and serves them over HTTP. `start()` then `stop()`.
 */
export class Oamserver {
  readonly core: OamCore;
  readonly metrics: OamMetrics;
  readonly incidents: IncidentTracker;
  readonly incidentStore: IncidentStore;
  private readonly _scheduler: Scheduler;
  private readonly _owner = randomBytes(6).toString('hex');
  private _server: Server | undefined;

  constructor(private readonly _options: OamserverOptions) {
    this.core = createOamCore(_options);
    const probes = _options.config.probes;
    const alerts = _options.alerts;
    const rules = _options.config.incidents;
    this.incidentStore = new IncidentStore(this.core.redis, this.core.store.keys, {
      openAfter: rules.openAfter,
      resolveAfter: rules.resolveAfter,
      retentionMs: rules.retention,
    });
    this.incidents = new IncidentTracker({
      store: this.incidentStore,
      stats: this.core.stats,
      storageHealth: this.core.health,
      warn: _options.warn,
      onEvent: (event) => {
        alerts?.dispatch(event);
        _options.onIncident?.(event);
      },
    });
    this.metrics = new OamMetrics({
      probes: probes.map((p) => p.name),
      storageUp: () => !this.core.health.failing,
      instanceLabels: _options.config.metrics?.instanceLabels,
      openIncidents: () => this.incidents.openIncidents(),
      alertDeliveries: alerts && (() => alerts.deliveryCounts()),
    });
    this.core.collector.onResult((result) => {
      this.metrics.recordRun(result);
      void this.incidents.handle(result);
    });
    this._scheduler = new Scheduler(probes, (probe, slot) => this._fireScheduled(probe, slot));
  }

  /** Base URL of the HTTP API, once started. */
  get url(): string {
    const address = this._server?.address() as AddressInfo | undefined;
    return address ? `http://${address.address}:${address.port}` : '';
  }

  async start(): Promise<void> {
    await this._warmStats();
    await this.incidents.refresh();
    this.core.collector.start();
    if (this._options.schedule !== false) this._scheduler.start();
    const app = createApi({
      core: this.core,
      metrics: this.metrics,
      probes: this._options.config.probes,
      jaegerUiUrl: this._options.jaegerUiUrl,
      schedulerRunning: () => this._options.schedule === false || this._scheduler.running,
      fireNow: async (probe) => (await this.fireNow(probe)).run.runId,
      incidents: this.incidentStore,
      alerts: this._options.alerts,
    });
    const host = this._options.host ?? this._options.config.server.host;
    const port = this._options.port ?? this._options.config.server.port;
    // listen() through node:http, not app.listen(): Express 5 hands a listen error (a port in
    // use) to the success callback, and the Oamserver would run on without its API.
    const server = createServer(app);
    this._server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Fires a probe now, outside its schedule. */
  async fireNow(probe: ProbeDefinition) {
    const fired = await this.core.runner.fire(probe);
    this.core.collector.track(fired);
    return fired;
  }

  async stop(): Promise<void> {
    this._scheduler.stop();
    await new Promise<void>((resolve) => (this._server ? this._server.close(() => resolve()) : resolve()));
    this._server?.closeAllConnections();
    await this.core.collector.stop();
    // Runs classified before the stop still count toward incidents.
    await this.incidents.drain();
    await this.core.close();
    // Last: events raised while the core wound down still get their (bounded) chance to go out.
    await this._options.alerts?.stop();
  }

  private async _fireScheduled(probe: ProbeDefinition, slot: number): Promise<void> {
    // Several Oamservers may run the same config: the first to claim a slot fires it. When
    // storage cannot be asked, fire anyway: the run then gets its honest `unknown` verdict.
    const claimed = await this.core.store.claimSlot(probe.name, slot, this._owner, probe.every * 2).catch(() => true);
    if (!claimed) return;
    await this.fireNow(probe);
  }

  /** Rebuilds the last hour of statistics from stored results, so a restart does not zero them. */
  private async _warmStats(): Promise<void> {
    try {
      const since = Date.now() - 3_600_000;
      const runs = await this.core.store.recentRuns({ limit: this._options.config.storage.maxRuns, sinceMs: since });
      for (const stored of runs.reverse()) {
        if (!stored.result) continue;
        recordRun(this.core.stats, stored.result);
        learnBaselines(this.core.baselines, stored.result);
      }
      this._options.info?.(`statistics warmed from ${runs.length} stored runs of the last hour`);
    } catch (error) {
      this._options.info?.(`statistics start empty: storage unavailable (${(error as Error).message})`);
    }
  }
}
