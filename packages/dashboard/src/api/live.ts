// One EventSource for the whole page, shared by every view that wants live updates. The browser
// reconnects by itself after a dropped connection; when the server refuses the stream outright
// (the EventSource closes), we try again with a growing delay. Each event's data is parsed with
// its schema; an event that does not match is skipped, never thrown.
import {
  API_EVENTS,
  incidentStreamEventSchema,
  resyncEventSchema,
  runEventSchema,
  type IncidentEvent,
  type ResyncEvent,
  type RunSummary,
} from '@hoptrace/core/api';
import { EVENTS_URL } from './endpoints';

/** `connecting` before the first open, `live` while open, `offline` while retrying. */
export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface LiveListeners {
  run?: (run: RunSummary) => void;
  incident?: (event: IncidentEvent) => void;
  resync?: (event: ResyncEvent) => void;
}

const listeners = new Set<LiveListeners>();
const statusListeners = new Set<(status: LiveStatus) => void>();
let status: LiveStatus = 'connecting';
let source: EventSource | undefined;
let retryDelayMs = 2000;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function setStatus(next: LiveStatus): void {
  if (next === status) return;
  status = next;
  for (const fn of statusListeners) fn(next);
}

function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  data: unknown,
): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(String(data)));
    if (result.success) return result.data;
  } catch {
    // not JSON: skipped like any event that does not match the contract
  }
  return undefined;
}

function connect(): void {
  retryTimer = undefined;
  const es = new EventSource(EVENTS_URL);
  source = es;
  es.onopen = () => {
    retryDelayMs = 2000;
    setStatus('live');
  };
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      // Refused (4xx/5xx, wrong content type): the browser will not retry, so we do.
      es.close();
      source = undefined;
      setStatus('offline');
      retryTimer = setTimeout(connect, retryDelayMs);
      retryDelayMs = Math.min(retryDelayMs * 2, 30_000);
    } else {
      setStatus('offline');
    }
  };
  es.addEventListener(API_EVENTS.run, (e) => {
    const run = parse(runEventSchema, e.data);
    if (run) for (const l of listeners) l.run?.(run);
  });
  es.addEventListener(API_EVENTS.incident, (e) => {
    const event = parse(incidentStreamEventSchema, e.data);
    if (event) for (const l of listeners) l.incident?.(event);
  });
  es.addEventListener(API_EVENTS.resync, (e) => {
    const event = parse(resyncEventSchema, e.data) ?? { dropped: 0, reason: 'unknown' };
    for (const l of listeners) l.resync?.(event);
  });
}

/** Starts the stream (once). */
export function startLive(): void {
  if (!source && !retryTimer && typeof EventSource !== 'undefined') connect();
}

/** Listens to live events; returns the way to stop. */
export function subscribeLive(l: LiveListeners): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Listens to the connection status; returns the way to stop. */
export function subscribeLiveStatus(fn: (status: LiveStatus) => void): () => void {
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}
