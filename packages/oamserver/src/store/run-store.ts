import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  PENDING_PARTITIONS,
  createRedisKeys,
  decodeHopRecord,
  partitionOf,
  type HopRecord,
  type RedisKeys,
} from '@hoptrace/core';
import { isFault, runSummarySchema, triggerOutcomeSchema, type RunSummary } from '@hoptrace/core/api';
import { defineLuaCommand } from '@hoptrace/core/redis';
import { z } from 'zod';
import {
  classificationSchema,
  runRecordSchema,
  stepOutcomeSchema,
  type RunRecord,
  type StepOutcome,
  type TriggerOutcome,
} from '../classifier/types';
import type { OamRedis } from './redis-client';
import { placesOf, summarizePending, summarizeResult } from './run-summary';
import { StoredJson } from './stored-json';

/** Every partition of the pending runs. */
const ALL_PARTITIONS = Array.from({ length: PENDING_PARTITIONS }, (_, p) => p);

/**
 * Default approximate cap of the verdicts stream (`XADD MAXLEN ~`): at 100 runs/s, the last 100 s
 * of verdicts, far more than an Oamserver's feed lags behind while it runs.
 */
export const DEFAULT_VERDICTS_MAX_LEN = 10_000;

/** At most one warning a minute about verdicts not shared: a Redis outage fails every XADD. */
const SHARE_WARN_EVERY_MS = 60_000;

/** A classified run, as stored and served (parsed with this schema when read back). */
export const runResultSchema = classificationSchema.extend({
  run: runRecordSchema,
  trigger: triggerOutcomeSchema.optional(),
  classifiedAtMs: z.number(),
});
/** A classified run, as stored and served. */
export type RunResult = z.infer<typeof runResultSchema>;

/** A run as stored: pending or done. */
export interface StoredRun {
  run: RunRecord;
  state: 'pending' | 'done';
  trigger?: TriggerOutcome;
  result?: RunResult;
  /** A journey: what became of each step so far (undefined: not recorded yet). */
  steps?: (StepOutcome | undefined)[];
}

/** Options of RunStore. */
export interface RunStoreOptions {
  keyPrefix?: string;
  /** How long a run and its result are kept. Default 24 h. */
  runTtlMs?: number;
  /** How many runs the recent-run indexes keep. Default 10 000. */
  maxRuns?: number;
  /** Told about corrupt data read back (once a minute per kind of record at most; see StoredJson), and verdicts not shared. */
  warn?: (message: string) => void;
  /**
   * Names the process storing verdicts in the verdicts stream (the Oamserver's owner id: its own
   * feed skips its entries). Default: a random id, so that verdicts stored by a tool count as a
   * peer's.
   */
  owner?: string;
  /** Approximate cap of the verdicts stream. Default 10 000 (`DEFAULT_VERDICTS_MAX_LEN`). */
  verdictsMaxLen?: number;
}

type FinishRun = (key: string, result: string, classifiedAtMs: number, summary: string) => Promise<number>;
type IndexRun = (
  index: string,
  runId: string,
  firedAtMs: number,
  maxRuns: number,
  runTtlMs: number,
  nowMs: number,
) => Promise<number>;

/** One entry of a run index: the run and when it was fired (the index's score). */
export interface IndexEntry {
  runId: string;
  firedAtMs: number;
}

/**
 * Runs in Redis. One run lives in one hash tag (`{runId}`), so it is safe on Redis Cluster;
 * indexes are separate keys, trimmed to `maxRuns`, and every run expires after `runTtlMs`.
 * Every method may reject when Redis fails: callers decide what an outage means. What is read
 * back is parsed with its schema; corrupt data is never returned, nor a reason to reject: it
 * reads as absent (each method says what that means) and is reported through `warn`.
 */
export class RunStore {
  readonly keys: RedisKeys;
  /** Parses what is read back; counts corrupt records (`stored.counts()`). */
  readonly stored: StoredJson;
  /** Who stores the verdicts, as named in the verdicts stream. */
  readonly owner: string;
  private readonly _runTtlMs: number;
  private readonly _maxRuns: number;
  private readonly _finishRun: FinishRun;
  private readonly _indexRun: IndexRun;
  private readonly _verdictsMaxLen: number;
  private readonly _warn: ((message: string) => void) | undefined;
  private _unshared = 0;
  private _unsharedWarnedAtMs = -Infinity;

