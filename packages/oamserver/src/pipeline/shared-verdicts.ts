import type { RedisKeys } from '@hoptrace/core';
import { runSummarySchema, type RunSummary } from '@hoptrace/core/api';
import type { RedisClient } from '@hoptrace/core/redis';
import { z } from 'zod';
import { StoredJson } from '../store/stored-json';

// Several Oamservers divide the runs among them (partition leases), but each one's statistics,
// baselines, timeline and live events must describe the whole platform. Whoever stores a verdict
// adds its summary to the verdicts stream (RunStore.finishRun); every Oamserver reads the stream
// here and hands the others' summaries to its verdict pipeline (VerdictPipeline.handlePeer).

/** One entry of the verdicts stream, as RunStore.finishRun adds it. */
const verdictEntrySchema = z.object({ owner: z.string().min(1), summary: z.string().min(1) });

/** A stored verdict's summary: a classified run, never a pending one. */
const sharedSummarySchema = runSummarySchema.refine((s) => s.state === 'done' && s.verdict !== undefined, {
  message: 'not a classified run',
});

/** What one entry of the verdicts stream says: who stored the verdict, and its run summary. */
export interface VerdictEntry {
  owner: string;
  summary: RunSummary;
}

/**
 * Parses the fields of one verdicts stream entry (`[name, value, name, value, ...]`, as XREAD
 * returns them) with zod; undefined when corrupt (counted and reported by `stored`). Pure.
 */
export function parseVerdictEntry(fields: readonly string[], stored: StoredJson): VerdictEntry | undefined {
  const named: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) named[fields[i]!] = fields[i + 1]!;
  const entry = stored.check(verdictEntrySchema, named, 'verdicts stream entry');
  if (!entry) return undefined;
  const summary = stored.parse(sharedSummarySchema, entry.summary, 'verdicts stream entry');
  return summary ? { owner: entry.owner, summary } : undefined;
}

/** Options of SharedVerdictFeed. */
export interface SharedVerdictFeedOptions {
  /**
   * A connection of the feed's own (XREAD BLOCK holds it), whose command timeout is longer than
   * `blockMs`. The feed disconnects it when it stops.
   */
  redis: RedisClient;
  keys: RedisKeys;
  /** This Oamserver's owner id: its own entries are skipped (its consumers had them when it stored them). */
  owner: string;
  /** Given each other Oamserver's verdict, in the order they were stored. */
  consume: (summary: RunSummary) => void;
  /** Told about corrupt entries and read failures (once a minute at most each). */
  warn?: (message: string) => void;
  /** How long one XREAD waits for new entries. Default 1000 ms. */
  blockMs?: number;
  /** Entries read at most per XREAD. Default 500. */
  count?: number;
  /** Wait after a failed read, doubled after each further failure. Default 500 ms. */
  retryMs?: number;
  /** The longest wait between failed reads. Default 10 000 ms. */
  maxRetryMs?: number;
}

/** What a feed did so far. */
export interface SharedVerdictCounts {
  /** Other Oamservers' verdicts handed on. */
  peers: number;
  /** This Oamserver's own entries, skipped. */
  own: number;
  /** Entries that did not parse, skipped. */
  corrupt: number;
  /** Reads that failed (Redis down or slow). */
  readFailures: number;
}

const WARN_EVERY_MS = 60_000;

/** What a read abandoned at stop resolves to. */
const STOPPED = Symbol('stopped');

/**
 * Reads the verdicts stream from where it ended at `seek()` (called before the Oamserver warms
 * its statistics from stored runs), and hands other Oamservers' verdicts to `consume`, in order.
 * A loop of `XREAD BLOCK` on a connection of its own; when Redis fails it waits (backing off) and
 * reads again from the last entry it saw, never throwing. `stop()` ends it at once: it disconnects
 * the connection and abandons the read in flight (while ioredis reconnects, a queued read would
 * only fail at its deadline).
 */
