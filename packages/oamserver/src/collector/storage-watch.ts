import { performance } from 'node:perf_hooks';
import type { StorageHealth } from '../store/storage-health';

/**
 * Storage as the collector's calls see it. Each failed call is noted in StorageHealth, with a
 * warning when an outage starts; so is a pass whose slowest call took too long: a Redis that hung,
 * then answered, has likely dropped the services' hop writes meanwhile.
 */
export class StorageWatch {
  /** The slowest single storage call of the current pass. */
  private _slowestCallMs = 0;

  constructor(
    private readonly _health: StorageHealth,
    /** A storage answer slower than this counts as a storage problem (`CollectorOptions.slowStorageMs`). */
    private readonly _slowStorageMs: number,
    /** Told about storage problems (never about argument values). */
    private readonly _warn?: (message: string) => void,
  ) {}

  /** A pass starts: its slowest call is measured afresh. */
  startPass(): void {
    this._slowestCallMs = 0;
  }

  /**
   * Runs one storage call, noting how long it waited for storage (a hung Redis shows as one slow
   * call). The time this process's own event loop was busy meanwhile is left out: a loop blocked
   * by our own work (start-up, a long classification pass, a loaded machine) delays the answer's
   * callback but says nothing about Redis, and must not make verdicts `unknown`.
   */
  async timed<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const loop = performance.eventLoopUtilization();
    try {
      return await call();
    } finally {
      const busyMs = performance.eventLoopUtilization(loop).active;
      this._slowestCallMs = Math.max(this._slowestCallMs, performance.now() - started - busyMs);
    }
  }

  /** Storage answered. */
  answered(): void {
    this._health.success();
  }

  /** A storage call failed. */
  failed(error: unknown): void {
    const wasFailing = this._health.failing;
    this._health.failure(error);
    if (!wasFailing)
      this._warn?.(`storage unavailable: ${(error as Error).message}; verdicts will be unknown until it returns`);
  }

  /** A pass ended (without failing): one slow answer during it counts as a failure. */
  endPass(): void {
    if (this._slowestCallMs > this._slowStorageMs) {
      // Redis hung for a while, then answered: hop writes of that time were probably dropped.
      this.failed(new Error(`storage took ${Math.round(this._slowestCallMs)} ms to answer`));
    }
  }
}