  constructor(
    private readonly _redis: OamRedis,
    options: RunStoreOptions = {},
  ) {
    this.keys = createRedisKeys(options.keyPrefix);
    this._runTtlMs = options.runTtlMs ?? 86_400_000;
    this._maxRuns = options.maxRuns ?? 10_000;
    this.stored = new StoredJson(options.warn);
    this.owner = options.owner ?? `run-store:${randomBytes(4).toString('hex')}`;
    this._verdictsMaxLen = options.verdictsMaxLen ?? DEFAULT_VERDICTS_MAX_LEN;
    this._warn = options.warn;
    this._finishRun = defineLuaCommand<FinishRun>(
      this._redis,
      'hoptraceFinishRun',
      join(__dirname, '..', '..', 'lua', 'finish-run.lua'),
    );
    this._indexRun = defineLuaCommand<IndexRun>(
      this._redis,
      'hoptraceIndexRun',
      join(__dirname, '..', '..', 'lua', 'index-run.lua'),
    );
  }

  /** Records a new run as pending, and indexes it. Must succeed before the run is fired. */
  async createRun(run: RunRecord): Promise<void> {
    const key = this.keys.run(run.runId);
    await this._redis
      .multi()
      .hset(key, { run: JSON.stringify(run), state: 'pending' })
      .pexpire(key, this._runTtlMs)
      .exec();
    const recent = this.keys.recentRuns();
    const perProbe = this.keys.probeRuns(run.probe);
    await Promise.all([
      this._redis.zadd(this.keys.pendingPartition(partitionOf(run.runId)), run.deadlineMs, run.runId),
      this._addToIndex(recent, run.firedAtMs, run.runId),
      this._addToIndex(perProbe, run.firedAtMs, run.runId),
    ]);
  }

  /**
   * Adds a run to an index, which keeps at most `maxRuns` runs, none older than the run TTL
   * (their runs are gone), and expires when no run is added for a TTL.
   */
  private async _addToIndex(index: string, firedAtMs: number, runId: string): Promise<void> {
    await this._indexRun(index, runId, firedAtMs, this._maxRuns, this._runTtlMs, Date.now());
  }

  /** Notes what the trigger did. */
  async recordTrigger(runId: string, trigger: TriggerOutcome): Promise<void> {
    await this._redis.hset(this.keys.run(runId), 'trigger', JSON.stringify(trigger));
  }

  /** Notes what became of one step of a journey. */
  async recordStep(runId: string, index: number, outcome: StepOutcome): Promise<void> {
    await this._redis.hset(this.keys.run(runId), `step:${index}`, JSON.stringify(outcome));
  }

