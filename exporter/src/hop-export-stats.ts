import { diag } from '@opentelemetry/api';

/** Why a hop record was not written. */
export type HopDropReason =
  /** The processor's queue was full (Redis slower than the hop rate). */
  | 'queue_full'
  /** Redis refused or could not be reached. */
  | 'redis_unavailable'
  /** Redis answered `OOM` (maxmemory reached). */
  | 'redis_oom'
  /** The write did not finish within the export timeout. */
  | 'timeout'
  /** The run already holds `maxHopsPerRun` records. */
  | 'run_cap'
  /** The span could not be turned into a valid hop record. */
  | 'invalid'
  /** The exporter or processor was already shut down. */
  | 'shutdown';

/** The reasons, in a stable order (for metrics and docs). */
export const HOP_DROP_REASONS: readonly HopDropReason[] = [
  'queue_full',
  'redis_unavailable',
  'redis_oom',
  'timeout',
  'run_cap',
  'invalid',
  'shutdown',
];

/** A point-in-time copy of the counters. */
export interface HopExportStatsSnapshot {
  /** Hop records written to Redis. */
  written: number;
  /** Hop records that were already in Redis (replayed exports), counted once. */
  duplicates: number;
  /** Hop records not written, by reason. */
  dropped: Record<HopDropReason, number>;
  /** Sum of `dropped`. */
  droppedTotal: number;
}

/** Least time between two `diag.warn` lines about drops, so a Redis outage does not flood logs. */
const WARN_INTERVAL_MS = 10_000;

/**
 * Counters shared by the hop processor and the exporter: every hop is either written, a
 * duplicate, or dropped for a named reason. Readable in code (`snapshot()`) and reported to
 * `diag` (at most one warning per reason every 10 s).
 */
export class HopExportStats {
  private _written = 0;
  private _duplicates = 0;
  private readonly _dropped = Object.fromEntries(HOP_DROP_REASONS.map((r) => [r, 0])) as Record<HopDropReason, number>;
  private readonly _lastWarnAt = new Map<HopDropReason, number>();
  private readonly _warn: (message: string) => void;

  /** `warn` receives the rate-limited drop warnings; default `diag.warn`. */
  constructor(options: { warn?: (message: string) => void } = {}) {
    this._warn = options.warn ?? ((message) => diag.warn(`hoptrace: ${message}`));
  }

  /** Counts records written. */
  recordWritten(count: number): void {
    this._written += count;
  }

  /** Counts records found already written. */
  recordDuplicates(count: number): void {
    this._duplicates += count;
  }

  /** Counts dropped records and tells `diag`, rate-limited. */
  recordDropped(reason: HopDropReason, count: number, detail?: string): void {
    if (count <= 0) return;
    this._dropped[reason] += count;
    const now = Date.now();
    const last = this._lastWarnAt.get(reason);
    if (last === undefined || now - last >= WARN_INTERVAL_MS) {
      this._lastWarnAt.set(reason, now);
      this._warn(
        `dropped ${count} hop record(s), reason=${reason}${detail ? ` (${detail})` : ''}; ` +
          `${this._dropped[reason]} dropped for this reason so far`,
      );
    }
  }

  /** A copy of the counters. */
  snapshot(): HopExportStatsSnapshot {
    const dropped = { ...this._dropped };
    return {
      written: this._written,
      duplicates: this._duplicates,
      dropped,
      droppedTotal: Object.values(dropped).reduce((a, b) => a + b, 0),
    };
  }
}
