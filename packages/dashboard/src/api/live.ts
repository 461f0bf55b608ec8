// One EventSource for the whole page, shared by every view that wants live updates. The browser
// reconnects by itself after a dropped connection; when the server refuses the stream outright
// (the EventSource closes), we try again with a growing delay. Each event's data is parsed with
// its schema; an event that does not match is skipped, never thrown.
//
// A locked Oamserver refuses the stream with a 401 until the page signs in. EventSource cannot see
// the status, so a refusal is followed by one GET of /api/meta, which reports a 401 to auth.ts;
// while the page is signed out the stream stays closed (`locked`, no retries), and it opens again
// as soon as the page signs in.
import {
  API_EVENTS,
  incidentStreamEventSchema,
  resyncEventSchema,
  runEventSchema,
  type IncidentEvent,
  type ResyncEvent,
  type RunSummary,
} from '@hoptrace/core/api';
import { authState, subscribeAuth } from './auth';
import { getJson } from './client';
import { api, EVENTS_URL } from './endpoints';

/**
 * `connecting` before the first open, `live` while open, `offline` while retrying, `locked` while
 * the Oamserver wants its token and the page is signed out (no retries then).
 */
export type LiveStatus = 'connecting' | 'live' | 'offline' | 'locked';

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
let started = false;

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

/** Closes the stream and cancels any retry. */
function stop(): void {
  source?.close();
  source = undefined;
  if (retryTimer !== undefined) clearTimeout(retryTimer);
  retryTimer = undefined;
}

/** The stream was refused: locked (a 401, learnt through /api/meta), or try again later. */
async function refused(): Promise<void> {
  if (!authState().signInNeeded) {
    // A 401 here calls reportUnauthorized(), and the auth listener below stops everything.
    await getJson(api.meta().url, api.meta().schema).catch(() => undefined);
  }
  if (authState().signInNeeded || source || retryTimer !== undefined) return;
  setStatus('offline');
  retryTimer = setTimeout(connect, retryDelayMs);
  retryDelayMs = Math.min(retryDelayMs * 2, 30_000);
}

function connect(): void {
  retryTimer = undefined;
  if (authState().signInNeeded) {
    setStatus('locked');
    return;
  }
  const es = new EventSource(EVENTS_URL);
  source = es;
  es.onopen = () => {
    retryDelayMs = 2000;
    setStatus('live');
  };
  es.onerror = () => {
    if (source !== es) return; // closed by stop(): signed out
    if (es.readyState === EventSource.CLOSED) {
      // Refused (4xx/5xx, wrong content type): the browser will not retry, so we do, unless the
      // refusal was a 401.
      es.close();
      source = undefined;
      void refused();
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

/** Starts the stream (once), and follows signing in and out from then on. */
export function startLive(): void {
  if (started || typeof EventSource === 'undefined') return;
  started = true;
  subscribeAuth(({ signInNeeded }) => {
    if (signInNeeded) {
      // Signed out, or the session cookie stopped working: no stream, no retries.
      stop();
      setStatus('locked');
    } else if (status === 'locked') {
      // Signed in: a fresh stream, carrying the new session cookie.
      stop();
      retryDelayMs = 2000;
      setStatus('connecting');
      connect();
    }
  });
  connect();
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
