import type { RunResult } from '../store/run-store';
import type { StorageHealth } from '../store/storage-health';
import type { RollingStats } from '../stats/rolling-stats';
import { evidenceOf, type PlaceEvidence } from './evidence';
import { InstanceSightings } from './instance-sightings';
import type { IncidentStore, IncidentTransition } from './incident-store';
import type { Incident, IncidentEvent } from './types';

/** What the tracker needs. */
export interface IncidentTrackerDeps {
  store: IncidentStore;
  stats: RollingStats;
  storageHealth: StorageHealth;
  /** Told about every opened and resolved incident (alerts). Must not throw. */
  onEvent?: (event: IncidentEvent) => void;
  /** Told when an open incident counts another faulty run (the dashboard's live view). Must not throw. */
  onUpdate?: (incident: Incident) => void;
  warn?: (message: string) => void;
  now?: () => number;
  /**
   * Distinct failing instances a service-wide incident waits for (at most the instances seen in
   * the last hour; config `incidents.serviceWideMinInstances`). Default 3.
   */
  serviceWideMinInstances?: number;
}

/** How often the cached list of open incidents (for metrics) is refreshed from storage. */
const REFRESH_MS = 5000;

/**
 * Turns classified runs into incidents: each run's evidence about the places it touched goes
 * through record-visit.lua, which opens and resolves incidents atomically; this class keeps the
 * incident list up to date, lets a service-wide incident take over the instance-level ones of
 * the same kind, infers the instance behind faults that left no hop to name it (see
 * InstanceSightings), and announces each opening and resolution once.
 */
export class IncidentTracker {
  private readonly _now: () => number;
  private _open: Incident[] = [];
  private _refreshedAt = 0;
  private _queue: Promise<void> = Promise.resolve();
  private readonly _sightings = new InstanceSightings();

  constructor(private readonly _deps: IncidentTrackerDeps) {
    this._now = _deps.now ?? Date.now;
  }

  /** Open incidents, as last read (refreshed every few seconds and after each change). */
  openIncidents(): Incident[] {
    if (this._now() - this._refreshedAt > REFRESH_MS) void this.refresh();
    return this._open;
  }

  /** Rereads the open incidents from storage. */
  async refresh(): Promise<void> {
    this._refreshedAt = this._now();
    try {
      this._open = await this._deps.store.list({ state: 'open', limit: 1000 });
    } catch {
      // Keep the last known list; storage problems are reported elsewhere.
    }
  }

  /** Handles one classified run (in order with the others). Never throws. */
  handle(result: RunResult): Promise<void> {
    this._queue = this._queue
      .then(() => this._handle(result))
      .catch((error: unknown) => {
        this._deps.storageHealth.failure(error);
        this._deps.warn?.(`incident tracking skipped run ${result.run.runId}: ${(error as Error).message}`);
      });
    return this._queue;
  }

  /** Waits until every run handed in so far is handled. */
  drain(): Promise<void> {
    return this._queue;
  }

  private async _handle(result: RunResult): Promise<void> {
    // Another Oamserver may have opened or resolved incidents: decide on a fresh list.
    if (this._now() - this._refreshedAt > REFRESH_MS) await this.refresh();
    const probe = result.run.probe;
    const known = (service: string): number => this._deps.stats.instancesSeen(probe, service, '1h');
    const suspect = (service: string) => this._sightings.suspect(probe, service, result.run.firedAtMs);
    const evidences = evidenceOf(result, known, suspect, this._deps.serviceWideMinInstances);
    this._sightings.observe(result);
    // Service-wide places first, then instances: a service-wide incident this run opens keeps its
    // instances from opening their own. Within each group the places are independent (one
    // atomic script each), so their visits go to Redis together, and their transitions are
    // applied in order.
    for (const group of [
      evidences.filter((e) => e.placeInstance === undefined),
      evidences.filter((e) => e.placeInstance !== undefined),
    ]) {
      const visits = await Promise.all(group.map((evidence) => this._visit(result, evidence)));
      for (const transitions of visits) for (const transition of transitions) await this._apply(transition);
    }
  }

  /** Records one place's evidence from a run; returns the transitions it caused. */
  private _visit(result: RunResult, evidence: PlaceEvidence): Promise<IncidentTransition[]> {
    const probe = result.run.probe;
    const reason = !result.fault
      ? 'healthy'
      : evidence.inferred
        ? `${result.fault.reason} (instance inferred: ${evidence.placeInstance} has handled no run lately while its peers did)`
        : result.fault.reason;
    // While the whole service is in an incident of this kind, its instances do not open their own.
    const serviceWideOpen =
      evidence.placeInstance !== undefined &&
      evidence.kind !== undefined &&
      this._open.some(
        (i) =>
          i.probe === probe && i.service === evidence.service && i.instance === undefined && i.kind === evidence.kind,
      );
    return this._deps.store.visit({
      probe,
      service: evidence.service,
      placeInstance: evidence.placeInstance,
      kind: evidence.kind,
      visitInstance: evidence.visitInstance,
      runId: result.run.runId,
      firedAtMs: result.run.firedAtMs,
      latencyMs: evidence.latencyMs,
      reason,
      minDistinct: evidence.minDistinct,
      suppressOpen: serviceWideOpen,
    });
  }

  private async _apply(transition: IncidentTransition): Promise<void> {
    const incident = transition.incident;
    await this._deps.store.save(incident);
    this._open = [...this._open.filter((i) => i.id !== incident.id), ...(incident.state === 'open' ? [incident] : [])];
    if (transition.type === 'updated') {
      try {
        this._deps.onUpdate?.(incident);
      } catch {
        // Live views must never stop incident tracking.
      }
      return;
    }
    this._announce({
      type: transition.type === 'opened' ? 'incident.opened' : 'incident.resolved',
      atMs: this._now(),
      incident,
    });
    if (transition.type === 'opened' && incident.instance === undefined) await this._takeOver(incident);
  }

  /** A service-wide incident resolves the instance-level incidents of the same kind it covers. */
  private async _takeOver(serviceWide: Incident): Promise<void> {
    await this.refresh();
    const covered = this._open.filter(
      (i) =>
        i.probe === serviceWide.probe &&
        i.service === serviceWide.service &&
        i.kind === serviceWide.kind &&
        i.instance !== undefined,
    );
    for (const incident of covered) {
      const resolved = await this._deps.store.supersede(incident, serviceWide);
      if (!resolved) continue;
      this._open = this._open.filter((i) => i.id !== incident.id);
      this._announce({ type: 'incident.resolved', atMs: this._now(), incident: resolved });
    }
  }

  private _announce(event: IncidentEvent): void {
    try {
      this._deps.onEvent?.(event);
    } catch {
      // Alerting must never stop incident tracking.
    }
  }
}
