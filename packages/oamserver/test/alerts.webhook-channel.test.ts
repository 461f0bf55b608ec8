import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebhookChannel, type WebhookChannelOptions } from '../src/alerts/webhook-channel';
import { verifyWebhookSignature } from '../src/alerts/webhook-signature';
import { openedEvent, resolvedEvent } from './support/incident-events';

const SECRET = 'a-webhook-secret-of-32-characters';

interface Call {
  atMs: number;
  url: string;
  init: RequestInit & { headers: Record<string, string>; body: string };
}

/** A fetch that answers each call with the next of `answers` (the last one repeats), and records when it was called. */
function scriptedFetch(...answers: (number | [number, Record<string, string>] | Error)[]) {
  const calls: Call[] = [];
  const fetch = vi.fn((url: string, init: RequestInit) => {
    calls.push({ atMs: Date.now(), url, init: init as Call['init'] });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) return Promise.reject(answer);
    const [status, headers] = typeof answer === 'number' ? [answer, {}] : answer;
    return Promise.resolve(new Response(null, { status, headers }));
  });
  return { calls, fetch: fetch as unknown as typeof globalThis.fetch };
}

/** A fetch that never answers until aborted. */
function hangingFetch() {
  const calls: Call[] = [];
  const fetch = (url: string, init: RequestInit) => {
    calls.push({ atMs: Date.now(), url, init: init as Call['init'] });
    return new Promise<Response>((_resolve, reject) =>
      init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
    );
  };
  return { calls, fetch: fetch as unknown as typeof globalThis.fetch };
}

function channel(fetch: typeof globalThis.fetch, options: Partial<WebhookChannelOptions> = {}) {
  const warn = vi.fn<(message: string) => void>();
  const webhook = new WebhookChannel({
    name: 'ops',
    url: 'https://hooks.example/hoptrace',
    secret: SECRET,
    random: () => 0,
    timeoutMs: 60_000,
    fetch,
    warn,
    ...options,
  });
  return { webhook, warn };
}