export class SharedVerdictFeed {
  /** Parses entries; counts corrupt ones (`stored.counts()`). */
  readonly stored: StoredJson;
  private readonly _redis: RedisClient;
  private readonly _key: string;
  private readonly _blockMs: number;
  private readonly _count: number;
  private readonly _retryMs: number;
  private readonly _maxRetryMs: number;
  /** The id of the last entry read (or the stream's end at seek); undefined: not known yet. */
  private _lastId: string | undefined;
  private _loop: Promise<void> | undefined;
  private _stopped = false;
  /** Settles at stop: what a read or a wait in flight is raced against. */
  private readonly _stopping: Promise<typeof STOPPED>;
  private _signalStop: () => void = () => undefined;
  private _problemWarnedAtMs = -Infinity;
  private readonly _counts: SharedVerdictCounts = { peers: 0, own: 0, corrupt: 0, readFailures: 0 };

  constructor(private readonly _options: SharedVerdictFeedOptions) {
    this._redis = _options.redis;
    this._key = _options.keys.verdicts();
    this._blockMs = _options.blockMs ?? 1000;
    this._count = _options.count ?? 500;
    this._retryMs = _options.retryMs ?? 500;
    this._maxRetryMs = _options.maxRetryMs ?? 10_000;
    this.stored = new StoredJson(_options.warn);
    this._stopping = new Promise((resolve) => (this._signalStop = () => resolve(STOPPED)));
    // ioredis reports every failed reconnect: read failures already say Redis is gone.
    this._redis.on('error', () => undefined);
  }

  /** What the feed did so far. */
  counts(): SharedVerdictCounts {
    return { ...this._counts };
  }

  /**
   * Notes where the stream ends now: the feed reads what is added after it. False when Redis did
   * not answer (the feed then starts at the stream's end when it first reads).
   */
  async seek(): Promise<boolean> {
    try {
      this._lastId = await this._tailId();
      return true;
    } catch (error) {
      this._problem(error);
      return false;
    }
  }

  start(): void {
    if (this._loop || this._stopped) return;
    this._loop = this._run();
  }

  /** Ends the loop and closes its connection. Idempotent. */
  async stop(): Promise<void> {
    this._stopped = true;
    this._signalStop();
    this._redis.disconnect();
    await this._loop;
  }

  /** The id of the stream's last entry, `0-0` when it has none. */
  private async _tailId(): Promise<string> {
    const last = await this._redis.xrevrange(this._key, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  private async _run(): Promise<void> {
    let failures = 0;
    while (!this._stopped) {
      try {
        const lastId = this._lastId ?? (await this._unlessStopped(this._tailId()));
        if (lastId === STOPPED) return;
        this._lastId = lastId;
        const reply = await this._unlessStopped(
          this._redis.xread('COUNT', this._count, 'BLOCK', this._blockMs, 'STREAMS', this._key, lastId),
        );
        if (reply === STOPPED) return;
        failures = 0;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this._lastId = id;
            this._take(fields);
          }
        }
      } catch (error) {
        if (this._stopped) return;
        this._counts.readFailures++;
        this._problem(error);
        await this._unlessStopped(
          new Promise((resolve) =>
            setTimeout(resolve, Math.min(this._maxRetryMs, this._retryMs * 2 ** failures)).unref(),
          ),
        );
        failures++;
      }
    }
  }

  private _take(fields: readonly string[]): void {
    const entry = parseVerdictEntry(fields, this.stored);
    if (!entry) {
      this._counts.corrupt++;
      return;
    }
    if (entry.owner === this._options.owner) {
      this._counts.own++;
      return;
    }
    this._counts.peers++;
    try {
      this._options.consume(entry.summary);
    } catch (error) {
      this._options.warn?.(`a shared verdict (run ${entry.summary.runId}) failed: ${(error as Error).message}`);
    }
  }

  /** `work`, or STOPPED as soon as stop() is called (what `work` becomes later is ignored). */
  private _unlessStopped<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
    return Promise.race([work, this._stopping]);
  }

  /** Redis did not answer: said once a minute at most. */
  private _problem(error: unknown): void {
    const now = Date.now();
    if (now - this._problemWarnedAtMs < WARN_EVERY_MS) return;
    this._problemWarnedAtMs = now;
    this._options.warn?.(
      `verdicts stream unavailable (${(error as Error).message}): other Oamservers' runs are missing from this one's statistics until it answers`,
    );
  }
}
