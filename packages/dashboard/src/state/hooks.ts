// Small hooks the pages share: loading an API document, a clock that ticks, live events.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ZodType } from 'zod';
import { getJson } from '../api/client';
import { subscribeLive, subscribeLiveStatus, type LiveListeners, type LiveStatus } from '../api/live';
import { type ApiFailure } from '../lib/api-failure';

export interface Loaded<T> {
  data?: T;
  failure?: ApiFailure;
  /** A request is under way (the previous data, if any, is still shown). */
  loading: boolean;
  /** Fetch again, keeping what is shown until the answer comes. */
  reload: () => void;
}

/**
 * Loads `request` (null: nothing to load) and keeps the last good data while a new request is
 * under way, so a refetch never blanks the page or moves its scroll position.
 */
export function useApi<T>(request: { url: string; schema: ZodType<T> } | null, keepPrevious = false): Loaded<T> {
  const [state, setState] = useState<{ data?: T; failure?: ApiFailure; loading: boolean; url?: string }>({
    loading: request !== null,
  });
  const [nonce, setNonce] = useState(0);
  const url = request?.url ?? null;
  const schemaRef = useRef(request?.schema);
  schemaRef.current = request?.schema;

  useEffect(() => {
    if (url === null || !schemaRef.current) {
      setState({ loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => (keepPrevious || s.url === url ? { ...s, loading: true } : { loading: true }));
    getJson(url, schemaRef.current, controller.signal).then(
      (result) => {
        if (controller.signal.aborted) return;
        setState(
          result.ok ? { data: result.data, loading: false, url } : { failure: result.failure, loading: false, url },
        );
      },
      () => undefined, // aborted: a newer request owns the state
    );
    return () => controller.abort();
  }, [url, nonce, keepPrevious]);

  const reload = useRef(() => setNonce((n) => n + 1)).current;
  const result: Loaded<T> = { loading: state.loading, reload };
  if (state.data !== undefined) result.data = state.data;
  if (state.failure) result.failure = state.failure;
  return result;
}

/** One timer per interval for the whole page, however many times are shown (a table of 2,000
 * runs must not run 2,000 timers). */
const clocks = new Map<number, { subscribers: Set<(now: number) => void>; timer: ReturnType<typeof setInterval> }>();

function subscribeClock(intervalMs: number, fn: (now: number) => void): () => void {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    const subscribers = new Set<(now: number) => void>();
    const timer = setInterval(() => {
      const now = Date.now();
      for (const s of subscribers) s(now);
    }, intervalMs);
    clock = { subscribers, timer };
    clocks.set(intervalMs, clock);
  }
  clock.subscribers.add(fn);
  return () => {
    clock.subscribers.delete(fn);
    if (clock.subscribers.size === 0) {
      clearInterval(clock.timer);
      clocks.delete(intervalMs);
    }
  };
}

/**
 * The time now, for "3 min ago": the component re-renders every `intervalMs`, and whenever it
 * re-renders for another reason (new data) it reads the clock again. A run or incident that came
 * in since the last tick is newer than that tick: measured from it, it would read "in 7 s" or last
 * "-7s".
 */
export function useNow(intervalMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => subscribeClock(intervalMs, setNow), [intervalMs]);
  return Math.max(now, Date.now());
}

/** Listens to live events while mounted; the latest handlers are always used. */
export function useLive(handlers: LiveListeners): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(
    () =>
      subscribeLive({
        run: (r) => ref.current.run?.(r),
        incident: (e) => ref.current.incident?.(e),
        resync: (e) => ref.current.resync?.(e),
      }),
    [],
  );
}

/** The live connection's status. */
export function useLiveStatus(): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => subscribeLiveStatus(setStatus), []);
  return status;
}

/** Runs `fn` on the next animation frame; returns the way to cancel. */
export function onNextFrame(fn: () => void): () => void {
  const id = requestAnimationFrame(fn);
  return () => cancelAnimationFrame(id);
}

/**
 * A schedule for createBatcher: the next animation frame at least `minMs` after the previous
 * flush. Long tables use it so that 50 runs/s cost a few layouts a second, not sixty.
 */
export function framesAtMost(minMs: number): (fn: () => void) => () => void {
  let last = 0;
  return (fn) => {
    let frame = 0;
    const wait = Math.max(0, last + minMs - performance.now());
    const timer = setTimeout(() => {
      frame = requestAnimationFrame(() => {
        last = performance.now();
        fn();
      });
    }, wait);
    return () => {
      clearTimeout(timer);
      cancelAnimationFrame(frame);
    };
  };
}

/** The browser's timers, for createThrottle. */
export const browserTimers = {
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
