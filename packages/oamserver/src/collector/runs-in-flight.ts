import { partitionOf } from '@hoptrace/core';
import type { RunRecord } from '../classifier/types';
import type { RunResult, RunStore } from '../store/run-store';
import type { StorageHealth } from '../store/storage-health';
import type { StorageWatch } from './storage-watch';
import { unknownResult } from './unknown-result';

/** What RunsInFlight needs: storage, and the collector's two ways of handing a result on. */
export interface RunsInFlightDeps {
  store: Pick<RunStore, 'finishRun' | 'loadRun'>;
  storageHealth: StorageHealth;
  storage: StorageWatch;
  /** Hands a verdict reached here on to the listeners and waiters. */
  announce(result: RunResult): void;
  /** Gives waiters a verdict stored by someone else, without announcing it again. */
  settledElsewhere(result: RunResult | undefined): void;
}

/** Options of RunsInFlight (see CollectorOptions). */
export interface RunsInFlightOptions {
  maxRunsInFlight: number;
  unknownGraceMs: number;
}

/**
 * Runs fired by this process that have no verdict yet, remembered in memory so that each still
 * gets one when storage fails it: `unknown` when its record could not be written, when storage is
 * down once it is due, or when storage lost it (Redis restarted empty, or was flushed). At most
 * `maxRunsInFlight` runs are remembered.
 */
export class RunsInFlight {
  /** Runs fired here, not yet announced. */
  private readonly _runs = new Map<string, RunRecord>();
  /** Runs announced from memory (storage was down); storing their result later must not announce them again. */
  private readonly _announcedLocally = new Set<string>();
  /** Results of runs that could not be recorded, announced already, to store when storage answers. */
  private readonly _unsaved = new Map<string, RunResult>();

  constructor(
    private readonly _deps: RunsInFlightDeps,
    private readonly _options: RunsInFlightOptions,
  ) {}

  /** Remembers a run fired here (unless `maxRunsInFlight` are remembered already). */
  add(run: RunRecord): void {
    if (this._runs.size < this._options.maxRunsInFlight) this._runs.set(run.runId, run);
  }

  /** Whether the run was fired here and has no verdict yet. */
  has(runId: string): boolean {
    return this._runs.has(runId);
  }

  /** The partitions of the runs fired here (what a collector of scope `own` reads). */
  partitions(): number[] {
    return [...new Set([...this._runs.keys()].map((id) => partitionOf(id)))];
  }

  /** The run has its result (announced here, or settled elsewhere): nothing left to remember. */
  forget(runId: string): void {
    this._runs.delete(runId);
  }

  /** Whether a result just stored was announced from memory already; asked once, so the mark is dropped. */
  alreadyAnnounced(runId: string): boolean {
    return this._announcedLocally.delete(runId);
  }

  /** A run fired here whose record could not be written: `unknown` at once, stored once storage answers. */
  unrecorded(run: RunRecord, storageError: string, now: number): void {
    const result = unknownResult(run, `the run could not be recorded: ${storageError}`, now);
    this._deps.announce(result);
    this._announcedLocally.add(run.runId);
    // On a cluster part of the run may be stored (its record, an index) though the rest failed:
    // store the verdict once storage answers, so the run does not stay pending in storage.
    if (this._unsaved.size < this._options.maxRunsInFlight) this._unsaved.set(run.runId, result);
  }

  /** Stores the verdicts of runs that could not be recorded (see unrecorded); each is tried until storage answers. */
  async saveUnsaved(): Promise<void> {
    for (const [runId, result] of [...this._unsaved]) {
      try {
        await this._deps.store.finishRun(result);
        this._unsaved.delete(runId);
      } catch (error) {
        this._deps.storage.failed(error);
        return;
      }
    }
  }

  /** Runs fired here whose deadline is well past while storage is down get `unknown`, from memory. */
  judgeUnknownIfStorageDown(now: number): void {
    const health = this._deps.storageHealth;
    if (!health.failing) return;
    for (const run of this._runs.values()) {
      if (now <= run.deadlineMs + this._options.unknownGraceMs) continue;
      this._announcedLocally.add(run.runId);
      if (this._announcedLocally.size > this._options.maxRunsInFlight)
        this._announcedLocally.delete(this._announcedLocally.values().next().value as string);
      this._deps.announce(
        unknownResult(run, `storage was unavailable when the run was due: ${health.lastError ?? 'no answer'}`, now),
      );
    }
  }

  /**
   * A run fired here, well past its deadline, that storage no longer knows (Redis restarted
   * empty, or was flushed): it gets `unknown` rather than waiting forever. Only meaningful after a
   * pass read the whole pending list of the partitions `wasRead` says it read.
   */
  async findVanished(pendingIds: Set<string>, now: number, wasRead: (runId: string) => boolean): Promise<void> {
    for (const run of [...this._runs.values()]) {
      // A run of a partition not read this pass (another Oamserver's) is not missing.
      if (!wasRead(run.runId) || pendingIds.has(run.runId) || now <= run.deadlineMs + this._options.unknownGraceMs)
        continue;
      try {
        const stored = await this._deps.store.loadRun(run.runId);
        if (stored?.state === 'done') {
          this._deps.settledElsewhere(stored.result);
          continue;
        }
        if (stored) continue; // recorded again meanwhile: the next pass handles it
        this._deps.announce(
          unknownResult(
            run,
            'the run vanished from storage before it was classified (Redis restarted or flushed?)',
            now,
          ),
        );
      } catch (error) {
        this._deps.storage.failed(error);
        return;
      }
    }
  }
}
