import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertDispatcher } from './alerts/alert-dispatcher';
import type { ProbeDefinition } from './config/probe-config-schema';
import { API_EVENTS, type IncidentEvent as StreamIncidentEvent, type RunSummary } from '@hoptrace/core/api';
import { createApi } from './http/api';
import { findDashboard } from './http/dashboard-static';
import { EventStream } from './http/event-stream';
import { IncidentStore } from './incidents/incident-store';
import { IncidentTracker } from './incidents/incident-tracker';
import type { IncidentEvent } from './incidents/types';
import { OamMetrics } from './http/metrics';
import { createOamCore, type OamCore, type OamCoreOptions } from './oam-core';
import {
  incidentsConsumer,
  liveEventsConsumer,
  metricsConsumer,
  recordInTimeline,
  timelineConsumer,
} from './pipeline/verdict-consumers';
import { SharedVerdictFeed } from './pipeline/shared-verdicts';
import { Scheduler, phaseOf } from './scheduler/scheduler';
import { learnBaselines } from './stats/learn-baselines';
import { ProbeTimeline, TIMELINE_WINDOWS } from './stats/probe-timeline';
import { recordRun } from './stats/record-run';
import { RunFinder } from './store/run-finder';
import { createOamBlockingRedis } from './store/redis-client';

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
  /**
   * The dashboard's build folder, served at `/` (see @hoptrace/dashboard). Undefined: pages say
   * the dashboard is not built, the API works as ever.
   */
  dashboardDir?: string;
  /** When set, every /api/ route needs it (see docs/security.md, "A locked API"). */
  apiToken?: string;
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
  /** Each probe over the overview windows (15 minutes to 24 hours). */
  readonly timeline: ProbeTimeline;
  /** Live events for the dashboard (GET /api/events). */
  readonly events = new EventStream();
  /** Other Oamservers' verdicts (the verdicts stream), handed to the pipeline's consumers that take them. */
  readonly verdictFeed: SharedVerdictFeed;
  private readonly _scheduler: Scheduler;
  /** Schedule slots not fired because their time was long past when their timer ran. */
  private _lateSlots = 0;

  /** Schedule slots not fired because their time was long past (see _fireScheduled). */
  get lateSlots(): number {
    return this._lateSlots;
  }
  private _server: Server | undefined;
  private _stopped = false;
  /** When this process started (runs classified before it are the warm-up's). */
  private readonly _startedAtMs = Date.now();

  constructor(private readonly _options: OamserverOptions) {
    this.core = createOamCore(_options);
    const probes = _options.config.probes;
    const alerts = _options.alerts;
    const rules = _options.config.incidents;
    this.incidentStore = new IncidentStore(
      this.core.redis,
      this.core.store.keys,
      { openAfter: rules.openAfter, resolveAfter: rules.resolveAfter, retentionMs: rules.retention },
      { warn: _options.warn },
    );
    this.timeline = new ProbeTimeline(probes.map((p) => p.name));
    const streamIncident = (event: StreamIncidentEvent): void => this.events.publish(API_EVENTS.incident, event);
    this.incidents = new IncidentTracker({
      store: this.incidentStore,
      stats: this.core.stats,
      storageHealth: this.core.health,
      warn: _options.warn,
      onEvent: (event) => {
        alerts?.dispatch(event);
        _options.onIncident?.(event);
        streamIncident(event);
      },
      onUpdate: (incident) => streamIncident({ type: 'incident.updated', atMs: Date.now(), incident }),
      serviceWideMinInstances: rules.serviceWideMinInstances,
    });
    this.metrics = new OamMetrics({
      probes: probes.map((p) => p.name),
      storageUp: () => !this.core.health.failing,
      instanceLabels: _options.config.metrics?.instanceLabels,
      maxInstancesPerService: _options.config.limits.metricInstancesPerService,
      openIncidents: () => this.incidents.openIncidents(),
      alertDeliveries: alerts && (() => alerts.deliveryCounts()),
    });
    // What follows a verdict, after what classifying learns (OamCore): see pipeline/verdict-consumers.ts.
    this.core.pipeline.add(
      timelineConsumer(this.timeline),
      metricsConsumer(this.metrics),
      incidentsConsumer(this.incidents),
      liveEventsConsumer(this.events, _options.jaegerUiUrl),
    );
    // Other Oamservers' verdicts, for the consumers that take them (a read waits up to 1 s).
    const blockMs = 1000;
    this.verdictFeed = new SharedVerdictFeed({
      redis: createOamBlockingRedis(_options.redisUrl, { blockMs }),
      keys: this.core.store.keys,
      owner: this.core.owner,
      consume: (summary) => this.core.pipeline.handlePeer(summary),
      warn: _options.warn,
      blockMs,
    });
    this._scheduler = new Scheduler(probes, (probe, slot) => this._fireScheduled(probe, slot));
  }

  /** Base URL of the HTTP API, once started. */
  get url(): string {
    const address = this._server?.address() as AddressInfo | undefined;
    return address ? `http://${address.address}:${address.port}` : '';
  }

  async start(): Promise<void> {
    // Where the verdicts stream ends before warming: verdicts stored from then on come through the
    // feed (a run both warmed and read from it is counted once: see VerdictPipeline).
    await this.verdictFeed.seek();
    await this._warmStats();
    await this.incidents.refresh();
    this.core.collector.start();
    this.verdictFeed.start();
    if (this._options.schedule !== false) this._scheduler.start();
    void this._warmTimeline();
    const app = createApi({
      core: this.core,
      metrics: this.metrics,
      probes: this._options.config.probes,
      timeline: this.timeline,
      finder: new RunFinder(this.core.store),
      events: this.events,
      dashboard: findDashboard(this._options.dashboardDir),
      jaegerUiUrl: this._options.jaegerUiUrl,
      schedulerRunning: () => this._options.schedule === false || this._scheduler.running,
      fireNow: async (probe) => (await this.fireNow(probe)).run.runId,
      incidents: this.incidentStore,
      alerts: this._options.alerts,
      apiToken: this._options.apiToken,
      metricsAuth: this._options.config.server.metricsAuth,
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
    this._stopped = true;
    // Open event streams would hold the HTTP server's close.
    this.events.close();
    await new Promise<void>((resolve) => (this._server ? this._server.close(() => resolve()) : resolve()));
    this._server?.closeAllConnections();
    await this.verdictFeed.stop();
    await this.core.collector.stop();
    // Runs classified before the stop still count toward incidents.
    await this.incidents.drain();
    await this.core.close();
    // Last: events raised while the core wound down still get their (bounded) chance to go out.
    await this._options.alerts?.stop();
  }

  private async _fireScheduled(probe: ProbeDefinition, slot: number): Promise<void> {
    // A slot whose time is long past (this process was paused, or its event loop stalled) is not
    // fired late: a healthy Oamserver fired it on time, or it is lost, not delayed.
    const lateMs = Date.now() - (slot * probe.every + phaseOf(probe.name, probe.every));
    if (lateMs > Math.min(probe.every / 2, this._options.config.server.leaseTime)) {
      this._lateSlots++;
      this._options.info?.(`slot ${slot} of ${probe.name} not fired: its time passed ${Math.round(lateMs)} ms ago`);
      return;
    }
    // Several Oamservers may run the same config: the first to claim a slot fires it. When
    // storage cannot be asked, fire anyway: the run then gets its honest `unknown` verdict.
    const claimed = await this.core.store
      .claimSlot(probe.name, slot, this.core.owner, probe.every * 2)
      .catch(() => true);
    if (!claimed) return;
    await this.fireNow(probe);
  }

  /**
   * Rebuilds the last hour of statistics and baselines (and of the timeline) from stored run
   * summaries, so a restart does not zero them. Runs still pending are left to the collector.
   */
  private async _warmStats(): Promise<void> {
    let count = 0;
    try {
      await this._readStoredSummaries(this._startedAtMs - 3_600_000, this._startedAtMs, (summary) => {
        count++;
        this.core.pipeline.alreadyCounted(summary.runId);
        recordRun(this.core.stats, summary);
        learnBaselines(this.core.baselines, summary);
        recordInTimeline(this.timeline, summary);
      });
      this._options.info?.(`statistics warmed from ${count} stored runs of the last hour`);
    } catch (error) {
      this._options.info?.(
        `statistics warmed from ${count} stored runs only: storage unavailable (${(error as Error).message})`,
      );
    }
  }

  /**
   * The timeline's longer windows, up to a day, in the background (start does not wait for a day
   * of runs). A failed read is retried where it stopped (storage may hiccup under load).
   */
  private async _warmTimeline(): Promise<void> {
    const sinceMs = this._startedAtMs - TIMELINE_WINDOWS['24h'].spanMs;
    let read = 0;
    const use = (summary: RunSummary): void => {
      read++;
      recordInTimeline(this.timeline, summary);
    };
    try {
      await this._readStoredSummaries(sinceMs, this._startedAtMs - 3_600_000, use, { exclusiveMax: true, retries: 5 });
    } catch (error) {
      this._options.warn?.(
        `the overview's 6h and 24h windows hold only ${read} of the day's stored runs from before the start: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Feeds every classified run fired in [sinceMs, beforeMs) to `use`, newest first, reading at
   * most `storage.maxRuns` summaries in batches; a failed batch is read again `retries` times.
   */
  private async _readStoredSummaries(
    sinceMs: number,
    beforeMs: number,
    use: (summary: RunSummary) => void,
    options: { exclusiveMax?: boolean; retries?: number } = {},
  ): Promise<void> {
    const { store } = this.core;
    const maxRuns = this._options.config.storage.maxRuns;
    const readBatch = async (offset: number) => {
      const entries = await store.indexEntries(store.keys.recentRuns(), {
        maxMs: beforeMs,
        exclusiveMax: options.exclusiveMax,
        minMs: sinceMs,
        offset,
        count: Math.min(500, maxRuns - offset),
      });
      return { count: entries.length, summaries: await store.loadSummaries(entries.map((e) => e.runId)) };
    };
    for (let offset = 0; offset < maxRuns && !this._stopped;) {
      let batch: Awaited<ReturnType<typeof readBatch>> | undefined;
      for (let attempt = 0; !batch; attempt++) {
        try {
          batch = await readBatch(offset);
        } catch (error) {
          if (attempt >= (options.retries ?? 0) || this._stopped) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt).unref());
        }
      }
      if (batch.count === 0) return;
      offset += batch.count;
      for (const summary of batch.summaries) if (summary?.state === 'done') use(summary);
    }
  }
}
