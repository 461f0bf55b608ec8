import { partitionOf, type HopRecord } from '@hoptrace/core';
import { classify } from '../classifier/classify';
import { classifyJourney } from '../classifier/classify-journey';
import { hasEveryRequiredHop } from '../classifier/expected-path';
import { journeyComplete, journeyDueMs } from '../classifier/journey-hops';
import type { RunRecord } from '../classifier/types';
import type { BaselineRule } from '../classifier/baseline-rule';
import type { FiredRun } from '../runner/probe-runner';
import type { BaselineStore } from '../stats/baselines';
import type { PeerIdentity } from '../stats/peer-directory';
import type { RunResult, RunStore, StoredRun } from '../store/run-store';
import type { StorageHealth } from '../store/storage-health';
import type { PartitionLeases } from './partition-leases';
import { unknownResult } from './unknown-result';

/** Options of the collector. */
export interface CollectorOptions {
  /** How often pending runs are looked at. Default 250 ms. */
  intervalMs?: number;
  /** Clock differences above this are flagged on runs. Default 1000 ms. */
  skewThresholdMs?: number;
  /** Most pending runs looked at per pass. Default 500. */
  maxPerPass?: number;
  /** After its deadline, how long a run fired here may wait for storage before it is judged `unknown` locally. Default 2000 ms. */
  unknownGraceMs?: number;
  /** After its deadline, how long to wait for a trigger's outcome to be recorded. Default 1000 ms. */
  triggerGraceMs?: number;
  /**
   * A storage answer slower than this counts as a storage problem: services' hop writes (which
   * give up after their export timeout, 1 s by default) were likely dropped meanwhile. Default 500 ms.
   */
  slowStorageMs?: number;
  /**
   * Which pending runs this collector classifies: `all` (a server: every run of the probes it
   * knows) or `own` (`hoptrace probe`: only the runs it fired). Default `all`.
   */
  scope?: 'all' | 'own';
  /** With scope `all`: the probes this collector knows; runs of other probes are left to whoever fired them. */
  probes?: readonly string[];
  /**
   * Most runs fired here that are remembered while they wait for a verdict (config
   * `limits.runsInFlight`); also bounds the cached records of pending runs. Default 10,000.
   */
  maxRunsInFlight?: number;
}

/**
 * What the collector asks of the peer directory (a local `PeerDirectory`, or the
 * `SharedPeerDirectory` that keeps it in Redis for every Oamserver).
 */
export interface PeerKnowledge {
  /** Reads what is known of the addresses `hops` called and the callers of `services`, before a verdict. */
  refresh?(hops: readonly HopRecord[], services: readonly string[]): Promise<void>;
  /** Learns from the hops of a classified run. */
  learn(hops: readonly HopRecord[]): unknown;
  lookup(peer: string): PeerIdentity | undefined;
  usualCaller(service: string): string | undefined;
}

/** What the collector needs. */
export interface CollectorDeps {
  store: RunStore;
  storageHealth: StorageHealth;
  /** Addresses learned from linked hops (names the instance a failed call was meant for); learns from every run. */
  peers?: PeerKnowledge;
  /** Leases on partitions of the pending runs: this collector classifies only the runs of partitions it holds. */
  leases?: PartitionLeases;
  /** Usual hop latencies, for hops without a budget. */
  baselines?: BaselineStore;
  baselineRule?: BaselineRule;
  now?: () => number;
  /** Told about storage problems (never about argument values). */
  warn?: (message: string) => void;
}

type Listener = (result: RunResult) => void;

/**
 * Default of `CollectorOptions.maxRunsInFlight`: at 100 runs/s, enough for runs that wait up to
 * ~95 s for their verdict (timeout, plus 2 s of grace when storage is down).
 */
export const DEFAULT_MAX_RUNS_IN_FLIGHT = 10_000;
/**
 * Results remembered for late waiters (10 s of results at 100 runs/s; a waiter comes within the
 * time fire() takes to return). Fixed: results carry their hops, and more would not help.
 */
