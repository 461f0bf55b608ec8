import { DEFAULT_KEY_PREFIX, HoptraceError, createRedisKeys, type HopRecord, type RedisKeys } from '@hoptrace/core';
import { HopExportStats, type HopDropReason } from './hop-export-stats';
import { createHopRedisClient, type HopRedisClient } from './redis-client';
import { ExportResultCode, type ExportResult, type ReadableSpan, type SpanExporter } from './sdk-contract';
import { isProbeHop, spanToHopRecord } from './span-to-hop';
import type { RedisHopExporterOptions } from './types';
import { optionValue } from './option-value';
import { defineWriteHops, type WriteHopsResult } from './write-hops-script';

/** Defaults of `RedisHopExporterOptions`. */
export const REDIS_HOP_EXPORTER_DEFAULTS = {
  keyPrefix: DEFAULT_KEY_PREFIX,
  hopTtlMs: 3_600_000,
  exportTimeoutMs: 1000,
  commandTimeoutMs: 500,
  maxHopsPerRun: 64,
} as const;

function dropReasonOf(error: unknown): HopDropReason {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('OOM')) return 'redis_oom';
  if (/timed out/i.test(message)) return 'timeout';
  return 'redis_unavailable';
}

/**
 * An OpenTelemetry `SpanExporter` that writes one hop record per probe hop into Redis and
 * ignores every other span. Inside a host service it never throws and never waits past
 * `exportTimeoutMs`: the callback is called exactly once, and every hop not written is counted
 * in `stats` by reason. It is re-entrant (`forceFlush` may export batches in parallel).
 *
 * Run it behind `HopSpanProcessor` (or a BatchSpanProcessor), which calls `export` with
 * tracing suppressed, so the exporter's own Redis commands never become spans.
 */
export class RedisHopExporter implements SpanExporter {
  /** Counters: written, duplicates, dropped by reason. */
  readonly stats: HopExportStats;
  private readonly _client: HopRedisClient;
  private readonly _ownsClient: boolean;
  private readonly _keys: RedisKeys;
  private readonly _writeHops: (
    key: string,
    ttlMs: number,
    maxHops: number,
    pairs: string[],
  ) => Promise<WriteHopsResult>;
  private readonly _hopTtlMs: number;
  private readonly _exportTimeoutMs: number;
  private readonly _maxHopsPerRun: number;
  private readonly _pending = new Set<Promise<unknown>>();
  private _stopped = false;
  /** The client has been ready at least once (until then, an export may wait for the first connection). */
  private _everReady = false;

  constructor(options: RedisHopExporterOptions = {}) {
    this.stats = options.stats ?? new HopExportStats({ warn: options.onWarning });
    this._keys = createRedisKeys(options.keyPrefix ?? REDIS_HOP_EXPORTER_DEFAULTS.keyPrefix);
    this._hopTtlMs = optionValue(options.hopTtlMs, 'hopTtlMs', REDIS_HOP_EXPORTER_DEFAULTS.hopTtlMs);
    this._exportTimeoutMs = optionValue(
      options.exportTimeoutMs,
      'exportTimeoutMs',
      REDIS_HOP_EXPORTER_DEFAULTS.exportTimeoutMs,
    );
    this._maxHopsPerRun = optionValue(
      options.maxHopsPerRun,
      'maxHopsPerRun',
      REDIS_HOP_EXPORTER_DEFAULTS.maxHopsPerRun,
    );
    this._ownsClient = options.redis === undefined;
    this._client =
      options.redis ??
      createHopRedisClient(options.redisUrl, {
        commandTimeoutMs: optionValue(
          options.commandTimeoutMs,
          'commandTimeoutMs',
          REDIS_HOP_EXPORTER_DEFAULTS.commandTimeoutMs,
        ),
        warn: options.onWarning,
      });
    this._writeHops = defineWriteHops(this._client);
    this._everReady = this._client.status === 'ready';
    if (!this._everReady) this._client.once('ready', () => (this._everReady = true));
  }

  /** The client hop records are written through. */
  get client(): HopRedisClient {
    return this._client;
  }

