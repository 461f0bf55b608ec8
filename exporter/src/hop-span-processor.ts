import { context, diag, type Context } from '@opentelemetry/api';
import { HopExitTracker } from './hop-exit-tracker';
import { HopExportStats } from './hop-export-stats';
import { optionValue } from './option-value';
import {
  ExportResultCode,
  suppressTracing,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from './sdk-contract';
import { isProbeHop } from './span-to-hop';
import type { HopSpanProcessorOptions } from './types';

/** Defaults of `HopSpanProcessorOptions`. */
export const HOP_SPAN_PROCESSOR_DEFAULTS = {
  maxQueueSize: 1024,
  maxExportBatchSize: 128,
  scheduledDelayMs: 200,
} as const;

/**
 * A span processor for probe hops only. `onStart` notes the outgoing calls of each probe hop
 * (see HopExitTracker); `onEnd` is O(1) and never throws: a span that is not a
 * probe hop is ignored at once, a hop goes into a bounded queue (when full, it is dropped and
 * counted). One export at a time runs in the background, with tracing suppressed so the
 * exporter's Redis commands never trace themselves. Ordinary traffic never reaches the exporter.
 */
export class HopSpanProcessor implements SpanProcessor {
  /** Counters shared with the exporter. */
  readonly stats: HopExportStats;
  private readonly _exporter: SpanExporter;
  private readonly _maxQueueSize: number;
  private readonly _maxBatch: number;
  private readonly _delayMs: number;
  private readonly _exits = new HopExitTracker();
  private _queue: ReadableSpan[] = [];
  private _timer: NodeJS.Timeout | undefined;
  private _exporting: Promise<void> | undefined;
  private _shutdown: Promise<void> | undefined;

  constructor(exporter: SpanExporter & { stats?: HopExportStats }, options: HopSpanProcessorOptions = {}) {
    this._exporter = exporter;
    this.stats = options.stats ?? exporter.stats ?? new HopExportStats();
    this._maxQueueSize = optionValue(options.maxQueueSize, 'maxQueueSize', HOP_SPAN_PROCESSOR_DEFAULTS.maxQueueSize, {
      whole: true,
    });
    this._maxBatch = Math.min(
      optionValue(options.maxExportBatchSize, 'maxExportBatchSize', HOP_SPAN_PROCESSOR_DEFAULTS.maxExportBatchSize, {
        whole: true,
      }),
      this._maxQueueSize,
    );
    this._delayMs = optionValue(
      options.scheduledDelayMs,
      'scheduledDelayMs',
      HOP_SPAN_PROCESSOR_DEFAULTS.scheduledDelayMs,
      {
        whole: true,
        zeroAllowed: true,
      },
    );
  }

  /** Hop spans waiting for export. */
  get queueLength(): number {
    return this._queue.length;
  }

  onStart(span: Span, _parentContext: Context): void {
    try {
      this._exits.onStart(span);
    } catch (error) {
      diag.error('hoptrace: hop processor failed in onStart', error);
    }
  }

  onEnding(span: Span): void {
    try {
      this._exits.onEnding(span);
    } catch (error) {
      diag.error('hoptrace: hop processor failed in onEnding', error);
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      this._exits.onEnd(span);
      if (!isProbeHop(span)) return;
      if (this._shutdown) {
        this.stats.recordDropped('shutdown', 1);
        return;
      }
      if (this._queue.length >= this._maxQueueSize) {
        this.stats.recordDropped('queue_full', 1, `queue holds ${this._maxQueueSize} hops`);
        return;
      }
      this._queue.push(span);
      if (this._queue.length >= this._maxBatch) this._kick(0);
      else this._kick(this._delayMs);
    } catch (error) {
      diag.error('hoptrace: hop processor failed in onEnd', error);
    }
  }

  /** Exports everything queued now and waits for it. */
  async forceFlush(): Promise<void> {
    while (this._exporting || this._queue.length > 0) {
      if (this._exporting) await this._exporting;
      else await this._exportNext();
    }
    await this._exporter.forceFlush?.();
  }

  /** Flushes what is queued, then shuts the exporter down. Idempotent. */
  shutdown(): Promise<void> {
    this._shutdown ??= (async () => {
      clearTimeout(this._timer);
      this._timer = undefined;
      await this.forceFlush();
      await this._exporter.shutdown();
    })();
    return this._shutdown;
  }

  /** Schedules an export in `delayMs`, unless one is already scheduled sooner or running. */
  private _kick(delayMs: number): void {
    if (this._exporting) return;
    if (this._timer && delayMs > 0) return;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => {
      this._timer = undefined;
      void this._exportNext();
    }, delayMs);
    this._timer.unref();
  }

  private _exportNext(): Promise<void> {
    if (this._exporting) return this._exporting;
    const batch = this._queue.splice(0, this._maxBatch);
    if (batch.length === 0) return Promise.resolve();
    this._exporting = new Promise<void>((resolve) => {
      // Our own Redis commands must never become spans (and never recurse into this processor).
      context.with(suppressTracing(context.active()), () => {
        try {
          this._exporter.export(batch, (result) => {
            if (result.code !== ExportResultCode.SUCCESS && result.error) {
              diag.debug(`hoptrace: hop export failed: ${result.error.message}`);
            }
            resolve();
          });
        } catch (error) {
          // The exporter's contract says it never throws; count it if one does.
          this.stats.recordDropped('redis_unavailable', batch.length, String(error));
          resolve();
        }
      });
    }).finally(() => {
      this._exporting = undefined;
      if (this._queue.length > 0) this._kick(this._queue.length >= this._maxBatch ? 0 : this._delayMs);
    });
    return this._exporting;
  }
}
