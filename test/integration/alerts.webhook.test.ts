import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlertDispatcher, OamMetrics, WebhookChannel, type WebhookChannelOptions } from '@hoptrace/oamserver';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';

type IncidentEvent = Parameters<AlertDispatcher['dispatch']>[0];

const SECRET = 'integration-webhook-secret-0123456789';
const TOLERANCE_MS = 300_000;

/** A receiver verifies the way docs/alerts.md tells it to, with node:crypto only (not with hoptrace's code). */
function signatureIsValid(headers: IncomingHttpHeaders, rawBody: Buffer): boolean {
  const timestamp = headers['x-hoptrace-timestamp'];
  const signature = headers['x-hoptrace-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(Date.now() - Number(timestamp)) > TOLERANCE_MS) return false;
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Received {
  body: unknown;
  headers: IncomingHttpHeaders;
  signatureValid: boolean;
}

/** A real HTTP receiver on port 0: answers each request with the next status of `statuses` (the last repeats). */
class Receiver {
  readonly received: Received[] = [];
  statuses: number[] = [200];
  private readonly _server: Server;

  constructor() {
    this._server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        this.received.push({
          body: JSON.parse(raw.toString('utf8')),
          headers: req.headers,
          signatureValid: signatureIsValid(req.headers, raw),
        });
        res.statusCode = this.statuses[Math.min(this.received.length - 1, this.statuses.length - 1)]!;
        res.end();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this._server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this._server.address() as AddressInfo).port}/hoptrace`;
  }

  reset(statuses: number[]): void {
    this.received.length = 0;
    this.statuses = statuses;
  }

  close(): Promise<void> {
    this._server.closeAllConnections();
    return new Promise((resolve) => this._server.close(() => resolve()));
  }
}

const STARTED_AT_MS = Date.now() - 60_000;
const EVENT: IncidentEvent = {
  type: 'incident.opened',
  atMs: STARTED_AT_MS + 20_000,
  incident: {
    id: `deposit-voicemail:recorder:recorder-2:slow:${STARTED_AT_MS}`,
    probe: 'deposit-voicemail',
    service: 'recorder',
    instance: 'recorder-2',
    kind: 'slow',
    state: 'open',
    startedAtMs: STARTED_AT_MS,
    openedAtMs: STARTED_AT_MS + 20_000,
    lastSeenAtMs: STARTED_AT_MS + 20_000,
    runsAffected: 2,
    worstMs: 412,
    exampleRuns: ['r-1', 'r-2'],
    reason: 'recorder took 412ms, budget 200ms',
  },
};

/** A dispatcher with one webhook (fast backoff) and the metrics that read its counts. */
function alertsTo(url: string, options: Partial<WebhookChannelOptions> = {}) {
  const warn = vi.fn<(message: string) => void>();
  const webhook = new WebhookChannel({
    name: 'ops',
    url,
    secret: SECRET,
    headers: { 'x-team': 'voicemail' },
    baseDelayMs: 20,
    maxDelayMs: 100,
    timeoutMs: 2000,
    warn,
    ...options,
  });
  const dispatcher = new AlertDispatcher([webhook], warn);
  const metrics = new OamMetrics({
    probes: ['deposit-voicemail'],
    storageUp: () => true,
    alertDeliveries: () => dispatcher.deliveryCounts(),
  });
  /** hoptrace_alert_deliveries_total{channel="ops"} by outcome, as scraped. */
  const counter = async (): Promise<Record<string, number>> => {
    const text = await metrics.text();
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^hoptrace_alert_deliveries_total\{channel="ops",outcome="(\w+)"\} (\d+)$/gm)) {
      counts[match[1]!] = Number(match[2]);
    }
    return counts;
  };
  const finished = () =>
    waitFor(() => dispatcher.recentDeliveries()[0], { timeoutMs: 15_000, what: 'the delivery to finish' });
  return { dispatcher, warn, counter, finished };
}

describe('alert webhook to a real HTTP receiver', () => {
  const receiver = new Receiver();
  let stop: (() => Promise<void>) | undefined;

  beforeAll(() => receiver.listen());
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  afterAll(() => receiver.close());

  it('delivers the event, signed so that the receiver can verify it', async () => {
    receiver.reset([200]);
    const { dispatcher, counter, finished, warn } = alertsTo(receiver.url);
    stop = () => dispatcher.stop();
    dispatcher.dispatch(EVENT);
    expect(await finished()).toMatchObject({ outcome: 'delivered', attempts: 1, lastStatus: 200 });
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.signatureValid).toBe(true);
    expect(got!.headers['x-team']).toBe('voicemail');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.body).toEqual({
      ...EVENT,
      text: expect.stringMatching(
        /^OPEN slow at recorder \(recorder-2\) on deposit-voicemail since \d\d:\d\d:\d\dZ: recorder took 412ms, budget 200ms$/,
      ),
    });
    expect(await counter()).toEqual({ delivered: 1, retried: 0, failed: 0, dropped: 0 });
    expect(warn).not.toHaveBeenCalled();
  });

  it('retries a receiver answering 500 twice and delivers on the third attempt', async () => {
    receiver.reset([500, 500, 200]);
    const { dispatcher, counter, finished } = alertsTo(receiver.url);
    stop = () => dispatcher.stop();
    dispatcher.dispatch(EVENT);
    expect(await finished()).toMatchObject({ outcome: 'delivered', attempts: 3, lastStatus: 200 });
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    // The same delivery id on every attempt: the receiver can tell a retry from a new event.
    expect(new Set(receiver.received.map((r) => r.headers['x-hoptrace-delivery'])).size).toBe(1);
    const counts = await counter();
    expect(counts.delivered).toBe(1);
    expect(counts.retried).toBeGreaterThanOrEqual(2);
    expect(counts.failed).toBe(0);
  });

  it('fails after maxAttempts when the receiver is down, counted and warned about', async () => {
    const closedPort = await freePort();
    const { dispatcher, counter, finished, warn } = alertsTo(`http://127.0.0.1:${closedPort}/hoptrace`, {
      maxAttempts: 3,
    });
    stop = () => dispatcher.stop();
    dispatcher.dispatch(EVENT);
    const record = await finished();
    expect(record).toMatchObject({ outcome: 'failed', attempts: 3, incidentId: EVENT.incident.id });
    expect(record.lastError).toMatch(/ECONNREFUSED/);
    expect(await counter()).toEqual({ delivered: 0, retried: 2, failed: 1, dropped: 0 });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/"ops".*failed after 3 attempt\(s\).*ECONNREFUSED/));
  });

  it('does not retry a receiver answering 400', async () => {
    receiver.reset([400, 200]);
    const { dispatcher, counter, finished, warn } = alertsTo(receiver.url);
    stop = () => dispatcher.stop();
    dispatcher.dispatch(EVENT);
    expect(await finished()).toMatchObject({ outcome: 'failed', attempts: 1, lastStatus: 400 });
    // Longer than the whole backoff schedule: no second request comes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(1);
    expect(await counter()).toEqual({ delivered: 0, retried: 0, failed: 1, dropped: 0 });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('answered HTTP 400'));
  });
});