describe('WebhookChannel', () => {
  let startMs: number;
  beforeEach(() => {
    vi.useFakeTimers();
    startMs = Date.now();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('POSTs the event, its summary and a valid signature, with the configured headers', async () => {
    const { calls, fetch } = scriptedFetch(204);
    const { webhook } = channel(fetch, { headers: { 'x-team': 'voicemail' } });
    webhook.send(openedEvent());
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    const { url, init } = calls[0]!;
    expect([url, init.method, init.redirect]).toEqual(['https://hooks.example/hoptrace', 'POST', 'manual']);
    expect(init.headers).toMatchObject({ 'content-type': 'application/json', 'x-team': 'voicemail' });
    expect(JSON.parse(init.body)).toEqual({
      ...openedEvent(),
      text: 'OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: recorder took 412ms, budget 200ms',
    });
    const received = {
      rawBody: init.body,
      timestamp: init.headers['x-hoptrace-timestamp'],
      signature: init.headers['x-hoptrace-signature'],
    };
    expect(verifyWebhookSignature(received, SECRET)).toBe(true);
    expect(webhook.counts()).toEqual({ delivered: 1, retried: 0, failed: 0, dropped: 0 });
    expect(webhook.recentDeliveries()).toEqual([
      expect.objectContaining({
        channel: 'ops',
        eventType: 'incident.opened',
        outcome: 'delivered',
        attempts: 1,
        lastStatus: 204,
      }),
    ]);
  });

  it('retries 5xx after 1, 2, 4 and 8 s, then fails, counted and warned about', async () => {
    const { calls, fetch } = scriptedFetch(503);
    const { webhook, warn } = channel(fetch);
    webhook.send(openedEvent());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.map((c) => c.atMs - startMs)).toEqual([0, 1000, 3000, 7000, 15_000]);
    // One delivery id for every attempt (receivers de-duplicate on it); a fresh signature time each.
    expect(new Set(calls.map((c) => c.init.headers['x-hoptrace-delivery'])).size).toBe(1);
    expect(calls.map((c) => Number(c.init.headers['x-hoptrace-timestamp']) - startMs)).toEqual([
      0, 1000, 3000, 7000, 15_000,
    ]);
    expect(webhook.counts()).toEqual({ delivered: 0, retried: 4, failed: 1, dropped: 0 });
    expect(webhook.recentDeliveries()[0]).toMatchObject({
      outcome: 'failed',
      attempts: 5,
      lastStatus: 503,
      lastError: 'answered HTTP 503',
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /"ops".*incident\.opened of incident .* failed after 5 attempt\(s\): answered HTTP 503/,
    );
  });

  it('never retries another 4xx, nor a redirect', async () => {
    for (const status of [400, 401, 404, 302]) {
      const { calls, fetch } = scriptedFetch(status, 200);
      const { webhook } = channel(fetch);
      webhook.send(openedEvent());
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toHaveLength(1);
      expect(webhook.counts()).toEqual({ delivered: 0, retried: 0, failed: 1, dropped: 0 });
      expect(webhook.recentDeliveries()[0]).toMatchObject({ attempts: 1, lastStatus: status });
    }
  });

  it('retries network errors, 408 and 429, and delivers when the receiver recovers', async () => {
    const refused = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const { calls, fetch } = scriptedFetch(refused, 408, 429, 200);
    const { webhook } = channel(fetch);
    webhook.send(openedEvent());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(4);
    expect(webhook.counts()).toEqual({ delivered: 1, retried: 3, failed: 0, dropped: 0 });
    const [record] = webhook.recentDeliveries();
    expect(record).toMatchObject({ outcome: 'delivered', attempts: 4, lastStatus: 200 });
    expect(record!.lastError).toBeUndefined();
  });

  it('says why a network error failed', async () => {
    const { fetch } = scriptedFetch(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const { webhook } = channel(fetch, { maxAttempts: 1 });
    webhook.send(openedEvent());
    await vi.advanceTimersByTimeAsync(0);
    expect(webhook.recentDeliveries()[0]).toMatchObject({ attempts: 1, lastError: 'fetch failed: ECONNREFUSED' });
  });

  it('waits as long as Retry-After asks', async () => {
    const { calls, fetch } = scriptedFetch([429, { 'retry-after': '7' }], [503, { 'retry-after': '1' }], 200);
    const { webhook } = channel(fetch);
    webhook.send(openedEvent());
    await vi.advanceTimersByTimeAsync(60_000);
    // 7 s as asked (not the 1 s backoff); then the 2 s backoff, longer than the 1 s asked.
    expect(calls.map((c) => c.atMs - startMs)).toEqual([0, 7000, 9000]);
    expect(webhook.counts().delivered).toBe(1);
  });

  it('sends one event at a time, in order', async () => {
    const { calls, fetch } = scriptedFetch(500, 200);
    const { webhook } = channel(fetch);
    webhook.send(openedEvent());
    webhook.send(resolvedEvent());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.map((c) => (JSON.parse(c.init.body) as { type: string }).type)).toEqual([
      'incident.opened',
      'incident.opened',
      'incident.resolved',
    ]);
  });

  it('keeps at most maxQueueSize events waiting, drops and counts the rest, warns once', async () => {
    const { calls, fetch } = hangingFetch();
    const { webhook, warn } = channel(fetch, { maxQueueSize: 2 });
    for (let i = 0; i < 6; i++) webhook.send(openedEvent({ id: `incident-${i}` }));
    await vi.advanceTimersByTimeAsync(0);
    // One in flight, two waiting, three dropped.
    expect(calls).toHaveLength(1);
    expect(webhook.counts()).toEqual({ delivered: 0, retried: 0, failed: 0, dropped: 3 });
    expect(webhook.recentDeliveries()).toEqual(
      ['incident-3', 'incident-4', 'incident-5'].map((incidentId) =>
        expect.objectContaining({
          incidentId,
          outcome: 'dropped',
          attempts: 0,
          lastError: 'queue full (2 events waiting)',
        }),
      ),
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('dropped 1 event(s): queue full');
  });

  it('keeps the last maxRecentDeliveries records only', async () => {
    const { fetch } = scriptedFetch(200);
    const { webhook } = channel(fetch, { maxRecentDeliveries: 3 });
    for (let i = 0; i < 5; i++) webhook.send(openedEvent({ id: `incident-${i}` }));
    await vi.advanceTimersByTimeAsync(0);
    expect(webhook.counts().delivered).toBe(5);
    expect(webhook.recentDeliveries().map((r) => r.incidentId)).toEqual(['incident-2', 'incident-3', 'incident-4']);
  });

  it('stop() lets deliveries finish within its bound, then gives up on the rest, counted', async () => {
    const { calls, fetch } = hangingFetch();
    const { webhook, warn } = channel(fetch, { stopTimeoutMs: 5000 });
    webhook.send(openedEvent({ id: 'in-flight' }));
    webhook.send(openedEvent({ id: 'queued' }));
    let stopped = false;
    void webhook.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(4999);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
    expect(calls).toHaveLength(1);
    expect(webhook.counts()).toEqual({ delivered: 0, retried: 0, failed: 1, dropped: 1 });
    const byId = Object.fromEntries(webhook.recentDeliveries().map((r) => [r.incidentId, r]));
    expect(byId['in-flight']).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(byId['in-flight']!.lastError).toMatch(/gave up at shutdown$/);
    expect(byId.queued).toMatchObject({ outcome: 'dropped', attempts: 0, lastError: 'given up at shutdown' });
    expect(warn.mock.calls.map((c) => c[0]).join('\n')).toContain('gave up on 1 queued event(s) at shutdown');
    // After stop, events are dropped at once, and stop() stays done.
    webhook.send(resolvedEvent());
    expect(webhook.counts().dropped).toBe(2);
    await webhook.stop();
  });

  it('stop() returns as soon as the queue is empty', async () => {
    const { fetch } = scriptedFetch(500, 200);
    const { webhook } = channel(fetch);
    webhook.send(openedEvent());
    let stopped = false;
    void webhook.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(stopped).toBe(true);
    expect(webhook.counts()).toEqual({ delivered: 1, retried: 1, failed: 0, dropped: 0 });
  });

  it('send() never throws, even when fetch itself throws', async () => {
    const fetch = (() => {
      throw new Error('boom');
    }) as unknown as typeof globalThis.fetch;
    const { webhook } = channel(fetch, { maxAttempts: 2 });
    expect(() => webhook.send(openedEvent())).not.toThrow();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(webhook.counts()).toEqual({ delivered: 0, retried: 1, failed: 1, dropped: 0 });
    expect(webhook.recentDeliveries()[0]!.lastError).toBe('boom');
  });
});
