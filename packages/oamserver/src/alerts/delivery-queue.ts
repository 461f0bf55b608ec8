import type { IncidentEvent } from '../incidents/types';
import { DeliveryStats } from './delivery-stats';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy';
import type { AlertChannel, DeliveryOutcome, DeliveryRecord } from './types';

/** How one attempt at delivering an event went. */
export type AttemptResult =
  | { ok: true; status?: number; detail?: string }
  | {
      ok: false;
      /** Why, in one line (kept as the record's `lastError`). */
      error: string;
      status?: number;
      /** Whether another attempt could go differently. */
      retryable: boolean;
      /** The receiver asked to wait this long (Retry-After); the retry policy caps it. */
      retryAfterMs?: number;
    };

/** What each attempt is given. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborts when the channel gives up at shutdown. */
  signal: AbortSignal;
}

/** Makes the attempts of one event. May throw (the event cannot be sent at all: not retried). */
export type AttemptFunction = (context: AttemptContext) => Promise<AttemptResult>;

/** Options every queued channel has. Only `name` is required. */
export interface DeliveryQueueOptions {
  /** The channel's name in metrics, logs and delivery records. */
  name: string;
  /** Attempts per event, the first included. Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry, doubling after. Default 1000 (tests use a few ms). */
  baseDelayMs?: number;
  /** Longest delay between attempts, Retry-After included. Default 30 000. */
  maxDelayMs?: number;
  /** Events waiting for delivery; more are dropped and counted. Default 1000. */
  maxQueueSize?: number;
  /** Delivery records kept for recentDeliveries(). Default 100. */
  maxRecentDeliveries?: number;
  /** How long stop() lets deliveries finish before giving up on them. Default 5000. */
  stopTimeoutMs?: number;
  /** Told about failed and dropped deliveries. */
  warn?: (message: string) => void;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
}

interface QueuedEvent {
  event: IncidentEvent;
  queuedAtMs: number;
}

/** Drops are warned about at most this often: a flood of drops must not become a flood of log lines. */
const DROP_WARNING_INTERVAL_MS = 60_000;

/** Resolves after `ms`, or at once when `signal` aborts. The timer does not keep the process alive. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The delivery machinery every remote alert channel shares (webhooks, plugin channels): events
 * wait in a bounded queue and are sent one at a time, in order (an `incident.resolved` must not
 * overtake its `incident.opened`), each retried with backoff as the retry policy says; outcomes
 * are counted and the last deliveries kept. A subclass says how to make one attempt.
 */
export abstract class DeliveryQueue implements AlertChannel {
  readonly name: string;
  private readonly _policy: RetryPolicy;
  private readonly _stats: DeliveryStats;
  private readonly _queue: QueuedEvent[] = [];
  private readonly _abort = new AbortController();
  private _inFlight: Promise<void> | undefined;
  private _stopping = false;
  private _stopped: Promise<void> | undefined;
  private _dropsNotWarned = 0;
  private _lastDropWarningMs = -Infinity;