  /** Writes the probe hops among `spans`; calls `resultCallback` exactly once, within the export timeout. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const finish = (result: ExportResult): void => {
      if (called) return;
      called = true;
      try {
        resultCallback(result);
      } catch {
        // A caller's callback must not turn into an exporter failure.
      }
    };
    try {
      const hopSpans = spans.filter(isProbeHop);
      if (this._stopped) {
        this.stats.recordDropped('shutdown', hopSpans.length);
        finish({
          code: ExportResultCode.FAILED,
          error: new HoptraceError('HOPTRACE_EXPORTER_SHUTDOWN', 'exporter is shut down'),
        });
        return;
      }
      if (hopSpans.length === 0) {
        finish({ code: ExportResultCode.SUCCESS });
        return;
      }
      const work = this._exportHops(hopSpans).then(finish, (error: unknown) =>
        finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
      );
      this._track(work);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  /** Waits for exports in flight (each bounded by the export timeout). */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this._pending]);
  }

  /** Refuses new exports, waits for those in flight, closes the client it owns. Idempotent. */
  async shutdown(): Promise<void> {
    if (this._stopped) return;
    this._stopped = true;
    await this.forceFlush();
    if (this._ownsClient) {
      try {
        await Promise.race([this._client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
      } catch {
        // Quitting a client that never connected fails; disconnect below is enough.
      }
      this._client.disconnect();
    }
  }

  private _track(work: Promise<unknown>): void {
    this._pending.add(work);
    void work.finally(() => this._pending.delete(work));
  }

  /**
   * Right after start the client is still connecting, and with no offline queue a write would
   * fail at once: the first hops of every service would be lost. So until the first connection,
   * an export waits for it, within its deadline. (During a later outage it fails fast instead.)
   */
  private async _firstConnection(deadlineAt: number): Promise<void> {
    if (this._everReady || this._client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        // Remove the listener too: during a long first outage every export would add one.
        this._client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadlineAt - Date.now()));
      timer.unref();
      this._client.once('ready', done);
    });
  }

  private async _exportHops(hopSpans: ReadableSpan[]): Promise<ExportResult> {
    const deadlineAt = Date.now() + this._exportTimeoutMs;
    await this._firstConnection(deadlineAt);
    await waitForResources(hopSpans);
    const byRun = new Map<string, HopRecord[]>();
    for (const span of hopSpans) {
      const hop = spanToHopRecord(span);
      if (!hop) {
        this.stats.recordDropped('invalid', 1, `span "${span.name}" does not make a valid hop record`);
        continue;
      }
      const list = byRun.get(hop.runId) ?? [];
      list.push(hop);
      byRun.set(hop.runId, list);
    }
    if (byRun.size === 0) return { code: ExportResultCode.SUCCESS };

    // One atomic script call per run (one key, one slot), all issued at once and auto-pipelined.
    const outcomes = [...byRun.values()].map((hops) => this._writeRun(hops));
    const deadline = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this._exportTimeoutMs).unref(),
    );
    const results = await Promise.all(outcomes.map((o) => Promise.race([o.promise, deadline])));
    let failure: Error | undefined;
    results.forEach((result, i) => {
      const outcome = outcomes[i]!;
      if (result === 'timeout') {
        outcome.abandon();
        this.stats.recordDropped('timeout', outcome.count, `no answer from Redis within ${this._exportTimeoutMs} ms`);
        failure ??= new HoptraceError(
          'HOPTRACE_EXPORT_TIMEOUT',
          `hop export took longer than ${this._exportTimeoutMs} ms`,
        );
      } else if (result instanceof Error) {
        failure ??= result;
      }
    });
    return failure ? { code: ExportResultCode.FAILED, error: failure } : { code: ExportResultCode.SUCCESS };
  }

  /** Writes one run's hops; counts the outcome unless abandoned after the deadline. */
  private _writeRun(hops: HopRecord[]): { promise: Promise<Error | undefined>; count: number; abandon(): void } {
    let abandoned = false;
    const pairs = hops.flatMap((hop) => [hop.spanId, JSON.stringify(hop)]);
    const key = this._keys.runHops(hops[0]!.runId);
    const promise = this._writeHops(key, this._hopTtlMs, this._maxHopsPerRun, pairs).then(
      (result) => {
        if (abandoned) return undefined;
        this.stats.recordWritten(result.written);
        this.stats.recordDuplicates(result.duplicates);
        this.stats.recordDropped('run_cap', result.capped, `run already holds ${this._maxHopsPerRun} hop records`);
        return undefined;
      },
      (error: unknown) => {
        if (abandoned) return undefined;
        const reason = dropReasonOf(error);
        this.stats.recordDropped(reason, hops.length, error instanceof Error ? error.message : String(error));
        return new HoptraceError('HOPTRACE_REDIS_UNAVAILABLE', 'could not write hop records to Redis', {
          cause: error,
        });
      },
    );
    return { promise, count: hops.length, abandon: () => (abandoned = true) };
  }
}

/** Resources may still be detecting attributes (service.name could be among them): wait for them. */
async function waitForResources(spans: ReadableSpan[]): Promise<void> {
  const pending = new Set(spans.map((s) => s.resource).filter((r) => r.asyncAttributesPending));
  await Promise.all(
    [...pending].map((r) => (r.waitForAsyncAttributes ? r.waitForAsyncAttributes() : Promise.resolve())),
  );
}