  /**
   * Runs waiting to be classified in the partitions given (default: all), soonest deadline first,
   * at most `limit` per partition. With `legacy`, also those of the unpartitioned pending set that
   * runs were kept in before (still drained after an upgrade).
   */
  async pendingRuns(
    limit = 1000,
    partitions: readonly number[] = ALL_PARTITIONS,
    { legacy = partitions.includes(0) }: { legacy?: boolean } = {},
  ): Promise<{ runId: string; deadlineMs: number }[]> {
    const keys = partitions.map((p) => this.keys.pendingPartition(p));
    if (legacy) keys.push(this.keys.pendingRuns());
    const lists = await Promise.all(keys.map((key) => this._redis.zrange(key, '0', String(limit - 1), 'WITHSCORES')));
    const out: { runId: string; deadlineMs: number }[] = [];
    for (const flat of lists) {
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ runId: flat[i]!, deadlineMs: Number(flat[i + 1]) });
    }
    return out.sort((a, b) => a.deadlineMs - b.deadlineMs);
  }

  /**
   * One run, or undefined when it is not (or no longer) stored. A run whose record is corrupt (or
   * another run's), or whose result is, reads as not stored: there is nothing to classify or show.
   * A corrupt trigger outcome or step outcome reads as not recorded (yet).
   */
  async loadRun(runId: string): Promise<StoredRun | undefined> {
    const fields = await this._redis.hgetall(this.keys.run(runId));
    const run = this._runRecord(fields.run, runId);
    if (!run) return undefined;
    const result = this.stored.parse(runResultSchema, fields.result, 'run result');
    if (fields.result !== undefined && !result) return undefined;
    const stored: StoredRun = {
      run,
      state: fields.state === 'done' ? 'done' : 'pending',
      trigger: this.stored.parse(triggerOutcomeSchema, fields.trigger, 'trigger outcome'),
      result,
    };
    if (run.steps) {
      stored.steps = run.steps.map((_, index) =>
        this.stored.parse(stepOutcomeSchema, fields[`step:${index}`], 'step outcome'),
      );
    }
    return stored;
  }

  /** The run record read from `runId`'s hash; undefined when absent, corrupt, or another run's. */
  private _runRecord(raw: string | null | undefined, runId: string): RunRecord | undefined {
    const run = this.stored.parse(runRecordSchema, raw, 'run record');
    if (run && run.runId !== runId) {
      this.stored.corrupt('run record', 'runId: not the run of its key');
      return undefined;
    }
    return run;
  }

  /** The run's hop records. Entries that do not match the schema are skipped and counted. */
  async readHops(runId: string): Promise<{ hops: HopRecord[]; invalid: number }> {
    const raw = await this._redis.hgetall(this.keys.runHops(runId));
    const hops: HopRecord[] = [];
    let invalid = 0;
    for (const value of Object.values(raw)) {
      const hop = decodeHopRecord(value);
      if (hop && hop.runId === runId) hops.push(hop);
      else invalid++;
    }
    return { hops, invalid };
  }

  /**
   * Stores the result if the run is still pending: 'stored', 'already-done' or 'missing'. The one
   * that stored it also indexes it and adds its summary to the verdicts stream (for the other
   * Oamservers' statistics: see pipeline/shared-verdicts.ts).
   */
  async finishRun(result: RunResult): Promise<'stored' | 'already-done' | 'missing'> {
    const summary = summarizeResult(result);
    const summaryJson = JSON.stringify(summary);
    const outcome = await this._finishRun(
      this.keys.run(result.run.runId),
      JSON.stringify(result),
      result.classifiedAtMs,
      summaryJson,
    );
    await this._unpend(result.run.runId);
    // Only the Oamserver that stored the result indexes it (the indexes are idempotent anyway).
    if (outcome === 1) {
      await Promise.all([this._indexResult(summary, result.run.firedAtMs), this._shareVerdict(summaryJson)]);
    }
    return outcome === 1 ? 'stored' : outcome === 0 ? 'already-done' : 'missing';
  }

  /** Verdicts stored but not added to the verdicts stream (it failed): the other Oamservers' statistics miss them. */
  get unsharedVerdicts(): number {
    return this._unshared;
  }

  /**
   * Adds a stored verdict to the verdicts stream. Never rejects: the verdict is stored, and only
   * the other Oamservers' statistics miss it (counted, and said once a minute at most).
   */
  private async _shareVerdict(summaryJson: string): Promise<void> {
    try {
      await this._redis.xadd(
        this.keys.verdicts(),
        'MAXLEN',
        '~',
        this._verdictsMaxLen,
        '*',
        'owner',
        this.owner,
        'summary',
        summaryJson,
      );
    } catch (error) {
      this._unshared++;
      const now = Date.now();
      if (now - this._unsharedWarnedAtMs < SHARE_WARN_EVERY_MS) return;
      this._unsharedWarnedAtMs = now;
      this._warn?.(
        `verdict not shared with the other Oamservers (${(error as Error).message}): their statistics miss it; ${this._unshared} so far`,
      );
    }
  }

  /** Indexes a classified run by verdict, by the services and instances it touched, and as a probe's fault. */
  private async _indexResult(summary: RunSummary, firedAtMs: number): Promise<void> {
    const { services, instances } = placesOf(summary);
    const indexes = [
      this.keys.runsByVerdict(summary.verdict!),
      ...services.map((s) => this.keys.runsByService(s)),
      ...instances.map((i) => this.keys.runsByInstance(i)),
    ];
    if (isFault(summary.verdict!)) indexes.push(this.keys.probeFaults(summary.probe), this.keys.runsWithFault());
    await Promise.all(indexes.map((index) => this._addToIndex(index, firedAtMs, summary.runId)));
  }

  /**
   * The summaries of these runs, in the same order; undefined for a run no longer stored, or
   * whose data is corrupt (see loadRun). Results stored before summaries existed (or whose
   * summary is corrupt) are summarised from the result.
   */
  async loadSummaries(runIds: readonly string[]): Promise<(RunSummary | undefined)[]> {
    return Promise.all(
      runIds.map(async (runId) => {
        const key = this.keys.run(runId);
        const [summary, run, state] = await this._redis.hmget(key, 'summary', 'run', 'state');
        const parsed = this.stored.parse(runSummarySchema, summary, 'run summary');
        if (parsed) return parsed;
        const record = this._runRecord(run, runId);
        if (!record) return undefined;
        if (state !== 'done') return summarizePending(record);
        const result = this.stored.parse(runResultSchema, await this._redis.hget(key, 'result'), 'run result');
        return result ? summarizeResult(result) : undefined;
      }),
    );
  }

  /**
   * Entries of an index, newest first: fired at or before `maxMs` (exclusive when `exclusiveMax`),
   * at or after `minMs`, skipping the first `offset`.
   */
  async indexEntries(
    index: string,
    range: { maxMs?: number; exclusiveMax?: boolean; minMs?: number; offset?: number; count: number },
  ): Promise<IndexEntry[]> {
    const max = range.maxMs === undefined ? '+inf' : `${range.exclusiveMax ? '(' : ''}${range.maxMs}`;
    const flat = await this._redis.zrevrangebyscore(
      index,
      max,
      range.minMs ?? '-inf',
      'WITHSCORES',
      'LIMIT',
      range.offset ?? 0,
      range.count,
    );
    const out: IndexEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ runId: flat[i]!, firedAtMs: Number(flat[i + 1]) });
    return out;
  }

  /** How many runs an index holds fired within [minMs, maxMs]. */
  async indexCount(index: string, minMs?: number, maxMs?: number): Promise<number> {
    return this._redis.zcount(index, minMs ?? '-inf', maxMs ?? '+inf');
  }

  /** Forgets a pending entry whose run is gone. */
  async dropPending(runId: string): Promise<void> {
    await this._unpend(runId);
  }

  /** Takes a run out of the pending sets (its partition's, and the one of before partitions). */
  private async _unpend(runId: string): Promise<void> {
    await Promise.all([
      this._redis.zrem(this.keys.pendingPartition(partitionOf(runId)), runId),
      this._redis.zrem(this.keys.pendingRuns(), runId),
    ]);
  }

  /** Most recent runs first, of one probe or all; pending runs included. */
  async recentRuns(options: { probe?: string; limit?: number; sinceMs?: number } = {}): Promise<StoredRun[]> {
    const index = options.probe ? this.keys.probeRuns(options.probe) : this.keys.recentRuns();
    const ids = await this._redis.zrevrangebyscore(
      index,
      '+inf',
      options.sinceMs ?? '-inf',
      'LIMIT',
      0,
      options.limit ?? 50,
    );
    const runs = await Promise.all(ids.map((id) => this.loadRun(id)));
    return runs.filter((r): r is StoredRun => r !== undefined);
  }

  /** Claims a schedule slot of a probe for this Oamserver; false when another one has it. */
  async claimSlot(probe: string, slot: number, owner: string, ttlMs: number): Promise<boolean> {
    return (await this._redis.set(this.keys.scheduleSlot(probe, slot), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** PING: is storage reachable? */
  async ping(): Promise<boolean> {
    return (await this._redis.ping()) === 'PONG';
  }
}