  constructor(private readonly _queueOptions: DeliveryQueueOptions) {
    this.name = _queueOptions.name;
    this._policy = {
      maxAttempts: Math.max(1, _queueOptions.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
      baseDelayMs: _queueOptions.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: _queueOptions.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    };
    this._stats = new DeliveryStats(_queueOptions.maxRecentDeliveries);
  }

  /** Prepares one event (its body, its delivery id) and returns how to attempt it. */
  protected abstract prepare(event: IncidentEvent): AttemptFunction;

  /** Prefixes this channel's warnings, e.g. `alert webhook "ops"`. */
  protected abstract get warnPrefix(): string;

  send(event: IncidentEvent): void {
    const queued = { event, queuedAtMs: Date.now() };
    const maxQueueSize = this._queueOptions.maxQueueSize ?? 1000;
    if (this._stopping) return this._drop(queued, 'channel stopped');
    if (this._queue.length >= maxQueueSize) return this._drop(queued, `queue full (${maxQueueSize} events waiting)`);
    this._queue.push(queued);
    this._pump();
  }

  counts(): Readonly<Record<DeliveryOutcome, number>> {
    return this._stats.counts();
  }

  recentDeliveries(): readonly DeliveryRecord[] {
    return this._stats.recent();
  }

  stop(): Promise<void> {
    this._stopped ??= this._stop();
    return this._stopped;
  }

  private async _stop(): Promise<void> {
    this._stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this._queueOptions.stopTimeoutMs ?? 5000);
      timer.unref();
    });
    await Promise.race([this._drained(), deadline]);
    clearTimeout(timer);
    // Past the deadline: abort the attempt and backoff in flight, give up on what never started.
    this._abort.abort();
    const abandoned = this._queue.splice(0);
    for (const queued of abandoned) this._drop(queued, 'given up at shutdown', false);
    if (abandoned.length > 0) this.warn(`gave up on ${abandoned.length} queued event(s) at shutdown`);
    await this._drained();
  }

  /** Resolves when nothing is queued or in flight. */
  private async _drained(): Promise<void> {
    // Each delivery starts the next one as it settles, so wait until none follows.
    while (this._inFlight) await this._inFlight;
  }

  private _pump(): void {
    if (this._inFlight || this._queue.length === 0) return;
    const next = this._queue.shift()!;
    this._inFlight = this._deliver(next).finally(() => {
      this._inFlight = undefined;
      this._pump();
    });
  }

  /** Delivers one event, retrying as the policy says. Never rejects. */
  private async _deliver({ event, queuedAtMs }: QueuedEvent): Promise<void> {
    const signal = this._abort.signal;
    let attempts = 0;
    let lastStatus: number | undefined;
    let lastError: string | undefined;
    let detail: string | undefined;
    let delivered = false;
    try {
      const attempt = this.prepare(event);
      let retryAfterMs: number | undefined;
      while (attempts < this._policy.maxAttempts && !signal.aborted) {
        if (attempts > 0) {
          await sleep(retryDelayMs(attempts, this._policy, retryAfterMs, this._queueOptions.random), signal);
          if (signal.aborted) break;
          this._stats.count('retried');
        }
        attempts += 1;
        let result: AttemptResult;
        try {
          result = await attempt({ attempt: attempts, signal });
        } catch (error) {
          result = { ok: false, error: (error as Error).message, retryable: true };
        }
        lastStatus = result.status;
        if (result.ok) {
          delivered = true;
          lastError = undefined;
          detail = result.detail;
          break;
        }
        lastError = result.error;
        retryAfterMs = result.retryAfterMs;
        if (!result.retryable) break;
      }
      if (!delivered && signal.aborted) lastError = `${lastError ?? 'not sent'}; gave up at shutdown`;
    } catch (error) {
      // Only a fault of ours lands here (an event that cannot be serialised): report it, do not retry.
      lastError = `cannot send: ${(error as Error).message}`;
    }
    const record = this._record(event, queuedAtMs, delivered ? 'delivered' : 'failed', attempts);
    this._stats.finish({
      ...record,
      ...(lastStatus !== undefined && { lastStatus }),
      ...(lastError && { lastError }),
      ...(detail && { detail }),
    });
    if (!delivered) {
      this.warn(`${event.type} of incident ${event.incident.id} failed after ${attempts} attempt(s): ${lastError}`);
    }
  }

  private _record(
    event: IncidentEvent,
    queuedAtMs: number,
    outcome: 'delivered' | 'failed' | 'dropped',
    attempts: number,
  ): DeliveryRecord & { outcome: DeliveryOutcome } {
    return {
      channel: this.name,
      eventType: event.type,
      incidentId: event.incident.id,
      outcome,
      attempts,
      queuedAtMs,
      finishedAtMs: Date.now(),
    };
  }

  private _drop(queued: QueuedEvent, reason: string, warn = true): void {
    this._stats.finish({ ...this._record(queued.event, queued.queuedAtMs, 'dropped', 0), lastError: reason });
    if (!warn) return;
    this._dropsNotWarned += 1;
    const now = Date.now();
    if (now - this._lastDropWarningMs < DROP_WARNING_INTERVAL_MS) return;
    this.warn(`dropped ${this._dropsNotWarned} event(s): ${reason}`);
    this._dropsNotWarned = 0;
    this._lastDropWarningMs = now;
  }

  protected warn(message: string): void {
    try {
      this._queueOptions.warn?.(`${this.warnPrefix}: ${message}`);
    } catch {
      // A broken logger must not stop deliveries.
    }
  }
}
