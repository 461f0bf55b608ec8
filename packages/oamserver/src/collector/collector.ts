// How a run goes through the collector. Every `intervalMs`, `Collector.pass`:
// 1. Claimed: reads the pending runs of the partitions this collector holds (`_partitions`; the
//    leases are in partition-leases.ts), soonest deadline first.
// 2. Read: `_consider` reads each run's record once (`_load`, kept in `_waiting`), then its hops
//    every pass, until every expected hop and the trigger's outcome are in or it is due.
// 3. Classified: `_finish` asks the peer directory, then the pure classifier (classifier/).
// 4. Stored once: `_finish` stores the result with a compare-and-set (`RunStore.finishRun`,
//    lua/finish-run.lua); only the collector whose write took it goes on.
// 5. Handed on: `_announce` calls the `onResult` listeners (the verdict pipeline) and gives the
//    result to those in `waitForResult` (result-waiters.ts).
// Runs fired by this process (`track`) are also remembered in memory (runs-in-flight.ts), so they
// still get `unknown` when storage fails them; storage-watch.ts notes failed and slow storage calls.

import { partitionOf } from '@hoptrace/core';
import { classify } from '../classifier/classify';
import { classifyJourney } from '../classifier/classify-journey';
import { hasEveryRequiredHop } from '../classifier/expected-path';
import { journeyComplete, journeyDueMs } from '../classifier/journey-hops';
import type { RunRecord } from '../classifier/types';
import type { FiredRun } from '../runner/probe-runner';
import type { RunResult, RunStore, StoredRun } from '../store/run-store';
import { ResultWaiters } from './result-waiters';
import { RunsInFlight } from './runs-in-flight';
import { StorageWatch } from './storage-watch';
import { DEFAULT_MAX_RUNS_IN_FLIGHT, type CollectorDeps, type CollectorOptions } from './types';

// What the collector is given (types.ts), re-exported where its importers have always found it.
export { DEFAULT_MAX_RUNS_IN_FLIGHT } from './types';
export type { CollectorDeps, CollectorOptions, PeerKnowledge } from './types';

type Listener = (result: RunResult) => void;

/** How long a run of a probe this collector does not know stays pending before it is forgotten. */
const FOREIGN_RUN_GRACE_MS = 600_000;

/**
 * Classifies runs: as soon as all of a run's expected hops have arrived, or when its deadline
 * has passed. The result is stored with a compare-and-set on the run (see finish-run.lua), so a
 * run is classified exactly once, also across restarts and several Oamservers; only the one that
 * stored a result announces it. Runs fired by this process are also remembered in memory, so
 * that when storage is down they still get a verdict (`unknown`) instead of vanishing.
 */
export class Collector {
  private readonly _now: () => number;
  private readonly _intervalMs: number;
  private readonly _skewThresholdMs: number;
  private readonly _maxPerPass: number;
  private readonly _unknownGraceMs: number;
  private readonly _triggerGraceMs: number;
  private readonly _scope: 'all' | 'own';
  private readonly _probes: Set<string> | undefined;
  private readonly _maxRunsInFlight: number;
  private readonly _storage: StorageWatch;
  private readonly _inFlight: RunsInFlight;
  private readonly _results = new ResultWaiters();
  /** Records of the pending runs this collector waits for (they never change; read once). */
  private readonly _waiting = new Map<string, RunRecord>();
  private readonly _listeners: Listener[] = [];
  private _timer: NodeJS.Timeout | undefined;
  private _pass: Promise<void> | undefined;
  private _stopped = false;
  private _peerWarnedAtMs = -Infinity;
  private _leasesRenewedAtMs = -Infinity;

  constructor(
    private readonly _deps: CollectorDeps,
    options: CollectorOptions = {},
  ) {
    this._now = _deps.now ?? Date.now;
    this._intervalMs = options.intervalMs ?? 250;
    this._skewThresholdMs = options.skewThresholdMs ?? 1000;
    this._maxPerPass = options.maxPerPass ?? 500;
    this._unknownGraceMs = options.unknownGraceMs ?? 2000;
    this._triggerGraceMs = options.triggerGraceMs ?? 1000;
    this._scope = options.scope ?? 'all';
    this._probes = options.probes ? new Set(options.probes) : undefined;
    this._maxRunsInFlight = options.maxRunsInFlight ?? DEFAULT_MAX_RUNS_IN_FLIGHT;
    this._storage = new StorageWatch(_deps.storageHealth, options.slowStorageMs ?? 500, _deps.warn);
    this._inFlight = new RunsInFlight(
      {
        store: _deps.store,
        storageHealth: _deps.storageHealth,
        storage: this._storage,
        announce: (result) => this._announce(result),
        settledElsewhere: (result) => this._settledElsewhere(result),
      },
      { maxRunsInFlight: this._maxRunsInFlight, unknownGraceMs: this._unknownGraceMs },
    );
  }

