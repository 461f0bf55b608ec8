// Live updates arrive up to dozens a second. They are queued and applied once per animation frame
// (one render for many events), and refetches are throttled. Schedulers are injected: the pages
// pass requestAnimationFrame, the tests a manual one.

/** Runs a callback "soon"; returns a way to cancel it. */
export type Schedule = (callback: () => void) => () => void;

/** Collects items and hands them over in one batch per scheduled tick. */
export interface Batcher<T> {
  push(item: T): void;
  /** Drops pending items and any scheduled flush. */
  cancel(): void;
}

export function createBatcher<T>(flush: (items: T[]) => void, schedule: Schedule): Batcher<T> {
  let pending: T[] = [];
  let cancelTick: (() => void) | undefined;
  return {
    push(item) {
      pending.push(item);
      if (cancelTick) return;
      cancelTick = schedule(() => {
        cancelTick = undefined;
        const items = pending;
        pending = [];
        if (items.length > 0) flush(items);
      });
    },
    cancel() {
      cancelTick?.();
      cancelTick = undefined;
      pending = [];
    },
  };
}

/** A timer API (setTimeout and clearTimeout, or fakes). */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Calls `fn` at most once per `intervalMs`; a call inside the interval runs at its end (once). */
export interface Throttle {
  call(): void;
  cancel(): void;
}

export function createThrottle(fn: () => void, intervalMs: number, timers: Timers): Throttle {
  let last = -Infinity;
  let handle: unknown;
  const run = () => {
    handle = undefined;
    last = timers.now();
    fn();
  };
  return {
    call() {
      if (handle !== undefined) return;
      const wait = last + intervalMs - timers.now();
      if (wait <= 0) run();
      else handle = timers.setTimeout(run, wait);
    },
    cancel() {
      if (handle !== undefined) timers.clearTimeout(handle);
      handle = undefined;
    },
  };
}
