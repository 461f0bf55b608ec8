/** Least time a storage outage is remembered, so runs that overlapped it are judged `unknown`. */
const DEFAULT_MEMORY_MS = 3_600_000;
/** Most outage periods remembered (older ones are merged away). */
const MAX_PERIODS = 256;

/**
 * Remembers when storage (Redis) failed, so that a run whose hops went missing while hoptrace
 * itself could not write or read is judged `unknown` rather than blamed on a service — even
 * when Redis is back by the time the run is classified.
 */
export class StorageHealth {
  private readonly _periods: { fromMs: number; toMs: number }[] = [];
  private _failing = false;
  private _lastError: string | undefined;

  constructor(
    private readonly _now: () => number = Date.now,
    private readonly _memoryMs = DEFAULT_MEMORY_MS,
  ) {}

  /** A storage call failed now. */
  failure(error: unknown): void {
    const now = this._now();
    this._lastError = error instanceof Error ? error.message : String(error);
    const last = this._periods[this._periods.length - 1];
    if (this._failing && last) last.toMs = now;
    else this._periods.push({ fromMs: now, toMs: now });
    this._failing = true;
    while (this._periods.length > MAX_PERIODS || (this._periods[0] && this._periods[0].toMs < now - this._memoryMs)) {
      this._periods.shift();
    }
  }

  /** A storage call succeeded now. */
  success(): void {
    if (!this._failing) return;
    const last = this._periods[this._periods.length - 1];
    if (last) last.toMs = this._now();
    this._failing = false;
  }

  /** Storage is failing right now. */
  get failing(): boolean {
    return this._failing;
  }

  /** The last storage error seen. */
  get lastError(): string | undefined {
    return this._lastError;
  }

  /** Storage failed at some moment between `fromMs` and `toMs`. */
  unavailableBetween(fromMs: number, toMs: number): boolean {
    if (this._failing) return true;
    return this._periods.some((p) => p.fromMs <= toMs && p.toMs >= fromMs);
  }
}