  start(): void {
    this._stopped = false;
    // The next pass starts `intervalMs` after this one ends: passes never overlap.
    const loop = (): void => {
      if (this._stopped) return;
      this._pass = this.pass().finally(() => {
        this._timer = setTimeout(loop, this._intervalMs);
        this._timer.unref();
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this._stopped = true;
    clearTimeout(this._timer);
    await this._pass;
    // The others take this one's partitions at their next renewal, without waiting for the leases to lapse.
    await this._deps.leases?.releaseAll();
  }

  /** One look at every pending run (of the partitions this collector holds). */
  async pass(): Promise<void> {
    const now = this._now();
    let pending: { runId: string; deadlineMs: number }[];
    let read: { partitions?: number[]; legacy?: boolean };
    this._storage.startPass();
    // Claim: which partitions are this collector's, and which of their runs are due first.
    try {
      read = await this._partitions(now);
      pending = await this._storage.timed(() =>
        this._deps.store.pendingRuns(
          this._maxPerPass,
          read.partitions,
          read.legacy === undefined ? undefined : { legacy: read.legacy },
        ),
      );
      // Nothing to read (`hoptrace probe` before its run is tracked): still watch storage, so that
      // an outage while the run is in flight is noticed.
      if (read.partitions?.length === 0 && read.legacy !== true)
        await this._storage.timed(() => this._deps.store.ping());
      this._storage.answered();
    } catch (error) {
      // Storage is down: the runs fired here that are due get `unknown` from memory.
      this._storage.failed(error);
      this._inFlight.judgeUnknownIfStorageDown(now);
      return;
    }
    // Read, classify, store and hand on each run that is ready; 20 at a time bounds the calls in flight.
    for (let i = 0; i < pending.length; i += 20) {
      await Promise.all(pending.slice(i, i + 20).map((p) => this._consider(p.runId, p.deadlineMs, now)));
    }
    await this._inFlight.saveUnsaved();
    const pendingIds = new Set(pending.map((p) => p.runId));
    // A pending list cut short proves nothing by what it lacks.
    if (pending.length < this._maxPerPass) {
      // Forget the records of runs no longer pending (classified, here or elsewhere).
      for (const runId of this._waiting.keys()) if (!pendingIds.has(runId)) this._waiting.delete(runId);
      const wasRead = (runId: string): boolean =>
        read.partitions === undefined || read.partitions.includes(partitionOf(runId));
      await this._inFlight.findVanished(pendingIds, now, wasRead);
    }
    this._storage.endPass();
    this._inFlight.judgeUnknownIfStorageDown(now);
  }

  /**
   * The partitions this collector reads this pass: with leases, those it holds (renewed when
   * due); `own` scope, those of the runs it fired; else all of them.
   */
  private async _partitions(now: number): Promise<{ partitions?: number[]; legacy?: boolean }> {
    const leases = this._deps.leases;
    if (leases) {
      if (now - this._leasesRenewedAtMs >= leases.renewEveryMs) {
        this._leasesRenewedAtMs = now;
        await this._storage.timed(() => leases.renew());
      }
      return { partitions: leases.owned() };
    }
    if (this._scope === 'own') return { partitions: this._inFlight.partitions(), legacy: false };
    return {};
  }

  /** Reads a pending run and its hops; classifies it (`_finish`) once it is ready. */
  private async _consider(runId: string, deadlineMs: number, now: number): Promise<void> {
    if (this._scope === 'own' && !this._inFlight.has(runId)) return;
    try {
      // A run's record (path, deadline) never changes: read it once, then only its hops while it
      // waits; its state and trigger are read again when it is ready to be classified.
      let stored: StoredRun | undefined;
      let run = this._waiting.get(runId);
      if (!run) {
        stored = await this._load(runId, deadlineMs, now);
        if (!stored) return;
        run = stored.run;
        if (this._waiting.size >= this._maxRunsInFlight) this._waiting.clear(); // a bound; they are read again
        this._waiting.set(runId, run);
      }
      const { hops } = await this._storage.timed(() => this._deps.store.readHops(runId));
      this._storage.answered();
      if (!run.steps) {
        const complete = hasEveryRequiredHop(
          run.pathSteps ?? run.path,
          hops.map((h) => h.service),
        );
        if (!complete && now < run.deadlineMs) return;
      }
      stored ??= await this._load(runId, deadlineMs, now);
      if (!stored) return;
      // A journey is complete when each step that ran has all of its own hops (a service in
      // several steps' paths must have reported in each), and due once each step's own time is up.
      if (run.steps) {
        const steps = stored.steps ?? [];
        if (!journeyComplete(hops, run.steps, steps) && now < journeyDueMs(run, steps)) return;
      }
      // Even with every hop in, wait for what the trigger answered (an unexpected status matters).
      if (!stored.trigger && now < run.deadlineMs + this._triggerGraceMs) return;
      // A lease lost meanwhile (this process was paused past it): the new holder classifies the run.
      if (this._deps.leases && !this._deps.leases.holds(partitionOf(runId))) return;
      await this._finish(stored, hops, now);
    } catch (error) {
      this._storage.failed(error);
    }
  }

  /** The stored run, when it is one this collector should go on waiting for or classify. */
  private async _load(runId: string, deadlineMs: number, now: number): Promise<StoredRun | undefined> {
    const stored = await this._storage.timed(() => this._deps.store.loadRun(runId));
    if (!stored) {
      // The run's record expired or was never written: nothing to classify.
      if (now > deadlineMs + this._unknownGraceMs) await this._deps.store.dropPending(runId);
      return undefined;
    }
    if (stored.state === 'done') {
      this._settledElsewhere(stored.result);
      await this._deps.store.dropPending(runId);
      return undefined;
    }
    if (!this._knows(runId, stored.run.probe)) {
      // A run of a probe this server does not know (fired by `hoptrace probe` with another
      // config): its firer classifies it. If that process died, forget it after a while.
      if (now > stored.run.deadlineMs + FOREIGN_RUN_GRACE_MS) await this._deps.store.dropPending(runId);
      return undefined;
    }
    return stored;
  }

  /** Whether this collector classifies runs of `probe` (see CollectorOptions.probes). */
  private _knows(runId: string, probe: string): boolean {
    return this._probes === undefined || this._probes.has(probe) || this._inFlight.has(runId);
  }

  /** Classifies a ready run, stores its result (once, across Oamservers) and, if this store took it, hands it on. */
  private async _finish(
    stored: StoredRun,
    hops: Awaited<ReturnType<RunStore['readHops']>>['hops'],
    now: number,
  ): Promise<void> {
    const { run, trigger } = stored;
    const peers = this._deps.peers;
    if (peers?.refresh && hops) {
      // Without it the verdict still stands, on what this Oamserver knows itself.
      await peers.refresh(hops, run.path).catch((error: unknown) => this._peerProblem(error));
    }
    const input = {
      run,
      hops,
      storageGap: this._deps.storageHealth.unavailableBetween(run.firedAtMs, now),
      skewThresholdMs: this._skewThresholdMs,
      peers: peers ? (peer: string) => peers.lookup(peer) : undefined,
      callerOf: peers ? (service: string) => peers.usualCaller(service) : undefined,
      baseline: this._deps.baselines
        ? (service: string, instance: string) => this._deps.baselines!.baseline(run.probe, service, instance)
        : undefined,
      baselineRule: this._deps.baselineRule,
    };
    const classification = run.steps
      ? classifyJourney({ ...input, steps: stored.steps ?? [] }, now)
      : classify({ ...input, trigger, triggerUnrecorded: !trigger }, now - run.firedAtMs);
    if (peers && hops) {
      try {
        await peers.learn(hops);
      } catch (error) {
        this._peerProblem(error);
      }
    }
    const result: RunResult = { ...classification, run, ...(trigger ? { trigger } : {}), classifiedAtMs: now };
    // Compare-and-set: 'stored' only for the one collector whose write took the run. A run
    // announced from memory while storage was down was counted then.
    const outcome = await this._deps.store.finishRun(result);
    if (outcome === 'stored' && !this._inFlight.alreadyAnnounced(run.runId)) this._announce(result);
  }

  /** The shared peer directory did not answer: said once a minute at most. */
  private _peerProblem(error: unknown): void {
    const now = Date.now();
    if (now - this._peerWarnedAtMs < 60_000) return;
    this._peerWarnedAtMs = now;
    this._deps.warn?.(`peer directory unavailable: ${(error as Error).message}; blaming on what this Oamserver knows`);
  }

  /** Calls `listener` with every result this collector stores (once per run). */
  onResult(listener: Listener): void {
    this._listeners.push(listener);
  }

  /** Hands a verdict reached here on: to the listeners, then to whoever waits for it. */
  private _announce(result: RunResult): void {
    for (const listener of this._listeners) {
      try {
        listener(result);
      } catch {
        // A listener's fault must not stop the collector.
      }
    }
    this._settle(result);
  }

  /** Resolves with the run's result once it has one, or undefined after `timeoutMs`. */
  waitForResult(runId: string, timeoutMs: number): Promise<RunResult | undefined> {
    return this._results.wait(runId, timeoutMs);
  }

  /**
   * Another Oamserver (or an earlier life of this one) classified a run fired here: whoever
   * waits for it here gets the result, but it is not announced again (it was counted there).
   */
  private _settledElsewhere(result: RunResult | undefined): void {
    if (result) this._settle(result);
  }

  /** The run has its result: no longer in flight here, and given to its waiters. */
  private _settle(result: RunResult): void {
    this._inFlight.forget(result.run.runId);
    this._results.settle(result);
  }

  /** Remembers a run fired by this process (see class comment). */
  track(fired: FiredRun): void {
    if (fired.storageError !== undefined) {
      this._inFlight.unrecorded(fired.run, fired.storageError, this._now());
      return;
    }
    // Already classified: fire() returns once the trigger's outcome is recorded, which can take
    // longer than the run when storage is slow. Tracking it now would announce it again.
    if (this._results.has(fired.run.runId)) return;
    this._inFlight.add(fired.run);
  }
}