const MAX_RECENT_RESULTS = 1000;
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
  private readonly _slowStorageMs: number;
  private readonly _scope: 'all' | 'own';
  private readonly _probes: Set<string> | undefined;
  private readonly _maxRunsInFlight: number;
  /** Records of the pending runs this collector waits for (they never change; read once). */
  private readonly _waiting = new Map<string, RunRecord>();
  /** Results announced lately, so a waiter that comes late still gets its run's result. */
  private readonly _recent = new Map<string, RunResult>();
  /** The slowest single storage call of the current pass. */
  private _slowestCallMs = 0;
  private readonly _listeners: Listener[] = [];
  private readonly _waiters = new Map<string, ((result: RunResult) => void)[]>();
  /** Runs fired here, not yet announced. */
  private readonly _local = new Map<string, RunRecord>();
  /** Runs announced from memory (storage was down); storing their result later must not announce them again. */
  private readonly _announcedLocally = new Set<string>();
  /** Results of runs that could not be recorded, announced already, to store when storage answers. */
  private readonly _unsaved = new Map<string, RunResult>();
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
    this._slowStorageMs = options.slowStorageMs ?? 500;
    this._scope = options.scope ?? 'all';
    this._probes = options.probes ? new Set(options.probes) : undefined;
    this._maxRunsInFlight = options.maxRunsInFlight ?? DEFAULT_MAX_RUNS_IN_FLIGHT;
  }

  /** Calls `listener` with every result this collector stores (once per run). */
  onResult(listener: Listener): void {
    this._listeners.push(listener);
  }

  /** Remembers a run fired by this process (see class comment). */
  track(fired: FiredRun): void {
    if (fired.storageError !== undefined) {
      const result = unknownResult(fired.run, `the run could not be recorded: ${fired.storageError}`, this._now());
      this._announce(result);
      this._announcedLocally.add(fired.run.runId);
      // On a cluster part of the run may be stored (its record, an index) though the rest failed:
      // store the verdict once storage answers, so the run does not stay pending in storage.
      if (this._unsaved.size < this._maxRunsInFlight) this._unsaved.set(fired.run.runId, result);
      return;
    }
    // Already classified: fire() returns once the trigger's outcome is recorded, which can take
    // longer than the run when storage is slow. Tracking it now would announce it again.
    if (this._recent.has(fired.run.runId)) return;
    if (this._local.size < this._maxRunsInFlight) this._local.set(fired.run.runId, fired.run);
  }

  /** Stores the verdicts of runs that could not be recorded (see track); each is tried until storage answers. */
  private async _saveUnsaved(): Promise<void> {
    for (const [runId, result] of [...this._unsaved]) {
      try {
        await this._deps.store.finishRun(result);
        this._unsaved.delete(runId);
      } catch (error) {
        this._storageFailed(error);
        return;
      }
    }
  }

  /** Resolves with the run's result once it has one, or undefined after `timeoutMs`. */
  waitForResult(runId: string, timeoutMs: number): Promise<RunResult | undefined> {
    const known = this._recent.get(runId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this._waiters.set(
          runId,
          (this._waiters.get(runId) ?? []).filter((w) => w !== done),
        );
        resolve(undefined);
      }, timeoutMs);
      const done = (result: RunResult): void => {
        clearTimeout(timer);
        resolve(result);
      };
      this._waiters.set(runId, [...(this._waiters.get(runId) ?? []), done]);
    });
  }

  start(): void {
    this._stopped = false;
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

  /**
   * The partitions this collector reads this pass: with leases, those it holds (renewed when
   * due); `own` scope, those of the runs it fired; else all of them.
   */
  private async _partitions(now: number): Promise<{ partitions?: number[]; legacy?: boolean }> {
    const leases = this._deps.leases;
    if (leases) {
      if (now - this._leasesRenewedAtMs >= leases.renewEveryMs) {
        this._leasesRenewedAtMs = now;
        await this._timed(() => leases.renew());
      }
      return { partitions: leases.owned() };
    }
    if (this._scope === 'own')
      return { partitions: [...new Set([...this._local.keys()].map((id) => partitionOf(id)))], legacy: false };
    return {};
  }

  /** One look at every pending run (of the partitions this collector holds). */
  async pass(): Promise<void> {
    const now = this._now();
    let pending: { runId: string; deadlineMs: number }[];
    let read: { partitions?: number[]; legacy?: boolean };
    this._slowestCallMs = 0;
    try {
      read = await this._partitions(now);
      pending = await this._timed(() =>
        this._deps.store.pendingRuns(
          this._maxPerPass,
          read.partitions,
          read.legacy === undefined ? undefined : { legacy: read.legacy },
        ),
      );
      // Nothing to read (`hoptrace probe` before its run is tracked): still watch storage, so that
      // an outage while the run is in flight is noticed.
      if (read.partitions?.length === 0 && read.legacy !== true) await this._timed(() => this._deps.store.ping());
      this._deps.storageHealth.success();
    } catch (error) {
      this._storageFailed(error);
      this._judgeLocalRunsUnknown(now);
      return;
    }
    for (let i = 0; i < pending.length; i += 20) {
      await Promise.all(pending.slice(i, i + 20).map((p) => this._consider(p.runId, p.deadlineMs, now)));
    }
    await this._saveUnsaved();
    const pendingIds = new Set(pending.map((p) => p.runId));
    const truncated = pending.length >= this._maxPerPass;
    // Forget the records of runs no longer pending (classified, here or elsewhere).
    if (!truncated) for (const runId of this._waiting.keys()) if (!pendingIds.has(runId)) this._waiting.delete(runId);
    const wasRead = (runId: string): boolean =>
      read.partitions === undefined || read.partitions.includes(partitionOf(runId));
    await this._findVanishedRuns(pendingIds, now, truncated, wasRead);
    if (this._slowestCallMs > this._slowStorageMs) {
      // Redis hung for a while, then answered: hop writes of that time were probably dropped.
      this._storageFailed(new Error(`storage took ${Math.round(this._slowestCallMs)} ms to answer`));
    }
    this._judgeLocalRunsUnknown(now);
  }

  /**
   * A run fired here, well past its deadline, that storage no longer knows (Redis restarted
   * empty, or was flushed): it gets `unknown` rather than waiting forever.
   */
  private async _findVanishedRuns(
    pendingIds: Set<string>,
    now: number,
    truncated: boolean,
    wasRead: (runId: string) => boolean,
  ): Promise<void> {
    if (truncated) return; // the pending list was cut short: absence proves nothing
    for (const run of [...this._local.values()]) {
      // A run of a partition not read this pass (another Oamserver's) is not missing.
      if (!wasRead(run.runId) || pendingIds.has(run.runId) || now <= run.deadlineMs + this._unknownGraceMs) continue;
      try {
        const stored = await this._deps.store.loadRun(run.runId);
        if (stored?.state === 'done') {
          this._settledElsewhere(stored.result);
          continue;
        }
        if (stored) continue; // recorded again meanwhile: the next pass handles it
        this._announce(
          unknownResult(
            run,
            'the run vanished from storage before it was classified (Redis restarted or flushed?)',
            now,
          ),
        );
      } catch (error) {
        this._storageFailed(error);
        return;
      }
    }
  }

  /** Runs one storage call, noting how long it took (a hung Redis shows as one slow call). */
  private async _timed<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this._slowestCallMs = Math.max(this._slowestCallMs, performance.now() - started);
    }
  }

  /** Whether this collector classifies runs of `probe` (see CollectorOptions.probes). */
  private _knows(runId: string, probe: string): boolean {
    return this._probes === undefined || this._probes.has(probe) || this._local.has(runId);
  }

  /** The stored run, when it is one this collector should go on waiting for or classify. */
  private async _load(runId: string, deadlineMs: number, now: number): Promise<StoredRun | undefined> {
    const stored = await this._timed(() => this._deps.store.loadRun(runId));
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

  private async _consider(runId: string, deadlineMs: number, now: number): Promise<void> {
    if (this._scope === 'own' && !this._local.has(runId)) return;
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
      const { hops } = await this._timed(() => this._deps.store.readHops(runId));
      this._deps.storageHealth.success();
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
      this._storageFailed(error);
    }
  }

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
    const outcome = await this._deps.store.finishRun(result);
    if (outcome === 'stored' && !this._announcedLocally.delete(run.runId)) this._announce(result);
  }

  /** Runs fired here whose deadline is well past while storage is down get `unknown`, from memory. */
  private _judgeLocalRunsUnknown(now: number): void {
    if (!this._deps.storageHealth.failing) return;
    for (const run of this._local.values()) {
      if (now <= run.deadlineMs + this._unknownGraceMs) continue;
      this._announcedLocally.add(run.runId);
      if (this._announcedLocally.size > this._maxRunsInFlight)
        this._announcedLocally.delete(this._announcedLocally.values().next().value as string);
      this._announce(
        unknownResult(
          run,
          `storage was unavailable when the run was due: ${this._deps.storageHealth.lastError ?? 'no answer'}`,
          now,
        ),
      );
    }
  }

  /** The shared peer directory did not answer: said once a minute at most. */
  private _peerProblem(error: unknown): void {
    const now = Date.now();
    if (now - this._peerWarnedAtMs < 60_000) return;
    this._peerWarnedAtMs = now;
    this._deps.warn?.(`peer directory unavailable: ${(error as Error).message}; blaming on what this Oamserver knows`);
  }

  private _storageFailed(error: unknown): void {
    const wasFailing = this._deps.storageHealth.failing;
    this._deps.storageHealth.failure(error);
    if (!wasFailing)
      this._deps.warn?.(`storage unavailable: ${(error as Error).message}; verdicts will be unknown until it returns`);
  }

  private _announce(result: RunResult): void {
    for (const listener of this._listeners) {
      try {
        listener(result);
      } catch {
        // A listener's fault must not stop the collector.
      }
    }
    this._resolveWaiters(result);
  }

  /**
   * Another Oamserver (or an earlier life of this one) classified a run fired here: whoever
   * waits for it here gets the result, but it is not announced again (it was counted there).
   */
  private _settledElsewhere(result: RunResult | undefined): void {
    if (result) this._resolveWaiters(result);
  }

  private _resolveWaiters(result: RunResult): void {
    this._local.delete(result.run.runId);
    this._recent.set(result.run.runId, result);
    if (this._recent.size > MAX_RECENT_RESULTS) this._recent.delete(this._recent.keys().next().value as string);
    const waiters = this._waiters.get(result.run.runId);
    this._waiters.delete(result.run.runId);
    for (const resolve of waiters ?? []) resolve(result);
  }
}
